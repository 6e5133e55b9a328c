package client

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const writeTimeout = 10 * time.Second

// connection is one WebSocket connection. Frames are queued by enqueue (never blocking, so it can be called with
// the client's lock held) and written in order by the writer goroutine, which also pings, renews awareness and
// ends the connection when asked to.
type connection struct {
	ws *websocket.Conn

	mu   sync.Mutex
	out  [][]byte
	wake chan struct{} // capacity 1: "out has frames"

	readerDone chan struct{} // closed when the reader stops
	writerDone chan struct{}
	refreshed  atomic.Bool // the writer ended the connection to renew the token

	// Set by the reader goroutine only.
	joined       bool   // the server accepted us (hello or a sync message arrived)
	synced       bool   // the server's step 2 arrived
	deniedReason string // the reason of a permission-denied message, sent just before a 4401/4403 close
}

func newConnection(ws *websocket.Conn) *connection {
	return &connection{ws: ws, wake: make(chan struct{}, 1), readerDone: make(chan struct{}),
		writerDone: make(chan struct{})}
}

func (k *connection) enqueue(frame []byte) {
	k.mu.Lock()
	k.out = append(k.out, frame)
	k.mu.Unlock()
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

func (k *connection) take() [][]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	frames := k.out
	k.out = nil
	return frames
}

// flush writes every queued frame; false means the connection broke.
func (k *connection) flush() bool {
	for _, f := range k.take() {
		_ = k.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := k.ws.WriteMessage(websocket.BinaryMessage, f); err != nil {
			return false
		}
	}
	return true
}

// writerHooks are what the writer loop needs from the client.
type writerHooks struct {
	stop         <-chan struct{}  // the client is closing: say goodbye and close
	refresh      <-chan time.Time // the token is about to expire: close so the client reconnects
	pingInterval time.Duration
	tick         func()        // awareness upkeep, every few seconds
	goodbye      func() []byte // the last frame to send on a clean close (our awareness removal), or nil
}

func (k *connection) writeLoop(h writerHooks) {
	defer close(k.writerDone)
	defer k.ws.Close() // unblocks the reader
	ping := time.NewTicker(h.pingInterval)
	defer ping.Stop()
	upkeep := time.NewTicker(awarenessTimeout / 10)
	defer upkeep.Stop()
	for {
		select {
		case <-k.wake:
			if !k.flush() {
				return
			}
		case <-ping.C:
			if k.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				return
			}
		case <-upkeep.C:
			h.tick()
		case <-h.refresh:
			k.refreshed.Store(true)
			k.closeCleanly(nil)
			return
		case <-h.stop:
			k.closeCleanly(h.goodbye())
			return
		case <-k.readerDone:
			return
		}
	}
}

// closeCleanly sends what is queued, then last (if any), then a normal close frame.
func (k *connection) closeCleanly(last []byte) {
	if last != nil {
		k.enqueue(last)
	}
	if !k.flush() {
		return
	}
	deadline := time.Now().Add(time.Second)
	_ = k.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), deadline)
	// Wait briefly for the server's close reply so it sees a clean close, not a reset.
	select {
	case <-k.readerDone:
	case <-time.After(time.Second):
	}
}

package server

import (
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// outbox is what a session has to write, guarded by its mutex. It replaces a per-connection channel of
// frames: an idle connection holds no buffer and no writer goroutine at all; the first frame queued starts a
// writer, which writes everything queued by then in one system call (wsframe.go), and exits when nothing is
// left. At most one writer runs per session, which keeps frames in queue order.
type outbox struct {
	mu      sync.Mutex
	head    []byte   // the unwritten rest of a batch a direct write left partly sent: it goes out first
	frames  [][]byte // data frames waiting, in order; nil while idle
	pending int      // frames queued or in the writer's hands: what Limits.SendQueue bounds
	ping    bool     // a keepalive ping is due
	pong    []byte   // the payload of the pong owed to the client's latest ping
	pongDue bool
	closing bool // close was requested: the writer flushes (unless cutting the client off) and ends
	running bool // a writer goroutine (or a direct write, session_direct.go) owns the connection's writes
	corked  bool // frames were queued by the room with queueCorked and wait for its uncork
	// dropQueued: at close, send nothing queued, only the close frame (the stream is no longer known)
	dropQueued bool
	finished   bool // the connection is closed; nothing more is queued or written

	pingTimer, expiryTimer *time.Timer
}

// wakeLocked reports whether the caller must start a writer (and marks one running). Caller holds mu.
func (o *outbox) wakeLocked() bool {
	if o.running || o.finished {
		return false
	}
	o.running = true
	return true
}

// enqueue queues frame and makes sure a writer runs; it never blocks. Unless force, a queue already holding
// Limits.SendQueue frames cuts the client off instead of growing: a client that cannot keep up is dropped,
// never buffered without end.
func (s *session) enqueue(frame []byte, force bool) {
	o := &s.out
	o.mu.Lock()
	if o.closing || o.finished {
		o.mu.Unlock()
		return
	}
	if !force && o.pending >= s.srv.cfg.Limits.SendQueue {
		o.mu.Unlock()
		s.srv.metrics.refusals.WithLabelValues("slow_client").Inc()
		s.close(CloseSlowClient, "too slow to receive updates")
		return
	}
	o.frames = append(o.frames, frame)
	o.pending++
	start := o.wakeLocked()
	o.mu.Unlock()
	if start {
		go s.writeLoop()
	}
}

// queuePong owes the client a pong carrying data (only the latest ping's is kept, as RFC 6455 allows).
func (s *session) queuePong(data []byte) {
	o := &s.out
	o.mu.Lock()
	if o.closing || o.finished {
		o.mu.Unlock()
		return
	}
	o.pong, o.pongDue = data, true
	start := o.wakeLocked()
	o.mu.Unlock()
	if start {
		go s.writeLoop()
	}
}

// startTimers arms the keepalive ping and, for a token with an expiry, the cut-off when the verifier would
// start refusing it (exp plus the leeway): a token admitted inside the leeway keeps its connection until then.
func (s *session) startTimers() {
	o := &s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pingTimer = time.AfterFunc(s.srv.cfg.Limits.PingInterval, s.pingDue)
	if exp := s.principal.ValidUntil(); !exp.IsZero() {
		o.expiryTimer = time.AfterFunc(time.Until(exp), func() {
			s.refuse(refusal{CloseUnauthorized, "token_expired", "token expired"})
		})
	}
}

// pingDue runs on the ping timer: it asks the writer for a ping and rearms the timer. The reader's deadline
// (two ping intervals, pushed back by every pong) drops a client that stops answering.
func (s *session) pingDue() {
	o := &s.out
	o.mu.Lock()
	if o.closing || o.finished {
		o.mu.Unlock()
		return
	}
	o.ping = true
	o.pingTimer.Reset(s.srv.cfg.Limits.PingInterval)
	start := o.wakeLocked()
	o.mu.Unlock()
	if start {
		go s.writeLoop()
	}
}

// writeLoop is the session's writer: it takes everything queued, writes it at once, and repeats until the
// queue is empty (then exits) or the session closes (then it ends the connection).
func (s *session) writeLoop() {
	o := &s.out
	for {
		o.mu.Lock()
		head, frames := o.head, o.frames
		o.head, o.frames = nil, nil
		ping, pong, pongDue, closing := o.ping, o.pong, o.pongDue, o.closing
		if o.dropQueued {
			head, frames = nil, nil
		}
		o.ping, o.pong, o.pongDue = false, nil, false
		if len(head) == 0 && len(frames) == 0 && !ping && !pongDue && !closing {
			o.running = false
			o.mu.Unlock()
			return
		}
		o.mu.Unlock()
		if closing {
			s.finish(head, frames)
			return
		}
		var control []controlFrame
		if pongDue {
			control = append(control, controlFrame{websocket.PongMessage, pong})
		}
		if ping {
			control = append(control, controlFrame{websocket.PingMessage, nil})
		}
		err := s.writeFrames(head, control, frames, s.srv.cfg.Limits.WriteTimeout)
		o.mu.Lock()
		o.pending -= len(frames)
		o.mu.Unlock()
		if err != nil {
			s.dropAfterWriteError(err)
			s.teardown()
			return
		}
	}
}

// finish sends what was queued before the close (a permission-denied message, typically; not to a client
// cut off for slowness), then the close frame, and closes the connection. head, the rest of a frame a direct
// write left half sent, always goes first: a close frame in the middle of a frame would garble both.
func (s *session) finish(head []byte, frames [][]byte) {
	timeout := s.srv.cfg.Limits.WriteTimeout
	if s.code == CloseSlowClient {
		frames, timeout = nil, time.Second
	}
	closeFrame := []controlFrame{{websocket.CloseMessage, closeFramePayload(s.code, s.reason)}}
	if len(head)+len(frames) == 0 || s.writeFrames(head, nil, frames, timeout) == nil {
		// The close frame comes after the data, in a write of its own with a short deadline: the client
		// may already be gone.
		_ = s.writeFrames(nil, closeFrame, nil, time.Second)
	}
	s.teardown()
}

// teardown closes the connection, stops the timers and lets serve finish.
func (s *session) teardown() {
	_ = s.conn.Close()
	o := &s.out
	o.mu.Lock()
	o.finished, o.head, o.frames, o.pong = true, nil, nil, nil
	for _, t := range []*time.Timer{o.pingTimer, o.expiryTimer} {
		if t != nil {
			t.Stop()
		}
	}
	o.mu.Unlock()
	close(s.torn)
}

type controlFrame struct {
	opcode  int
	payload []byte
}

// coalesceLimit is the largest batch copied into one contiguous buffer; larger batches (a big document's
// step 2) are written with writev instead, so their payloads are not copied.
const coalesceLimit = 64 << 10

var coalesceBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// writeFrames writes head, then control, then data frames in one write call within timeout, and counts them.
func (s *session) writeFrames(head []byte, control []controlFrame, frames [][]byte, timeout time.Duration) error {
	if err := writeBatch(s.conn.NetConn(), head, control, frames, timeout); err != nil {
		return err
	}
	s.countWritten(len(control), frames)
	return nil
}

// countWritten counts one write to the connection that carried control and data frames.
func (s *session) countWritten(control int, frames [][]byte) {
	if control+len(frames) > 0 {
		s.srv.metrics.framesPerWrite.Observe(float64(control + len(frames)))
	}
	for _, f := range frames {
		s.srv.metrics.countOut(f)
	}
}

// writeBatch writes head (raw bytes that must go first), then control, then data frames to nc within timeout:
// as one contiguous write when the batch is small, else as one vectored write (net.Buffers), so a large
// payload is not copied. Control frames may go between messages (RFC 6455 §5.4); every data frame is a whole
// message, so message boundaries are kept.
func writeBatch(nc net.Conn, head []byte, control []controlFrame, frames [][]byte, timeout time.Duration) error {
	size := len(head)
	for _, c := range control {
		size += wsMaxHeaderLen + len(c.payload)
	}
	for _, f := range frames {
		size += wsMaxHeaderLen + len(f)
	}
	if err := nc.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	if size <= coalesceLimit {
		bp := coalesceBuffers.Get().(*[]byte)
		buf := append((*bp)[:0], head...)
		for _, c := range control {
			buf = appendFrame(buf, c.opcode, c.payload)
		}
		for _, f := range frames {
			buf = appendFrame(buf, websocket.BinaryMessage, f)
		}
		_, err := nc.Write(buf)
		if cap(buf) <= coalesceLimit+wsMaxHeaderLen {
			*bp = buf[:0]
			coalesceBuffers.Put(bp)
		}
		return err
	}
	// Every header fits in the capacity reserved here, so the slices taken of it stay valid.
	headers := make([]byte, 0, wsMaxHeaderLen*(len(control)+len(frames)))
	bufs := make(net.Buffers, 0, 1+2*(len(control)+len(frames)))
	if len(head) > 0 {
		bufs = append(bufs, head)
	}
	add := func(opcode int, payload []byte) {
		start := len(headers)
		headers = appendFrameHeader(headers, opcode, len(payload))
		bufs = append(bufs, headers[start:len(headers):len(headers)], payload)
	}
	for _, c := range control {
		add(c.opcode, c.payload)
	}
	for _, f := range frames {
		add(websocket.BinaryMessage, f)
	}
	_, err := bufs.WriteTo(nc)
	return err
}

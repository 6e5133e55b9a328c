package server

import (
	"errors"
	"log/slog"
	"net"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/internal/uring"
	"github.com/prometheus/client_golang/prometheus"
)

// The direct write path. A room that broadcasts an update hands each member a frame; waking a writer
// goroutine per member per update costs a goroutine start, a scheduler hand-off and a write deadline (a
// runtime timer) on top of the write itself, and at a busy node those goroutines queue on the CPU in front of
// the group commit that everything else waits for. So the room corks instead: while it handles an event it
// only queues frames (queueCorked), and when it is done it uncorks every member it touched at once: each
// member's frames are encoded into one buffer, and all the buffers go out in one io_uring submission
// (server/internal/uring), or one non-blocking write(2) each where io_uring cannot be had. Only what a
// socket does not take at once (a slow or stalled client) goes to the member's writer goroutine, which keeps
// the write timeout and the queue bound of the ordinary path. TLS connections, whose bytes are not the
// frames, always use the writer.
//
// The socket's descriptor is used without the net package's locks. That is safe because the connection is
// closed only by its writer (teardown), and a direct write happens only while it holds the outbox's running
// flag, which keeps any writer from starting.

// socketFD returns the connection's socket descriptor when frames can be written to it directly, else -1.
func socketFD(nc net.Conn) int {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return -1
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	if rc.Control(func(f uintptr) { fd = int(f) }) != nil {
		return -1
	}
	return fd
}

// queueCorked queues frame like send, without starting a writer: the caller (the room goroutine) uncorks the
// session once it has queued everything for now. It reports whether the session was not corked yet, that is
// whether the caller must remember to uncork it.
func (s *session) queueCorked(frame []byte) (first bool) {
	o := &s.out
	o.mu.Lock()
	if o.closing || o.finished {
		o.mu.Unlock()
		return false
	}
	if o.pending >= s.srv.cfg.Limits.SendQueue {
		o.mu.Unlock()
		s.srv.metrics.refusals.WithLabelValues("slow_client").Inc()
		s.close(CloseSlowClient, "too slow to receive updates")
		return false
	}
	o.frames = append(o.frames, frame)
	o.pending++
	first = !o.corked
	o.corked = true
	o.mu.Unlock()
	return first
}

// directWrite is one member's share of a room's batched write.
type directWrite struct {
	s       *session
	frames  [][]byte // taken from the outbox
	buf     *[]byte  // the frames encoded, from coalesceBuffers
	written int      // bytes the socket took
	err     error    // a write error other than a full socket
}

// takeCorked is the first half of an uncork: it takes what queueCorked queued and encodes it for a direct
// write, or, when the frames must go through the writer goroutine (TLS, a writer already running, a big
// batch), arranges that and reports false.
func (s *session) takeCorked() (directWrite, bool) {
	o := &s.out
	o.mu.Lock()
	o.corked = false
	if len(o.frames) == 0 || o.running || o.finished || o.closing {
		// Nothing to do, or a writer already owns the connection and will find the frames.
		o.mu.Unlock()
		return directWrite{}, false
	}
	o.running = true
	if s.fd < 0 || len(o.head) > 0 || queuedBytes(o.frames) > coalesceLimit {
		// TLS, or a big batch (a large step 2) that the writer sends without copying it.
		o.mu.Unlock()
		go s.writeLoop()
		return directWrite{}, false
	}
	frames := o.frames
	o.frames = nil
	o.mu.Unlock()

	bp := coalesceBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, f := range frames {
		buf = appendFrame(buf, websocket.BinaryMessage, f)
	}
	*bp = buf
	return directWrite{s: s, frames: frames, buf: bp}, true
}

// finishDirect is the second half: it counts what was written and gives the connection back, or hands the
// rest (and any error) to the writer goroutine.
func (s *session) finishDirect(w *directWrite) {
	if errors.Is(w.err, errSendLost) {
		s.abandonAfterLostSend(w)
		return
	}
	buf := *w.buf
	if w.written > 0 {
		s.countWritten(0, w.frames)
	}
	var rest []byte
	if w.written < len(buf) {
		rest = append([]byte(nil), buf[w.written:]...)
	}
	if cap(buf) <= coalesceLimit+wsMaxHeaderLen {
		*w.buf = buf[:0]
		coalesceBuffers.Put(w.buf)
	}

	o := &s.out
	o.mu.Lock()
	o.pending -= len(w.frames)
	if w.err == nil && len(rest) == 0 && len(o.frames) == 0 && !o.ping && !o.pongDue && !o.closing {
		o.running = false
		o.mu.Unlock()
		return
	}
	// The writer takes over: with the bytes the socket did not take first, then whatever was queued since.
	// A write error shows up again there and ends the connection the ordinary way.
	o.head = rest
	o.mu.Unlock()
	if len(rest) > 0 {
		s.srv.metrics.writerHandoffs.Inc()
	}
	go s.writeLoop()
}

// abandonAfterLostSend ends a connection whose stream is no longer known: nothing more is written to it but
// a close frame (the client reconnects and syncs afresh), and the lost send's buffer is not reused, since the
// kernel may still read it.
func (s *session) abandonAfterLostSend(w *directWrite) {
	o := &s.out
	o.mu.Lock()
	o.pending -= len(w.frames)
	o.head, o.dropQueued = nil, true
	o.mu.Unlock()
	s.srv.metrics.refusals.WithLabelValues("write_lost").Inc()
	s.srv.log.Error("a fan-out send failed with its outcome unknown; closing the connection", "doc", s.docID)
	s.close(CloseInternal, "server write failed, reconnect") // the direct write owns the connection: no writer starts
	go s.writeLoop()
}

// directWriter writes the batches of the rooms' uncorks.
type directWriter struct {
	rings   *uring.Pool // nil: write(2) for every buffer
	batches prometheus.Counter
}

// newDirectWriter sets up one io_uring ring per scheduler P (rooms uncork on at most that many threads at
// once; a room that finds every ring lent writes with write(2)), unless disabled or unavailable.
func newDirectWriter(disabled bool, log *slog.Logger, batches prometheus.Counter) directWriter {
	if disabled {
		log.Info("io_uring off (--io-uring=false): fan-out writes use one write(2) per connection")
		return directWriter{}
	}
	pool, err := uring.NewPool(runtime.GOMAXPROCS(0), ringEntries)
	if err != nil {
		log.Info("fan-out writes use one write(2) per connection", "reason", err.Error())
		return directWriter{}
	}
	return directWriter{rings: pool, batches: batches}
}

// ringEntries bounds the sends of one submission: a room with more members to write submits in chunks. A
// submission is one system call the runtime cannot preempt (a garbage collection's stop-the-world waits for
// it), so a chunk is kept to about 0.3 ms of sends.
const ringEntries = 64

func (d *directWriter) close() { d.rings.Close() }

// mode names how fan-outs are written, for the start-up log.
func (d *directWriter) mode() string {
	if d.rings != nil {
		return "io_uring"
	}
	return "write"
}

// write writes each buffer of batch to its socket without blocking and records how much each took. sends is
// scratch space the caller may keep for the next batch; the grown slice comes back.
func (d *directWriter) write(batch []directWrite, sends []uring.Send) []uring.Send {
	// One buffer is one kernel entry either way, and write(2) is cheaper to set up.
	if ring := d.ringFor(len(batch)); ring != nil {
		sends = sends[:0]
		for _, w := range batch {
			sends = append(sends, uring.Send{FD: w.s.fd, Buf: *w.buf})
		}
		_ = ring.SendAll(sends) // a failure leaves sends not Done: Lost, or written below instead
		d.batches.Inc()
		for i := range batch {
			switch sn := &sends[i]; {
			case sn.Done:
				batch[i].written, batch[i].err = sn.N, sendErr(sn.Err)
			case sn.Lost:
				batch[i].written, batch[i].err = len(*batch[i].buf), errSendLost
			default:
				batch[i].written, batch[i].err = writeNonBlocking(batch[i].s.fd, *batch[i].buf)
			}
			sends[i] = uring.Send{}
		}
		d.rings.Put(ring)
		return sends
	}
	for i := range batch {
		batch[i].written, batch[i].err = writeNonBlocking(batch[i].s.fd, *batch[i].buf)
	}
	return sends
}

// ringFor lends a ring for a batch of n buffers, or nil when write(2) serves it.
func (d *directWriter) ringFor(n int) *uring.Ring {
	if n < 2 {
		return nil
	}
	return d.rings.Get()
}

// errSendLost is a ring send whose outcome is unknown (uring.Send.Lost): the frames may or may not have
// reached the socket, so the connection cannot go on.
var errSendLost = errors.New("a ring send failed with its outcome unknown")

// sendErr is a ring send's error as writeNonBlocking reports it: a full socket is not an error.
func sendErr(e syscall.Errno) error {
	if e == 0 || e == syscall.EAGAIN {
		return nil
	}
	return e
}

// writeNonBlocking writes buf to a non-blocking socket until it is all written or the socket is full, and
// returns how much was written; a full socket is not an error.
func writeNonBlocking(fd int, buf []byte) (int, error) {
	written := 0
	for written < len(buf) {
		n, err := rawWrite(uintptr(fd), buf[written:])
		if n > 0 {
			written += n
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || n <= 0 {
			if errors.Is(err, syscall.EAGAIN) {
				err = nil
			}
			return written, err
		}
	}
	return written, nil
}

// rawWrite is write(2) on a non-blocking socket without telling the scheduler: it never blocks (a full
// socket buffer returns EAGAIN), and a system call the runtime knows about lets its monitor hand the
// goroutine's P to another thread when the call takes a few tens of microseconds, which on a busy core is
// often. Each hand-off is one more runnable thread that the kernel slices the core between, and the group
// commit's thread waits in that line too.
func rawWrite(fd uintptr, p []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

func queuedBytes(frames [][]byte) int {
	n := 0
	for _, f := range frames {
		n += wsMaxHeaderLen + len(f)
	}
	return n
}

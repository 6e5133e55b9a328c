package server

import (
	"errors"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
)

// The direct write path. A room that broadcasts an update hands each member a frame; waking a writer
// goroutine per member per update costs a goroutine start, a scheduler hand-off and a write deadline (a
// runtime timer) on top of the write itself, and at a busy node those goroutines queue on the CPU in front of
// the group commit that everything else waits for. So the room corks instead: while it handles an event it
// only queues frames (queueCorked), and when it is done it uncorks each member it touched: if no writer owns
// the connection, the room goroutine writes everything queued in one non-blocking system call. Only what the
// socket does not take at once (a slow or stalled client) goes to a writer goroutine, which keeps the write
// timeout and the queue bound of the ordinary path. TLS connections, whose bytes are not the frames, always
// use the writer.

// rawConnOf returns the connection's raw socket when frames can be written to it directly, else nil.
func rawConnOf(nc net.Conn) syscall.RawConn {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// queueCorked queues frame like send, without starting a writer: the caller (the room goroutine) calls uncork
// once it has queued everything for now. It reports whether the session was not corked yet, that is whether
// the caller must remember to uncork it.
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

// uncork sends what queueCorked queued: written here and now when no writer owns the connection and the
// socket takes it all, otherwise by a writer goroutine.
func (s *session) uncork() {
	o := &s.out
	o.mu.Lock()
	o.corked = false
	if len(o.frames) == 0 || o.running || o.finished || o.closing {
		// Nothing to do, or a writer already owns the connection and will find the frames.
		o.mu.Unlock()
		return
	}
	o.running = true
	if s.raw == nil || len(o.head) > 0 || queuedBytes(o.frames) > coalesceLimit {
		// TLS, or a big batch (a large step 2) that the writer sends without copying it.
		o.mu.Unlock()
		go s.writeLoop()
		return
	}
	frames := o.frames
	o.frames = nil
	o.mu.Unlock()

	rest, err := s.writeDirect(frames)

	o.mu.Lock()
	o.pending -= len(frames)
	if err == nil && len(rest) == 0 && len(o.frames) == 0 && !o.ping && !o.pongDue && !o.closing {
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

// writeDirect writes frames to the socket without blocking and returns the bytes it could not write. An
// error other than a full socket buffer comes back too, with everything unwritten.
func (s *session) writeDirect(frames [][]byte) (rest []byte, err error) {
	bp := coalesceBuffers.Get().(*[]byte)
	buf := (*bp)[:0]
	for _, f := range frames {
		buf = appendFrame(buf, websocket.BinaryMessage, f)
	}
	written := 0
	var opErr error
	write := func(fd uintptr) bool {
		for written < len(buf) {
			n, err := rawWrite(fd, buf[written:])
			if n > 0 {
				written += n
			}
			if err == syscall.EINTR {
				continue
			}
			if err != nil || n <= 0 {
				if !errors.Is(err, syscall.EAGAIN) {
					opErr = err
				}
				break
			}
		}
		return true // never wait for the socket here: the writer goroutine does that, with a deadline
	}
	ctlErr := s.raw.Write(write)
	if errors.Is(ctlErr, os.ErrDeadlineExceeded) {
		// The deadline the writer set for its last (blocking) write has passed; it means nothing to a write
		// that does not block, so clear it rather than hand every later batch to the writer.
		_ = s.conn.NetConn().SetWriteDeadline(time.Time{})
		ctlErr = s.raw.Write(write)
	}
	if ctlErr != nil && opErr == nil {
		opErr = ctlErr
	}
	if written > 0 {
		s.countWritten(0, frames)
	}
	if written < len(buf) {
		rest = append([]byte(nil), buf[written:]...)
	}
	if cap(buf) <= coalesceLimit+wsMaxHeaderLen {
		*bp = buf[:0]
		coalesceBuffers.Put(bp)
	}
	return rest, opErr
}

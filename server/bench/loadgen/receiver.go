package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/gorilla/websocket"
)

// receiver reads the fan-out's deliveries for every client in one goroutine, from an epoll set of the
// clients' sockets. A goroutine per connection reading through gorilla costs the generator two read system
// calls per frame (the frame, then the read that finds the socket empty and parks) plus a goroutine wake-up;
// with a level-triggered epoll set, a socket is read only when it has data, and one epoll_wait returns every
// socket that has. That halves the generator's system calls, so at 45,000 deliveries/s its own queueing adds
// less to the latencies it measures. The epoll descriptor itself waits in Go's netpoller, so the goroutine
// parks like any other and never holds the generator's only P in a blocking call.
type receiver struct {
	epfd    int
	file    *os.File // epfd, registered with Go's netpoller
	raw     syscall.RawConn
	clients map[int32]*receiving
	onFrame func(c *benchClient, payload []byte)
	lost    func(c *benchClient)
	done    chan struct{}
	stopped chan struct{}
}

// receiving is one client's socket and the part of a frame read so far.
type receiving struct {
	c       *benchClient
	fd      int
	partial []byte
}

// newReceiver takes over reading clients' sockets (their handshakes done) and calls onFrame with each
// received data frame's payload, lost when a connection ends. Call stop to end it.
func newReceiver(clients []*benchClient, onFrame func(c *benchClient, payload []byte), lost func(c *benchClient)) (*receiver, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("loadgen: epoll_create1: %w", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, err
	}
	file := os.NewFile(uintptr(epfd), "loadgen-epoll")
	raw, err := file.SyscallConn()
	if err != nil {
		file.Close()
		return nil, err
	}
	r := &receiver{epfd: epfd, file: file, raw: raw, clients: map[int32]*receiving{}, onFrame: onFrame, lost: lost,
		done: make(chan struct{}), stopped: make(chan struct{})}
	for _, c := range clients {
		if c.tap == nil {
			file.Close()
			return nil, errors.New("loadgen: a client without a tapped connection")
		}
		fd, err := socketFD(c.tap.Conn)
		if err != nil {
			file.Close()
			return nil, err
		}
		rc := &receiving{c: c, fd: fd}
		r.clients[int32(fd)] = rc
		// What the tap read past the handshake comes first.
		r.consume(rc, c.tap.detach())
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			file.Close()
			return nil, fmt.Errorf("loadgen: epoll_ctl: %w", err)
		}
	}
	go r.run()
	return r, nil
}

func socketFD(nc net.Conn) (int, error) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		return 0, fmt.Errorf("loadgen: %T is not a TCP connection", nc)
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return 0, err
	}
	var fd int
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return 0, err
	}
	return fd, nil
}

// stop ends the receiver; the clients' connections stay open (closeAll closes them).
func (r *receiver) stop() {
	close(r.done)
	_ = r.file.SetReadDeadline(time.Now()) // wakes run if it is parked
	<-r.stopped
	r.file.Close()
}

func (r *receiver) run() {
	defer close(r.stopped)
	events := make([]syscall.EpollEvent, 256)
	buf := make([]byte, 64<<10)
	for {
		var waitErr error
		err := r.raw.Read(func(uintptr) bool {
			for {
				select {
				case <-r.done:
					return true
				default:
				}
				n, err := epollWaitNow(r.epfd, events)
				if err != nil {
					waitErr = err
					return true
				}
				if n == 0 {
					return false // nothing ready: park until the epoll descriptor is readable again
				}
				for _, ev := range events[:n] {
					r.readSocket(r.clients[ev.Fd], buf)
				}
			}
		})
		select {
		case <-r.done:
			return
		default:
		}
		if err = errors.Join(err, waitErr); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			fmt.Fprintln(os.Stderr, "loadgen: receiver:", err)
			return
		}
	}
}

// epollWaitNow is epoll_wait with a zero timeout: it never blocks, so it need not tell the scheduler.
func epollWaitNow(epfd int, events []syscall.EpollEvent) (int, error) {
	n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		if errno == syscall.EINTR {
			return 0, nil
		}
		return 0, errno
	}
	return int(n), nil
}

// readSocket reads what one ready socket holds (one read: the set is level-triggered, so anything left
// comes back in the next epoll_wait) and hands on the frames it completes.
func (r *receiver) readSocket(rc *receiving, buf []byte) {
	if rc == nil {
		return
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(rc.fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	switch {
	case errno == syscall.EAGAIN || errno == syscall.EINTR:
		return
	case errno != 0 || n == 0:
		r.drop(rc)
		return
	}
	r.consume(rc, buf[:n])
}

func (r *receiver) drop(rc *receiving) {
	_ = syscall.EpollCtl(r.epfd, syscall.EPOLL_CTL_DEL, rc.fd, nil)
	delete(r.clients, int32(rc.fd))
	r.lost(rc.c)
}

// consume parses the server's frames (unmasked, RFC 6455 §5.2) from data, after any partial frame kept from
// earlier reads.
func (r *receiver) consume(rc *receiving, data []byte) {
	if len(rc.partial) > 0 {
		rc.partial = append(rc.partial, data...)
		data = rc.partial
	}
	for {
		opcode, payload, size, ok := parseFrame(data)
		if !ok {
			break
		}
		switch opcode {
		case websocket.BinaryMessage:
			r.onFrame(rc.c, payload)
		case websocket.PingMessage:
			_ = rc.c.conn.WriteControl(websocket.PongMessage, payload, time.Now().Add(time.Second))
		case websocket.CloseMessage:
			r.drop(rc)
			return
		}
		data = data[size:]
	}
	if len(data) == 0 {
		rc.partial = rc.partial[:0]
		return
	}
	rc.partial = append(rc.partial[:0:0], data...)
}

// parseFrame returns the first whole frame in b: its opcode, payload and size, or ok false when b holds
// only part of one. Fragmented messages are not expected from the servers under test.
func parseFrame(b []byte) (opcode int, payload []byte, size int, ok bool) {
	if len(b) < 2 {
		return 0, nil, 0, false
	}
	opcode = int(b[0] & 0x0f)
	length, header := uint64(b[1]&0x7f), 2
	switch length {
	case 126:
		if len(b) < 4 {
			return 0, nil, 0, false
		}
		length, header = uint64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return 0, nil, 0, false
		}
		length, header = binary.BigEndian.Uint64(b[2:]), 10
	}
	if uint64(len(b)-header) < length {
		return 0, nil, 0, false
	}
	size = header + int(length)
	return opcode, b[header:size], size, true
}

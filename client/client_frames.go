package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/crdt"
)

// readLoop handles the server's frames until the connection ends, and returns why it ended.
func (c *Client) readLoop(k *connection) error {
	deadline := 3 * c.cfg.pingInterval // the writer pings every interval; a silent server is a dead one
	extend := func() { _ = k.ws.SetReadDeadline(time.Now().Add(deadline)) }
	extend()
	k.ws.SetPongHandler(func(string) error { extend(); return nil })
	k.ws.SetPingHandler(func(data string) error {
		extend()
		return k.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
	})
	for {
		kind, data, err := k.ws.ReadMessage()
		if err != nil {
			return c.connectionEnd(k, err)
		}
		extend()
		if kind != websocket.BinaryMessage {
			continue
		}
		f, err := decodeFrame(data)
		if err != nil {
			return fmt.Errorf("meridian/client: from the server: %w", err)
		}
		if err := c.handleFrame(k, f); err != nil {
			return err
		}
	}
}

// connectionEnd turns a read error into the reason the connection ended.
func (c *Client) connectionEnd(k *connection, err error) error {
	var wsClose *websocket.CloseError
	if !errors.As(err, &wsClose) {
		return fmt.Errorf("meridian/client: connection lost: %w", err)
	}
	ce := &CloseError{Code: wsClose.Code, Reason: wsClose.Text}
	if ce.Reason == "" {
		ce.Reason = k.deniedReason
	}
	// A 4403 after the server let us in can only be an edit refused to a read-only token ("not granted" is
	// decided before joining).
	if ce.Code == closeForbidden && k.joined {
		return fmt.Errorf("%w (%w)", ErrReadOnly, ce)
	}
	return ce
}

func (c *Client) handleFrame(k *connection, f frame) error {
	switch f.kind {
	case msgSync:
		k.joined = true
		return c.handleSync(k, f)
	case msgAwareness:
		if err := c.aware.apply(f.payload); err != nil {
			return fmt.Errorf("meridian/client: from the server: %w", err)
		}
	case msgQueryAwareness:
		if local := c.aware.localUpdate(); local != nil {
			k.enqueue(encodeAwarenessMessage(local))
		}
	case msgAuth:
		k.deniedReason = f.reason
		c.log.Info("permission denied", "reason", f.reason)
	case msgHello:
		k.joined = true
		c.mu.Lock()
		c.updateStatusLocked(func(s *Status) { s.Region, s.Node = f.region, f.node })
		c.mu.Unlock()
	case msgAck:
		c.mu.Lock()
		c.ackedLocked(f.acked, f.regions)
		c.mu.Unlock()
	}
	return nil
}

func (c *Client) handleSync(k *connection, f frame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch f.sync {
	case syncStep1:
		sv, err := crdt.DecodeStateVector(f.payload)
		if err != nil {
			return fmt.Errorf("meridian/client: server state vector: %w", err)
		}
		// Our step 2 carries everything the server lacks, offline edits included; its ack covers them all.
		k.enqueue(encodeSync(syncStep2, c.doc.EncodeStateAsUpdate(sv)))
		c.queue.sentStep2()
	case syncStep2, syncUpdate:
		if err := c.doc.ApplyUpdateWithOrigin(f.payload, originRemote); err != nil {
			return fmt.Errorf("meridian/client: server update: %w", err)
		}
		if f.sync == syncStep2 && !k.synced {
			k.synced = true
			c.updateStatusLocked(func(s *Status) { s.State = StateSynced })
		}
	}
	return nil
}

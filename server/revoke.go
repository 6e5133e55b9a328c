package server

import (
	"context"
	"sync/atomic"
)

// Retiring a token key ends the connections that rely on it. A WebSocket is authenticated once, when it
// opens; without this, a connection admitted with a key that was then removed from the key files or the JWKS
// (perhaps because it leaked) would live on until its token expired, hours later. After every key reload
// that installs a new set, each open connection's principal is checked against the keys now in force
// (auth.Verifier.Trusts), and the ones whose key is gone are closed with 4401 and a reason: the SDKs then
// fetch a fresh token from their token source and reconnect.

var refuseKeyRetired = refusal{CloseUnauthorized, "key_retired",
	"the key that signed this token was retired; reconnect with a token signed by a current key"}

// endRetiredSessions closes every open connection whose token was verified by a key no longer in force, and
// returns how many it closed. Each room checks its own members on its goroutine, which owns them.
func (s *Server) endRetiredSessions(ctx context.Context) int {
	s.hub.mu.Lock()
	rooms := make([]*room, 0, len(s.hub.mu.rooms))
	for _, rm := range s.hub.mu.rooms {
		rooms = append(rooms, rm)
	}
	s.hub.mu.Unlock()
	var closed atomic.Int64
	for _, rm := range rooms {
		if ctx.Err() != nil {
			break
		}
		select {
		case <-rm.loaded: // a room still loading has no members yet; call would wait for the load
		default:
			continue
		}
		rm.call(func(r *room) {
			for sess := range r.members {
				if !s.verifier.Trusts(sess.principal) {
					sess.refuse(refuseKeyRetired)
					closed.Add(1)
				}
			}
		})
	}
	return int(closed.Load())
}

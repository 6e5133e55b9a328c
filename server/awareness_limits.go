package server

import (
	"errors"
	"fmt"

	"github.com/meridian-sync/meridian/server/protocol"
)

// Awareness byte limits (issue #15): one state's bytes and a document's, refused with 4413; and the snapshot a
// joining connection is sent, split into messages under the message limit.

// newAwareness makes a room's awareness table with the configured limits.
func newAwareness(l Limits) *protocol.Awareness {
	a := protocol.NewAwareness(l.MaxAwarenessStates)
	a.SetByteLimits(l.MaxAwarenessStateBytes, l.MaxAwarenessBytes)
	return a
}

// awarenessRefusal is the refusal for an error of Awareness.Apply other than the count limit, nil for none.
func (r *room) awarenessRefusal(err error) *refusal {
	l := r.srv.cfg.Limits
	switch {
	case err == nil:
		return nil
	case errors.Is(err, protocol.ErrAwarenessStateTooLarge):
		return &refusal{CloseTooLarge, "awareness_state_too_large",
			fmt.Sprintf("awareness state too large (limit %d bytes per client)", l.MaxAwarenessStateBytes)}
	case errors.Is(err, protocol.ErrAwarenessBytesFull):
		return &refusal{CloseTooLarge, "awareness_bytes_limit",
			fmt.Sprintf("awareness of this document too large (limit %d bytes)", l.MaxAwarenessBytes)}
	}
	return &refuseMalformed
}

// sendAwarenessSnapshot sends s every live state, in as many messages as the message limit requires.
func (r *room) sendAwarenessSnapshot(s *session) {
	for _, msg := range protocol.EncodeAwarenessMessages(r.awareness.States(), r.srv.cfg.Limits.MaxMessageBytes) {
		r.send(s, msg)
	}
}

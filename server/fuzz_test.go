package server

import (
	"context"
	"testing"

	"github.com/meridian-sync/meridian/server/protocol"
)

// FuzzRoomIngest feeds arbitrary updates to a loaded document, as a writer and as a read-only client:
// the room must answer with a refusal or a stored change, never crash, and keep serving afterwards.
func FuzzRoomIngest(f *testing.F) {
	for _, seed := range [][]byte{
		{1, 1, 1, 0, 4, 1, 1, 't', 5, 'h', 'e', 'l', 'l', 'o', 0},
		{0, 0}, {0, 1, 1, 1, 0, 1}, {1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0},
	} {
		f.Add(seed, false)
	}
	ts := startServer(f, "", nil)
	f.Fuzz(func(t *testing.T, update []byte, readOnly bool) {
		r, err := ts.srv.hub.acquire(context.Background(), "fuzz", false)
		if err != nil {
			t.Fatalf("document no longer loads: %v", err)
		}
		defer ts.srv.hub.release(r, false)
		r.call(func(r *room) {
			writes, _ := r.ingest(update, !readOnly)
			r.afterWrites(writes, func(error) {})
			_ = protocol.EncodeSyncStep2(r.doc.EncodeStateAsUpdate(nil))
		})
		if r.broken {
			t.Fatalf("the CRDT engine panicked on update % x (a crdt bug; the server survived it)", update)
		}
	})
}

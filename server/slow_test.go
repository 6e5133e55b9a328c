package server

import (
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/server/protocol"
)

// TestSlowClientIsCutOff: a client that stops reading is disconnected once its bounded queue fills, instead
// of the server buffering for it without end, and the writer keeps being served.
func TestSlowClientIsCutOff(t *testing.T) {
	ts := startServer(t, "", func(c *Config) {
		c.Limits.SendQueue = 8
		c.Limits.WriteTimeout = 3 * time.Second
	})
	tok := "token=" + token(t, "write", false, false, "s")
	slow := ts.connect("s", tok)
	slow.handshake() // ...and never reads again
	writer := ts.connect("s", tok)
	writer.handshake()
	big := strings.Repeat("x", 64<<10) // fill the socket buffers quickly
	for i := range 200 {
		writer.send(protocol.EncodeSyncUpdate(textUpdate(t, uint64(1000+i), big)))
		writer.expect("echo", isSync(protocol.SyncUpdate))
		if i%5 != 4 {
			continue
		}
		_, b := ts.request("GET", "/metrics", "", nil)
		if strings.Contains(string(b), `meridian_refusals_total{reason="slow_client"}`) {
			return
		}
	}
	t.Fatal("the slow client was never cut off")
}

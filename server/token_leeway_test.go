package server

import (
	"testing"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
)

// A token past its exp but inside the leeway is admitted and keeps its connection until exp plus the leeway,
// when the verifier would refuse it too: not admitted and then closed the same instant.
func TestTokenInsideTheLeewayIsHonouredUntilItEnds(t *testing.T) {
	const leeway = 2 * time.Second
	ts := startServer(t, "", func(c *Config) { c.JWTLeeway = leeway })
	exp := time.Now().Add(-500 * time.Millisecond).Truncate(time.Second) // a JWT's exp has whole seconds
	tok, err := auth.Mint([]byte(testSecret), auth.MintRequest{Grants: []auth.Grant{{Pattern: "d", Perm: "write"}},
		Now: exp.Add(-time.Minute), TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	c := ts.connect("d", "token="+tok)
	c.handshake() // admitted, and still open for the handshake
	c.expectClose(CloseUnauthorized)
	if closed, want := time.Now(), exp.Add(leeway); closed.Before(want.Add(-100 * time.Millisecond)) {
		t.Fatalf("closed at exp%+v, before exp+leeway (%v)", closed.Sub(exp).Round(time.Millisecond), leeway)
	}
}

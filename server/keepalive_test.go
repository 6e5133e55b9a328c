package server

import (
	"strings"
	"testing"
	"time"
)

// TestUnresponsiveClientIsDropped: a client that never answers pings (it never reads, so its library never
// sends a pong) is disconnected after two ping intervals, and the connection gauge returns to zero.
func TestUnresponsiveClientIsDropped(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Limits.PingInterval = 100 * time.Millisecond })
	ts.connect("k", "token="+token(t, "write", false, false, "k")) // never reads
	gauge := func() string {
		_, b := ts.request("GET", "/metrics", "", nil)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "meridian_connections ") {
				return strings.TrimPrefix(line, "meridian_connections ")
			}
		}
		return ""
	}
	deadline := time.Now().Add(3 * time.Second)
	for gauge() != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("connection never counted: %s", gauge())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for gauge() != "0" {
		if time.Now().After(deadline) {
			t.Fatal("a client that never answers pings is still connected")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

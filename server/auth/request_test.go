package auth

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTokenFromRequest(t *testing.T) {
	r := httptest.NewRequest("GET", "/ws/doc?token=abc", nil)
	if tok, err := TokenFromRequest(r); tok != "abc" || err != nil {
		t.Fatalf("query: %q %v", tok, err)
	}
	r = httptest.NewRequest("GET", "/ws/doc", nil)
	r.Header.Set("Authorization", "Bearer xyz")
	if tok, err := TokenFromRequest(r); tok != "xyz" || err != nil {
		t.Fatalf("bearer: %q %v", tok, err)
	}
	r = httptest.NewRequest("GET", "/ws/doc", nil)
	r.Header.Set("Sec-WebSocket-Protocol", Subprotocol+", "+SubprotocolPrefix+"sub.tok.en")
	if tok, err := TokenFromRequest(r); tok != "sub.tok.en" || err != nil {
		t.Fatalf("subprotocol: %q %v", tok, err)
	}
	r = httptest.NewRequest("GET", "/ws/doc?token=one", nil)
	r.Header.Set("Authorization", "Bearer two")
	if _, err := TokenFromRequest(r); !errors.Is(err, ErrAmbiguousToken) {
		t.Fatalf("two tokens: %v", err)
	}
	r = httptest.NewRequest("GET", "/ws/doc", nil)
	r.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	if _, err := TokenFromRequest(r); err == nil {
		t.Fatal("basic auth accepted as a token")
	}
	r = httptest.NewRequest("GET", "/ws/doc", nil)
	if tok, err := TokenFromRequest(r); tok != "" || err != nil {
		t.Fatalf("none: %q %v", tok, err)
	}
}

func TestRedactingHandlerHidesTokens(t *testing.T) {
	tok, err := Mint(testSecret, MintRequest{Grants: []Grant{{Pattern: "*", Perm: PermRead}}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	log := slog.New(NewRedactingHandler(slog.NewTextHandler(&buf, nil)))
	log = log.With("header", "Bearer "+tok)
	log.Info("upgrade /ws/doc?token="+tok, "url", "/ws/doc?a=1&token=opaque-secret&b=2",
		slog.Group("req", "auth", tok), "err", errors.New("bad "+tok))
	out := buf.String()
	if strings.Contains(out, tok) || strings.Contains(out, "opaque-secret") {
		t.Fatalf("token leaked into the log: %s", out)
	}
	if strings.Count(out, "[REDACTED]") != 5 || !strings.Contains(out, "b=2") {
		t.Fatalf("unexpected redaction: %s", out)
	}
}

func TestMintRoundTrip(t *testing.T) {
	tok, err := Mint(testSecret, MintRequest{Subject: "bob", Audience: "meridian", Issuer: "test-issuer",
		Grants: []Grant{{Pattern: "a/*", Perm: PermRead, Presence: true}}, TTL: time.Hour, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	p, err := hsVerifier(t).Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Access("a/1"); a != (Access{Read: true, Presence: true}) || p.Subject != "bob" {
		t.Fatalf("minted token grants %+v to %q", a, p.Subject)
	}
	if _, err := Mint(testSecret, MintRequest{TTL: time.Hour}); err == nil {
		t.Fatal("token granting nothing minted")
	}
	if _, err := Mint(testSecret, MintRequest{Grants: []Grant{{Pattern: "x", Perm: "admin"}}, TTL: time.Hour}); err == nil {
		t.Fatal("unknown perm minted")
	}
}

package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Perm values of a grant.
const (
	PermRead  = "read"
	PermWrite = "write"
)

// Grant gives access to the documents matched by Pattern: an exact id, or a prefix followed by `*`
// (`team/*` matches every id starting with `team/`; `*` alone matches every document).
type Grant struct {
	Pattern  string `json:"pattern"`
	Perm     string `json:"perm"`
	Presence bool   `json:"presence,omitempty"`
}

// Matches reports whether the grant covers docID.
func (g Grant) Matches(docID string) bool {
	if prefix, ok := strings.CutSuffix(g.Pattern, "*"); ok {
		return strings.HasPrefix(docID, prefix)
	}
	return g.Pattern == docID
}

func (g Grant) validate() error {
	if g.Pattern == "" {
		return fmt.Errorf("meridian/auth: grant with an empty pattern")
	}
	if g.Perm != PermRead && g.Perm != PermWrite {
		return fmt.Errorf("meridian/auth: grant %q has perm %q, want %q or %q", g.Pattern, g.Perm, PermRead, PermWrite)
	}
	return nil
}

// Claims is the payload of a Meridian token.
type Claims struct {
	jwt.RegisteredClaims
	Docs  []Grant `json:"docs,omitempty"`
	Admin bool    `json:"admin,omitempty"`
}

// Access is what a principal may do with one document.
type Access struct {
	Read     bool
	Write    bool
	Presence bool // may publish awareness (cursors, names)
}

// Principal is a verified caller.
type Principal struct {
	Subject   string
	Grants    []Grant
	Admin     bool
	ExpiresAt time.Time // the token's exp; zero: never (only anonymous development principals)
	Anonymous bool
	KeyID     string // the `kid` the token named, "" if none

	verifiedBy *keyRef       // the key that verified the token (Verifier.Trusts); nil: none
	leeway     time.Duration // the clock skew the verifier allowed past ExpiresAt
}

// ValidUntil is when the principal stops being valid: its token's exp plus the verifier's leeway, the same
// instant the verifier starts refusing the token, so a connection admitted inside the leeway is not closed
// the moment it opens but when a new connection with the same token would be refused. Zero: never.
func (p *Principal) ValidUntil() time.Time {
	if p.ExpiresAt.IsZero() {
		return time.Time{}
	}
	return p.ExpiresAt.Add(p.leeway)
}

// Access combines every grant matching docID: the most permissive wins, and write implies read and presence.
func (p *Principal) Access(docID string) Access {
	var a Access
	for _, g := range p.Grants {
		if !g.Matches(docID) {
			continue
		}
		a.Read = true
		a.Presence = a.Presence || g.Presence || g.Perm == PermWrite
		a.Write = a.Write || g.Perm == PermWrite
	}
	return a
}

// AnonymousDeveloper is the principal of a request without a token when the server runs with --dev.
func AnonymousDeveloper() *Principal {
	return &Principal{Subject: "anonymous", Anonymous: true, Admin: true,
		Grants: []Grant{{Pattern: "*", Perm: PermWrite, Presence: true}}}
}

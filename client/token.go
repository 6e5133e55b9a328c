package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// TokenSource returns the token to connect with. The client calls it before every connection attempt, again
// shortly before the current token expires (to reconnect with a fresh one), and again after the server
// refused an expired token. It should return promptly and honour ctx.
type TokenSource func(ctx context.Context) (string, error)

// tokenExpiry reads the exp claim of a JWT without verifying it (only the server can): the client only uses it
// to schedule a refresh. ok is false for a token that is not a JWT or has no exp.
func tokenExpiry(token string) (exp time.Time, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	sec := int64(*claims.Exp)
	return time.Unix(sec, 0), true
}

// refreshDelay is how long a connection made with a token expiring at exp may last before the client reconnects
// with a fresh one: lead before expiry, or half the remaining lifetime when that is shorter, so that a short
// token still gets a refresh in time.
func refreshDelay(now, exp time.Time, lead time.Duration) time.Duration {
	left := exp.Sub(now)
	return max(0, left-min(lead, left/2))
}

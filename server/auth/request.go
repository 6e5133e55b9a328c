package auth

import (
	"errors"
	"net/http"
	"strings"
)

// Subprotocol is the WebSocket subprotocol Meridian selects. Browsers cannot set headers on a WebSocket, so
// they pass the token as a second offered subprotocol "bearer.<token>"; the server answers with Subprotocol
// (never echoing the token back).
const (
	Subprotocol       = "meridian.v1"
	SubprotocolPrefix = "bearer."
)

// ErrAmbiguousToken is returned when a request carries different tokens in different places.
var ErrAmbiguousToken = errors.New("meridian/auth: the request carries more than one different token")

// TokenFromRequest finds the token in `?token=`, `Authorization: Bearer`, or a `bearer.` subprotocol.
// An empty string and nil error means no token was given.
func TokenFromRequest(r *http.Request) (string, error) {
	var found []string
	if t := r.URL.Query().Get("token"); t != "" {
		found = append(found, t)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", errors.New("meridian/auth: the Authorization header must be `Bearer <token>`")
		}
		found = append(found, strings.TrimSpace(t))
	}
	for _, proto := range websocketProtocols(r) {
		if t, ok := strings.CutPrefix(proto, SubprotocolPrefix); ok {
			found = append(found, t)
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	for _, t := range found[1:] {
		if t != found[0] {
			return "", ErrAmbiguousToken
		}
	}
	return found[0], nil
}

func websocketProtocols(r *http.Request) []string {
	var out []string
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for p := range strings.SplitSeq(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

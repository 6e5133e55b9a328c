package client

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by the methods of a closed Client.
	ErrClosed = errors.New("meridian/client: closed")
	// ErrReadOnly means the server refused a local edit because the token grants read access only. The edits
	// stay in the local document and in Pending: they are not silently dropped.
	ErrReadOnly = errors.New("meridian/client: read-only access: the server refused local edits")
	// ErrUnauthorized means the token is missing, invalid or expired and no token source can renew it.
	ErrUnauthorized = errors.New("meridian/client: unauthorized")
	// ErrForbidden means the token does not grant this document.
	ErrForbidden = errors.New("meridian/client: document not granted by the token")
)

// Close codes of server/PROTOCOL.md that the client treats specially (every 44xx code is permanent).
const (
	closeUnauthorized = 4401
	closeForbidden    = 4403
)

// CloseError is a connection the server closed with a code and a reason. Codes 4400–4499 are permanent
// (retrying cannot help), others are transient.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("meridian/client: server closed the connection (%d)", e.Code)
	}
	return fmt.Sprintf("meridian/client: server closed the connection (%d): %s", e.Code, e.Reason)
}

// Permanent reports whether reconnecting with the same token cannot help.
func (e *CloseError) Permanent() bool { return e.Code >= 4400 && e.Code <= 4499 }

// Unwrap maps the permission codes to the package's sentinels, for errors.Is.
func (e *CloseError) Unwrap() error {
	switch e.Code {
	case closeUnauthorized:
		return ErrUnauthorized
	case closeForbidden:
		return ErrForbidden
	}
	return nil
}

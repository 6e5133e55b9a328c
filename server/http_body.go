package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readUpdate reads the body of POST /v1/docs/{id}/update, at most --max-message-bytes of it, streaming: a
// declared Content-Length over the limit is refused before a byte is read, and an undeclared (chunked) body is
// cut as soon as it passes the limit, so a request never holds more than the limit in memory. On failure it
// has answered (413 for size, 400 for a body that did not arrive) and the connection closes.
func (s *Server) readUpdate(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := int64(s.cfg.Limits.MaxMessageBytes)
	if r.ContentLength > limit {
		s.refuseTooLarge(w, fmt.Sprintf("update of %d bytes is larger than the message size limit of %d bytes; nothing was read or stored", r.ContentLength, limit))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.refuseTooLarge(w, fmt.Sprintf("update larger than the message size limit of %d bytes; nothing was stored", limit))
		return nil, false
	case err != nil:
		// Most often the read timeout (--http-read-timeout) of a body sent too slowly; the client may not
		// see this answer, but the connection is closed either way.
		writeError(w, http.StatusBadRequest, "the body did not arrive in full; nothing was stored")
		return nil, false
	}
	return body, true
}

func (s *Server) refuseTooLarge(w http.ResponseWriter, msg string) {
	s.metrics.refusals.WithLabelValues("message_too_large").Inc()
	w.Header().Set("Connection", "close")
	writeError(w, http.StatusRequestEntityTooLarge, msg)
}

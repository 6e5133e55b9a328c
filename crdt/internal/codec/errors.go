package codec

import (
	"errors"
	"fmt"
)

// ErrInvalidField reports a field whose value is outside its valid range (a
// negative clock, a type ref above 255, a delete-set clock beyond 2^53...).
// Truncation and encoding errors are lib0 sentinels (lib0.ErrUnexpectedEOF,
// ...), wrapped with the field being read; test them with errors.Is.
var ErrInvalidField = errors.New("meridian/codec: invalid field value")

// maxClock is the largest clock or client JS can represent exactly (2^53).
const maxClock = 1 << 53

// fieldError names the field (and v2 column) where decoding failed.
func fieldError(field string, err error) error {
	return fmt.Errorf("meridian/codec: reading %s: %w", field, err)
}

func invalidField(field string, detail string) error {
	return fmt.Errorf("%w: %s %s", ErrInvalidField, field, detail)
}

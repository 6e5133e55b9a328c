// Package lib0 is the public part of Meridian's lib0 codec: the variable-length primitives that
// framing code outside the engine needs (y-protocols messages, awareness updates, stored
// records), written and read exactly as the engine does, so the server has one implementation
// of them rather than its own copies.
//
// The functions work on byte slices, in the style of encoding/binary: Append* adds a value to a
// slice and returns it, Read* decodes one value from the start of a slice and says how many
// bytes it took.
//
//	b := lib0.AppendVarUint(nil, 0)           // y-protocols: messageSync
//	b = lib0.AppendVarString(b, "hello")      // varUint(UTF-8 length) + bytes
//	b = lib0.AppendVarBytes(b, update)        // varUint(length) + bytes
//
//	kind, n, err := lib0.ReadVarUint(b)       // 0, 1, nil
//	text, m, err := lib0.ReadVarString(b[n:]) // "hello", 6, nil
//	data, _, err := lib0.ReadVarBytes(b[n+m:])
//
// Reading treats its input as hostile and never panics. A varUint is at most 8 bytes and at
// most 2^53, the range lib0 (which counts in IEEE doubles) can produce; a length longer than
// the rest of the input is refused before anything is allocated; a string must be valid UTF-8,
// as lib0's fatal TextDecoder demands. Errors wrap ErrUnexpectedEOF, ErrOverflow, ErrTooLarge
// or ErrInvalidUTF8 (test with errors.Is) and give the offset within the slice passed in.
//
// Writing mirrors lib0 too: AppendVarString replaces invalid UTF-8 with U+FFFD, as a JS
// TextEncoder does with lone surrogates, so what it writes always reads back.
package lib0

// Package codec reads and writes the fields of Yjs updates in both wire
// formats, v1 and v2, exactly as Yjs 13.6's UpdateEncoderV1/V2 and
// UpdateDecoderV1/V2 do.
//
// The struct-level logic (which fields an Item has, in which order, when the
// parent is written) lives in the caller. It drives one UpdateEncoder with the
// same sequence of calls whatever the format, and the encoder routes each
// field: v1 appends everything to one lib0 stream; v2 sends clients, clocks,
// info bytes, strings, parent infos, type refs, lengths and key clocks to nine
// run-length-coded columns and everything else to the "rest" stream. Block
// headers and counts go to Rest() directly in both formats.
//
// Writing an update (what Yjs's writeStructs and Item.write do):
//
//	enc := codec.NewEncoderV1() // or NewEncoderV2()
//	enc.Rest().WriteVarUint(1)  // number of client blocks
//	enc.Rest().WriteVarUint(1)  // structs in this block
//	enc.WriteClient(1)
//	enc.Rest().WriteVarUint(0)  // first clock
//	enc.WriteInfo(0x04)         // Item holding a ContentString
//	enc.WriteParentInfo(true)   // parent is a root type ...
//	enc.WriteString("t")        // ... named "t"
//	enc.WriteString("hello")    // the content
//	enc.Rest().WriteVarUint(0)  // delete set with no clients
//	update := enc.Bytes()
//
// Code that encodes often lets the package manage encoders: EncodeV2(write) runs
// write against a pooled v2 encoder whose ten column buffers survive from one
// update to the next, and NewEncoderV1Size(n) starts a v1 buffer at the size the
// caller expects (a v1 update is the encoder's own buffer, so it cannot be pooled).
//
// Reading mirrors it: NewDecoderV1(update) or NewDecoderV2(update) (which
// parses the feature flag and the column headers up front and can fail), then
// the Read methods in the same order. Every read returns an error on truncated
// or malformed input, never panics, and never returns data aliasing the
// input. Sentinels from lib0 (lib0.ErrUnexpectedEOF, ...) and ErrInvalidField
// are matched with errors.Is.
//
// Format details handled here:
//   - v2 delete-set clocks are relative to the end of the previous range of the
//     same client (ResetDsCurVal starts a client) and lengths are stored minus
//     one, so a zero-length range cannot be written (the encoder panics, as
//     Yjs throws);
//   - v2 keys (format keys, XML node and hook names): the encoder gives every
//     key a fresh key clock and writes its text, never reusing the cache, as
//     Yjs 13.6 does; the decoder honours repeated clocks all the same;
//   - JSON fields (embeds, format values) are JSON.stringify text in v1 and
//     lib0 any values in v2;
//   - the v2 info and parentInfo columns repeat their last value forever when
//     read past their end (Yjs's RleDecoder), while the other columns report
//     an error.
//
// Only v1 is used on the y-websocket wire; it is the server's hot path, so
// the v1 types add nothing per field beyond the lib0 primitive.
package codec

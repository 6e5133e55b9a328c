package lib0

// Column encoders are reused between updates (the v2 update encoder keeps them in a pool) and
// written straight into the update they belong to. Bytes() copies a column out, which is right
// for one-off use; an encoder that assembles many columns into one output calls WriteColumnTo,
// which appends varUint(length) and the column with no intermediate slice, then Reset.

// Reset empties the column but keeps its buffer for the next update.
func (e *UintOptRleEncoder) Reset() { *e = UintOptRleEncoder{out: Encoder{buf: e.out.buf[:0]}} }

// Reset empties the column but keeps its buffer for the next update.
func (e *IntDiffOptRleEncoder) Reset() {
	*e = IntDiffOptRleEncoder{out: Encoder{buf: e.out.buf[:0]}}
}

// Reset empties the column but keeps its buffer for the next update.
func (e *RleUint8Encoder) Reset() { *e = RleUint8Encoder{out: Encoder{buf: e.out.buf[:0]}} }

// Reset empties the column but keeps its buffers for the next update.
func (e *StringEncoder) Reset() {
	e.joined = e.joined[:0]
	e.lens.Reset()
}

// Cap is the capacity the column holds on to, which decides whether it is worth keeping.
func (e *UintOptRleEncoder) Cap() int { return cap(e.out.buf) }

// Cap is the capacity the column holds on to, which decides whether it is worth keeping.
func (e *IntDiffOptRleEncoder) Cap() int { return cap(e.out.buf) }

// Cap is the capacity the column holds on to, which decides whether it is worth keeping.
func (e *RleUint8Encoder) Cap() int { return cap(e.out.buf) }

// Cap is the capacity the column holds on to, which decides whether it is worth keeping.
func (e *StringEncoder) Cap() int { return cap(e.joined) + e.lens.Cap() }

// Cap is the capacity the encoder holds on to.
func (e *Encoder) Cap() int { return cap(e.buf) }

// WriteColumnTo appends the column as a varUint8Array (the bytes Bytes would return, with their
// length in front) to dst. The pending run is flushed onto the column's own buffer and taken off
// again, so writing may continue afterwards as if nothing happened.
func (e *UintOptRleEncoder) WriteColumnTo(dst *Encoder) {
	n := e.out.Len()
	e.flush(&e.out)
	dst.WriteVarBytes(e.out.buf)
	e.out.buf = e.out.buf[:n]
}

// WriteColumnTo is UintOptRleEncoder.WriteColumnTo for this column.
func (e *IntDiffOptRleEncoder) WriteColumnTo(dst *Encoder) {
	n := e.out.Len()
	e.flush(&e.out)
	dst.WriteVarBytes(e.out.buf)
	e.out.buf = e.out.buf[:n]
}

// WriteColumnTo is UintOptRleEncoder.WriteColumnTo for this column (which has no pending run).
func (e *RleUint8Encoder) WriteColumnTo(dst *Encoder) { dst.WriteVarBytes(e.out.buf) }

// WriteColumnTo is UintOptRleEncoder.WriteColumnTo for the string column: the length prefix
// covers the joined text (itself a varString) and the column of lengths after it.
func (e *StringEncoder) WriteColumnTo(dst *Encoder) {
	lens := &e.lens.out
	n := lens.Len()
	e.lens.flush(lens)
	dst.WriteVarUint(uint64(VarUintLen(uint64(len(e.joined))) + len(e.joined) + lens.Len()))
	dst.WriteVarBytes(e.joined) // a varString: joined is valid UTF-8
	dst.WriteRaw(lens.buf)
	lens.buf = lens.buf[:n]
}

// VarUintLen is the number of bytes WriteVarUint takes for v.
func VarUintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// Len is the number of bytes the column holds, not counting its pending run.
func (e *UintOptRleEncoder) Len() int { return e.out.Len() }

// Len is the number of bytes the column holds, not counting its pending run.
func (e *IntDiffOptRleEncoder) Len() int { return e.out.Len() }

// Len is the number of bytes the column holds.
func (e *RleUint8Encoder) Len() int { return e.out.Len() }

// Len is the number of bytes the column holds, not counting its pending run.
func (e *StringEncoder) Len() int { return len(e.joined) + e.lens.Len() }

package lib0

// UintOptRleEncoder is lib0's UintOptRleEncoder (v2 client, typeRef and len
// columns, and the string lengths of StringEncoder). A value occurring once is
// written as varInt(v); a run of n >= 2 as varInt(-v) followed by varUint(n-2).
// The sign carries the "count follows" flag, which is why a run of zeros is
// written with negative zero (0x40). Unlike the plain RLE, the last run is
// written completely. The zero value is ready to use.
type UintOptRleEncoder struct {
	out   Encoder
	value uint64
	count uint64
}

// Write appends one value to the stream.
func (e *UintOptRleEncoder) Write(v uint64) {
	if e.count > 0 && v == e.value {
		e.count++
		return
	}
	e.flush(&e.out)
	e.value, e.count = v, 1
}

func (e *UintOptRleEncoder) flush(out *Encoder) {
	switch {
	case e.count == 1:
		out.WriteVarIntSigned(false, e.value)
	case e.count > 1:
		out.WriteVarIntSigned(true, e.value)
		out.WriteVarUint(e.count - 2)
	}
}

// Bytes returns the complete stream so far (including the pending run) as a new
// slice. Writing may continue afterwards.
func (e *UintOptRleEncoder) Bytes() []byte {
	out := Encoder{buf: append(make([]byte, 0, e.out.Len()+12), e.out.Bytes()...)}
	e.flush(&out)
	return out.Bytes()
}

// UintOptRleDecoder reads a UintOptRleEncoder stream. Reading past the end of
// the stream is an error: the encoder always writes its last run completely.
type UintOptRleDecoder struct {
	in        *Decoder
	value     uint64
	remaining uint64
}

// NewUintOptRleDecoder reads the stream b (not copied).
func NewUintOptRleDecoder(b []byte) *UintOptRleDecoder { return &UintOptRleDecoder{in: NewDecoder(b)} }

// Read returns the next value.
func (d *UintOptRleDecoder) Read() (uint64, error) {
	if d.remaining == 0 {
		neg, v, err := d.in.ReadVarIntSigned()
		if err != nil {
			return 0, err
		}
		d.value, d.remaining = v, 1
		if neg {
			n, err := d.in.ReadVarUint()
			if err != nil {
				return 0, err
			}
			d.remaining = n + 2
		}
	}
	d.remaining--
	return d.value, nil
}

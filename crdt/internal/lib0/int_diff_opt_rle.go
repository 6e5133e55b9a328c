package lib0

// IntDiffOptRleEncoder is lib0's IntDiffOptRleEncoder (v2 keyClock, leftClock
// and rightClock columns). It encodes the difference d between each value and
// the previous one (starting from 0); a run of n equal differences is written as
// varInt(2d + (n>1 ? 1 : 0)), followed by varUint(n-2) when n > 1. The zero
// value is ready to use.
type IntDiffOptRleEncoder struct {
	out   Encoder
	prev  int64
	diff  int64
	count uint64
}

// Write appends one value to the stream.
func (e *IntDiffOptRleEncoder) Write(v int64) {
	d := v - e.prev
	e.prev = v
	if e.count > 0 && d == e.diff {
		e.count++
		return
	}
	e.flush(&e.out)
	e.diff, e.count = d, 1
}

func (e *IntDiffOptRleEncoder) flush(out *Encoder) {
	if e.count == 0 {
		return
	}
	encoded := e.diff * 2
	if e.count > 1 {
		encoded++
	}
	out.WriteVarInt(encoded)
	if e.count > 1 {
		out.WriteVarUint(e.count - 2)
	}
}

// Bytes returns the complete stream so far (including the pending run) as a new
// slice. Writing may continue afterwards.
func (e *IntDiffOptRleEncoder) Bytes() []byte {
	out := Encoder{buf: append(make([]byte, 0, e.out.Len()+12), e.out.Bytes()...)}
	e.flush(&out)
	return out.Bytes()
}

// IntDiffOptRleDecoder reads an IntDiffOptRleEncoder stream. Reading past the
// end is an error, and so is a running value whose magnitude leaves the ±2^53
// range JS numbers can represent exactly.
type IntDiffOptRleDecoder struct {
	in        *Decoder
	value     int64
	diff      int64
	remaining uint64
}

// NewIntDiffOptRleDecoder reads the stream b (not copied).
func NewIntDiffOptRleDecoder(b []byte) *IntDiffOptRleDecoder {
	return &IntDiffOptRleDecoder{in: NewDecoder(b)}
}

// Read returns the next value.
func (d *IntDiffOptRleDecoder) Read() (int64, error) {
	if d.remaining == 0 {
		x, err := d.in.ReadVarInt()
		if err != nil {
			return 0, err
		}
		// The low bit (of the two's complement) flags a count; the rest is the
		// difference, recovered with an arithmetic shift (floor division by 2).
		d.diff, d.remaining = x>>1, 1
		if x&1 != 0 {
			n, err := d.in.ReadVarUint()
			if err != nil {
				return 0, err
			}
			d.remaining = n + 2
		}
	}
	next := d.value + d.diff
	if next > maxDecodable || next < -maxDecodable {
		return 0, errAt(ErrOverflow, d.in.Pos())
	}
	d.value = next
	d.remaining--
	return next, nil
}

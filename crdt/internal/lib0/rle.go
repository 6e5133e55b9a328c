package lib0

// RleUint8Encoder is lib0's plain RleEncoder over bytes (used by the v2 info and
// parentInfo columns): each run is the value byte followed by varUint(count-1),
// except the last run, whose count is omitted because its decoder repeats the
// final value forever. The zero value is ready to use.
type RleUint8Encoder struct {
	out   Encoder
	last  byte
	count uint64
}

// Write appends one value to the stream.
func (e *RleUint8Encoder) Write(v byte) {
	if e.count > 0 && v == e.last {
		e.count++
		return
	}
	if e.count > 0 {
		e.out.WriteVarUint(e.count - 1)
	}
	e.out.WriteUint8(v)
	e.last, e.count = v, 1
}

// Bytes returns a copy of the stream so far. Writing may continue afterwards.
func (e *RleUint8Encoder) Bytes() []byte { return append([]byte{}, e.out.Bytes()...) }

// RleUint8Decoder reads a RleUint8Encoder stream. After the final run it keeps
// returning the last value; reading an empty stream is an error.
type RleUint8Decoder struct {
	in        *Decoder
	value     byte
	remaining uint64 // values left in the current run
	forever   bool   // the current run is the last one
}

// NewRleUint8Decoder reads the stream b (not copied).
func NewRleUint8Decoder(b []byte) *RleUint8Decoder { return &RleUint8Decoder{in: NewDecoder(b)} }

// Read returns the next value.
func (d *RleUint8Decoder) Read() (byte, error) {
	if d.forever {
		return d.value, nil
	}
	if d.remaining == 0 {
		v, err := d.in.ReadUint8()
		if err != nil {
			return 0, err
		}
		d.value = v
		if d.in.Remaining() == 0 {
			d.forever = true
			return v, nil
		}
		n, err := d.in.ReadVarUint()
		if err != nil {
			return 0, err
		}
		d.remaining = n + 1
	}
	d.remaining--
	return d.value, nil
}

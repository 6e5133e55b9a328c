package lib0

// maxVarBytes is the longest variable-length integer accepted: 8 bytes carry
// 2^53 (the largest value lib0 can produce) for both varUint (7+7·7 = 56 bits)
// and varInt (6+7·7 = 55 bits). Longer sequences are rejected even when they
// only pad with zero groups, as the protocol spec asks.
const maxVarBytes = 8

// ReadVarUint reads an unsigned LEB128 integer of at most 8 bytes whose value is
// at most 2^53.
func (d *Decoder) ReadVarUint() (uint64, error) {
	// Fast path: most counts, clocks and lengths fit in one byte.
	if d.pos < len(d.buf) && d.buf[d.pos] < 0x80 {
		v := d.buf[d.pos]
		d.pos++
		return uint64(v), nil
	}
	start := d.pos
	var v uint64
	for i := 0; i < maxVarBytes; i++ {
		if d.pos >= len(d.buf) {
			return 0, errAt(ErrUnexpectedEOF, d.pos)
		}
		b := d.buf[d.pos]
		d.pos++
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			if v > maxDecodable {
				return 0, errAt(ErrOverflow, start)
			}
			return v, nil
		}
	}
	return 0, errAt(ErrOverflow, start)
}

// ReadVarIntSigned reads a lib0 varInt as its sign and magnitude, so that
// negative zero (0x40) stays distinguishable from zero. The magnitude is at
// most 2^53 and the encoding at most 8 bytes.
func (d *Decoder) ReadVarIntSigned() (negative bool, magnitude uint64, err error) {
	start := d.pos
	if d.pos >= len(d.buf) {
		return false, 0, errAt(ErrUnexpectedEOF, d.pos)
	}
	b := d.buf[d.pos]
	d.pos++
	negative = b&0x40 != 0
	magnitude = uint64(b & 0x3f)
	shift := uint(6)
	for i := 1; b >= 0x80; i++ {
		if i >= maxVarBytes {
			return false, 0, errAt(ErrOverflow, start)
		}
		if d.pos >= len(d.buf) {
			return false, 0, errAt(ErrUnexpectedEOF, d.pos)
		}
		b = d.buf[d.pos]
		d.pos++
		magnitude |= uint64(b&0x7f) << shift
		shift += 7
	}
	if magnitude > maxDecodable {
		return false, 0, errAt(ErrOverflow, start)
	}
	return negative, magnitude, nil
}

// ReadVarInt reads a lib0 varInt. Negative zero reads as 0; use
// ReadVarIntSigned where the sign of zero matters.
func (d *Decoder) ReadVarInt() (int64, error) {
	neg, mag, err := d.ReadVarIntSigned()
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(mag), nil
	}
	return int64(mag), nil
}

package lib0

import (
	"fmt"
	"math"
)

// Tags of the lib0 "any" encoding. They count down from 127; lower values are
// reserved for applications and never appear in Yjs data.
const (
	tagUndefined = 127
	tagNull      = 126
	tagInteger   = 125
	tagFloat32   = 124
	tagFloat64   = 123
	tagBigInt    = 122
	tagFalse     = 121
	tagTrue      = 120
	tagString    = 119
	tagObject    = 118
	tagArray     = 117
	tagBytes     = 116
)

type undefinedType struct{}

func (undefinedType) String() string { return "undefined" }

// Undefined is the Any model of JavaScript's undefined (nil models null).
var Undefined any = undefinedType{}

// IsUndefined reports whether v is Undefined.
func IsUndefined(v any) bool {
	_, ok := v.(undefinedType)
	return ok
}

// BigInt is the Any model of a JavaScript bigint; lib0 stores it as 64-bit
// two's complement (tag 122).
type BigInt int64

// largestVarIntInAny is the bound of lib0's "integer" test in writeAny: only
// integers with |v| <= 2^31-1 use tag 125.
const largestVarIntInAny = math.MaxInt32

// WriteAny appends v in lib0's any encoding. v must be canonical (see
// NormalizeAny); anything else is a programmer error and panics. Numbers follow
// writeAny exactly: integral values with |v| <= 2^31-1 use a varInt (float64
// negative zero becomes 7d 40), values exact in float32 use tag 124, the rest
// tag 123.
func (e *Encoder) WriteAny(v any) {
	switch v := v.(type) {
	case nil:
		e.WriteUint8(tagNull)
	case undefinedType:
		e.WriteUint8(tagUndefined)
	case bool:
		if v {
			e.WriteUint8(tagTrue)
		} else {
			e.WriteUint8(tagFalse)
		}
	case string:
		e.WriteUint8(tagString)
		e.WriteVarString(v)
	case int64:
		e.writeAnyInt(v)
	case float64:
		e.writeAnyFloat(v)
	case BigInt:
		e.WriteUint8(tagBigInt)
		e.WriteBigInt64(int64(v))
	case []byte:
		e.WriteUint8(tagBytes)
		e.WriteVarBytes(v)
	case []any:
		e.WriteUint8(tagArray)
		e.WriteVarUint(uint64(len(v)))
		for _, x := range v {
			e.WriteAny(x)
		}
	case Object:
		e.writeAnyObject(v)
	case *Object:
		e.writeAnyObject(*v)
	default:
		panic(fmt.Sprintf("lib0: WriteAny: non-canonical value of Go type %T (convert it with NormalizeAny)", v))
	}
}

func (e *Encoder) writeAnyInt(v int64) {
	if v >= -largestVarIntInAny && v <= largestVarIntInAny {
		e.WriteUint8(tagInteger)
		e.WriteVarInt(v)
		return
	}
	e.writeAnyFloat(float64(v))
}

func (e *Encoder) writeAnyFloat(f float64) {
	if f == math.Trunc(f) && math.Abs(f) <= largestVarIntInAny {
		e.WriteUint8(tagInteger)
		e.WriteVarIntSigned(math.Signbit(f), uint64(math.Abs(f)))
		return
	}
	if f32 := float32(f); float64(f32) == f {
		e.WriteUint8(tagFloat32)
		e.WriteFloat32(f32)
		return
	}
	e.WriteUint8(tagFloat64)
	e.WriteFloat64(f)
}

func (e *Encoder) writeAnyObject(o Object) {
	e.WriteUint8(tagObject)
	e.WriteVarUint(uint64(o.Len()))
	o.Range(func(k string, x any) bool {
		e.WriteVarString(k)
		e.WriteAny(x)
		return true
	})
}

// ReadAny decodes one any value into its canonical Go form: nil, Undefined,
// bool, string, int64 (tag 125; but negative zero becomes float64 -0), float64
// (tags 123 and 124), BigInt, []byte (a copy), []any or Object. Arrays and
// objects may nest at most MaxNestingDepth levels.
func (d *Decoder) ReadAny() (any, error) { return d.readAny(0) }

func (d *Decoder) readAny(depth int) (any, error) {
	start := d.pos
	tag, err := d.ReadUint8()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tagUndefined:
		return Undefined, nil
	case tagNull:
		return nil, nil
	case tagInteger:
		return d.readAnyInteger()
	case tagFloat32:
		f, err := d.ReadFloat32()
		return float64(f), err
	case tagFloat64:
		return d.ReadFloat64()
	case tagBigInt:
		v, err := d.ReadBigInt64()
		return BigInt(v), err
	case tagFalse:
		return false, nil
	case tagTrue:
		return true, nil
	case tagString:
		return d.ReadVarString()
	case tagObject:
		return d.readAnyObject(depth+1, start)
	case tagArray:
		return d.readAnyArray(depth+1, start)
	case tagBytes:
		b, err := d.ReadVarBytes()
		if err != nil {
			return nil, err
		}
		// Copy: canonical values must not alias (and pin) the input buffer.
		return append([]byte{}, b...), nil
	}
	return nil, errAt(ErrUnknownTag, start)
}

func (d *Decoder) readAnyInteger() (any, error) {
	neg, mag, err := d.ReadVarIntSigned()
	if err != nil {
		return nil, err
	}
	if neg {
		if mag == 0 {
			return math.Copysign(0, -1), nil
		}
		return -int64(mag), nil
	}
	return int64(mag), nil
}

// readCount reads an element count and rejects counts that the remaining input
// cannot hold at minBytes per element, before anything is allocated.
func (d *Decoder) readCount(minBytes int) (int, error) {
	start := d.pos
	n, err := d.ReadVarUint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Remaining()/minBytes) {
		return 0, errAt(ErrTooLarge, start)
	}
	return int(n), nil
}

func (d *Decoder) readAnyArray(depth, start int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, errAt(ErrTooDeep, start)
	}
	n, err := d.readCount(1) // every element has at least its tag byte
	if err != nil {
		return nil, err
	}
	arr := make([]any, n)
	for i := range arr {
		if arr[i], err = d.readAny(depth); err != nil {
			return nil, err
		}
	}
	return arr, nil
}

func (d *Decoder) readAnyObject(depth, start int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, errAt(ErrTooDeep, start)
	}
	n, err := d.readCount(2) // key length byte + value tag byte
	if err != nil {
		return nil, err
	}
	obj := newObjectCap(n)
	for i := 0; i < n; i++ {
		key, err := d.ReadVarString()
		if err != nil {
			return nil, err
		}
		v, err := d.readAny(depth)
		if err != nil {
			return nil, err
		}
		obj.Set(key, v) // duplicate keys: the last value wins, as in JS
	}
	return obj, nil
}

package codec

import "github.com/meridian-sync/meridian/crdt/internal/lib0"

// Update format v1 writes every field, in order, into one lib0 stream. It is
// the format of y-protocols sync and y-websocket, so it is the server's hot
// path: these types hold their lib0 state by value and allocate nothing per
// field beyond the strings, values and buffers they return.

type dsEncoderV1 struct{ rest lib0.Encoder }

// NewDSEncoderV1 returns an encoder for a v1 delete set.
func NewDSEncoderV1() DSEncoder { return &dsEncoderV1{} }

func (e *dsEncoderV1) ResetDsCurVal()            {}
func (e *dsEncoderV1) WriteDsClock(clock uint64) { e.rest.WriteVarUint(clock) }
func (e *dsEncoderV1) WriteDsLen(n uint64)       { e.rest.WriteVarUint(n) }
func (e *dsEncoderV1) Rest() *lib0.Encoder       { return &e.rest }
func (e *dsEncoderV1) Bytes() []byte             { return e.rest.Bytes() }

type updateEncoderV1 struct{ dsEncoderV1 }

// NewEncoderV1 returns an encoder for a v1 update. Bytes returns the encoder's
// buffer (valid until the next write).
func NewEncoderV1() UpdateEncoder { return &updateEncoderV1{} }

// NewEncoderV1Size is NewEncoderV1 with room for size bytes, for callers that know about how
// long the update will be: the buffer then grows (and copies) rarely or never.
func NewEncoderV1Size(size int) UpdateEncoder {
	e := &updateEncoderV1{}
	e.rest.Grow(size)
	return e
}

func (e *updateEncoderV1) WriteLeftID(id ID) {
	e.rest.WriteVarUint(id.Client)
	e.rest.WriteVarUint(id.Clock)
}

func (e *updateEncoderV1) WriteRightID(id ID) {
	e.rest.WriteVarUint(id.Client)
	e.rest.WriteVarUint(id.Clock)
}

func (e *updateEncoderV1) WriteClient(client uint64) { e.rest.WriteVarUint(client) }
func (e *updateEncoderV1) WriteInfo(info byte)       { e.rest.WriteUint8(info) }
func (e *updateEncoderV1) WriteString(s string)      { e.rest.WriteVarString(s) }
func (e *updateEncoderV1) WriteTypeRef(ref uint8)    { e.rest.WriteVarUint(uint64(ref)) }
func (e *updateEncoderV1) WriteLen(n uint64)         { e.rest.WriteVarUint(n) }
func (e *updateEncoderV1) WriteAny(v any)            { e.rest.WriteAny(v) }
func (e *updateEncoderV1) WriteBuf(b []byte)         { e.rest.WriteVarBytes(b) }
func (e *updateEncoderV1) WriteKey(key string)       { e.rest.WriteVarString(key) }

func (e *updateEncoderV1) WriteParentInfo(isYKey bool) {
	if isYKey {
		e.rest.WriteVarUint(1)
	} else {
		e.rest.WriteVarUint(0)
	}
}

func (e *updateEncoderV1) WriteJSON(v any) {
	e.rest.WriteVarString(lib0.StringifyJSONLenient(v))
}

type dsDecoderV1 struct{ rest lib0.Decoder }

// NewDSDecoderV1 returns a decoder for a v1 delete set (or anything whose DS
// fields are plain varUints).
func NewDSDecoderV1(b []byte) DSDecoder { return &dsDecoderV1{rest: *lib0.NewDecoder(b)} }

func (d *dsDecoderV1) ResetDsCurVal()      {}
func (d *dsDecoderV1) Rest() *lib0.Decoder { return &d.rest }

func (d *dsDecoderV1) ReadDsClock() (uint64, error) { return d.readVarUint("delete set clock") }
func (d *dsDecoderV1) ReadDsLen() (uint64, error)   { return d.readVarUint("delete set length") }

func (d *dsDecoderV1) readVarUint(field string) (uint64, error) {
	v, err := d.rest.ReadVarUint()
	if err != nil {
		return 0, fieldError(field, err)
	}
	return v, nil
}

// updateDecoderV1 copies the strings it reads into an arena: most of a loaded document's text
// is kept, and one allocation per string lost an eighth of it to size-class rounding.
type updateDecoderV1 struct {
	dsDecoderV1
	strings lib0.StringArena
}

// NewDecoderV1 returns a decoder for a v1 update. update is not copied; values
// returned by the decoder do not alias it.
func NewDecoderV1(update []byte) UpdateDecoder {
	return &updateDecoderV1{dsDecoderV1: dsDecoderV1{rest: *lib0.NewDecoder(update)}}
}

func (d *updateDecoderV1) ReadLeftID() (ID, error) {
	return d.readID("origin client", "origin clock")
}

func (d *updateDecoderV1) ReadRightID() (ID, error) {
	return d.readID("right origin client", "right origin clock")
}

// readID takes both field names as constants: building them per call would
// allocate on the hot path.
func (d *updateDecoderV1) readID(clientField, clockField string) (ID, error) {
	client, err := d.readVarUint(clientField)
	if err != nil {
		return ID{}, err
	}
	clock, err := d.readVarUint(clockField)
	if err != nil {
		return ID{}, err
	}
	return ID{Client: client, Clock: clock}, nil
}

func (d *updateDecoderV1) ReadClient() (uint64, error) { return d.readVarUint("client") }
func (d *updateDecoderV1) ReadLen() (uint64, error)    { return d.readVarUint("length") }

func (d *updateDecoderV1) ReadInfo() (byte, error) {
	b, err := d.rest.ReadUint8()
	if err != nil {
		return 0, fieldError("info", err)
	}
	return b, nil
}

func (d *updateDecoderV1) ReadString() (string, error) { return d.readVarString("string") }
func (d *updateDecoderV1) ReadKey() (string, error)    { return d.readVarString("key") }

func (d *updateDecoderV1) readVarString(field string) (string, error) {
	s, err := d.rest.ReadVarStringIn(&d.strings)
	if err != nil {
		return "", fieldError(field, err)
	}
	return s, nil
}

// ReadParentInfo mirrors Yjs: the parent is a root name only for the value 1;
// any other value means a parent ID follows.
func (d *updateDecoderV1) ReadParentInfo() (bool, error) {
	v, err := d.readVarUint("parent info")
	return v == 1, err
}

func (d *updateDecoderV1) ReadTypeRef() (uint8, error) {
	v, err := d.readVarUint("type ref")
	if err != nil {
		return 0, err
	}
	if v > 255 {
		return 0, invalidField("type ref", "above 255")
	}
	return uint8(v), nil
}

func (d *updateDecoderV1) ReadAny() (any, error) {
	v, err := d.rest.ReadAny()
	if err != nil {
		return nil, fieldError("any value", err)
	}
	return v, nil
}

func (d *updateDecoderV1) ReadBuf() ([]byte, error) {
	b, err := d.rest.ReadVarBytes()
	if err != nil {
		return nil, fieldError("binary", err)
	}
	return append([]byte{}, b...), nil
}

func (d *updateDecoderV1) ReadJSON() (any, error) {
	s, err := d.rest.ReadVarString() // not into the arena: the text is garbage once parsed
	if err != nil {
		return nil, fieldError("JSON", err)
	}
	v, err := lib0.ParseJSON(s)
	if err != nil {
		return nil, fieldError("JSON", err)
	}
	return v, nil
}

// DecoderV1 is a v1 update decoder that can be reset onto new input, for callers that decode
// a stream of small updates (a peer's keystrokes) and would otherwise allocate one per update.
type DecoderV1 struct{ updateDecoderV1 }

// Reset makes d read update from its start. update is not copied.
func (d *DecoderV1) Reset(update []byte) {
	d.rest = *lib0.NewDecoder(update)
	d.strings.Reset() // strings of the next update do not share a chunk with this one's
}

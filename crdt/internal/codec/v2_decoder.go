package codec

import "github.com/meridian-sync/meridian/crdt/internal/lib0"

type dsDecoderV2 struct {
	rest   lib0.Decoder
	curVal uint64
}

// NewDSDecoderV2 returns a decoder for a v2 delete set stream (no columns).
func NewDSDecoderV2(b []byte) DSDecoder { return &dsDecoderV2{rest: *lib0.NewDecoder(b)} }

func (d *dsDecoderV2) ResetDsCurVal()      { d.curVal = 0 }
func (d *dsDecoderV2) Rest() *lib0.Decoder { return &d.rest }

func (d *dsDecoderV2) ReadDsClock() (uint64, error) {
	diff, err := d.rest.ReadVarUint()
	if err != nil {
		return 0, fieldError("delete set clock", err)
	}
	return d.advance(diff, "delete set clock")
}

// ReadDsLen reads a length stored minus one, so it is always at least 1.
func (d *dsDecoderV2) ReadDsLen() (uint64, error) {
	v, err := d.rest.ReadVarUint()
	if err != nil {
		return 0, fieldError("delete set length", err)
	}
	if _, err := d.advance(v+1, "delete set length"); err != nil {
		return 0, err
	}
	return v + 1, nil
}

// advance moves the running clock, refusing to leave the range JS numbers
// hold exactly (the operands are at most 2^53 each, so the sum cannot wrap).
func (d *dsDecoderV2) advance(by uint64, field string) (uint64, error) {
	next := d.curVal + by
	if next > maxClock {
		return 0, invalidField(field, "beyond 2^53")
	}
	d.curVal = next
	return next, nil
}

type updateDecoderV2 struct {
	dsDecoderV2
	keys        []string // keys read so far, indexed by key clock
	keyClocks   *lib0.IntDiffOptRleDecoder
	clients     *lib0.UintOptRleDecoder
	leftClocks  *lib0.IntDiffOptRleDecoder
	rightClocks *lib0.IntDiffOptRleDecoder
	infos       *lib0.RleUint8Decoder
	strings     *lib0.StringDecoder
	parentInfos *lib0.RleUint8Decoder
	typeRefs    *lib0.UintOptRleDecoder
	lens        *lib0.UintOptRleDecoder
}

// v2Columns names the columns in wire order, for error messages.
var v2Columns = [9]string{"key clock", "client", "left clock", "right clock", "info", "string", "parent info", "type ref", "length"}

// NewDecoderV2 reads the feature flag and the nine column headers of a v2
// update; the remaining bytes are the rest stream. update is not copied.
func NewDecoderV2(update []byte) (UpdateDecoder, error) {
	in := lib0.NewDecoder(update)
	if _, err := in.ReadVarUint(); err != nil { // feature flag: ignored, as Yjs does
		return nil, fieldError("v2 feature flag", err)
	}
	var cols [9][]byte
	for i := range cols {
		b, err := in.ReadVarBytes()
		if err != nil {
			return nil, fieldError("v2 "+v2Columns[i]+" column", err)
		}
		cols[i] = b
	}
	strs, err := lib0.NewStringDecoder(cols[5])
	if err != nil {
		return nil, fieldError("v2 string column", err)
	}
	return &updateDecoderV2{
		dsDecoderV2: dsDecoderV2{rest: *in},
		keyClocks:   lib0.NewIntDiffOptRleDecoder(cols[0]),
		clients:     lib0.NewUintOptRleDecoder(cols[1]),
		leftClocks:  lib0.NewIntDiffOptRleDecoder(cols[2]),
		rightClocks: lib0.NewIntDiffOptRleDecoder(cols[3]),
		infos:       lib0.NewRleUint8Decoder(cols[4]),
		strings:     strs,
		parentInfos: lib0.NewRleUint8Decoder(cols[6]),
		typeRefs:    lib0.NewUintOptRleDecoder(cols[7]),
		lens:        lib0.NewUintOptRleDecoder(cols[8]),
	}, nil
}

func (d *updateDecoderV2) ReadLeftID() (ID, error) { return d.readID(d.leftClocks, "origin") }

func (d *updateDecoderV2) ReadRightID() (ID, error) { return d.readID(d.rightClocks, "right origin") }

// readID builds field names only on the error path, keeping reads allocation-free.
func (d *updateDecoderV2) readID(clocks *lib0.IntDiffOptRleDecoder, field string) (ID, error) {
	client, err := d.ReadClient()
	if err != nil {
		return ID{}, err
	}
	clock, err := clocks.Read()
	if err != nil {
		return ID{}, fieldError(field+" clock column", err)
	}
	if clock < 0 {
		return ID{}, invalidField(field+" clock", "is negative")
	}
	return ID{Client: client, Clock: uint64(clock)}, nil
}

func (d *updateDecoderV2) ReadClient() (uint64, error) {
	v, err := d.clients.Read()
	if err != nil {
		return 0, fieldError("client column", err)
	}
	return v, nil
}

func (d *updateDecoderV2) ReadInfo() (byte, error) {
	v, err := d.infos.Read()
	if err != nil {
		return 0, fieldError("info column", err)
	}
	return v, nil
}

func (d *updateDecoderV2) ReadString() (string, error) {
	s, err := d.strings.Read()
	if err != nil {
		return "", fieldError("string column", err)
	}
	return s, nil
}

func (d *updateDecoderV2) ReadParentInfo() (bool, error) {
	v, err := d.parentInfos.Read()
	if err != nil {
		return false, fieldError("parent info column", err)
	}
	return v == 1, nil
}

func (d *updateDecoderV2) ReadTypeRef() (uint8, error) {
	v, err := d.typeRefs.Read()
	if err != nil {
		return 0, fieldError("type ref column", err)
	}
	if v > 255 {
		return 0, invalidField("type ref", "above 255")
	}
	return uint8(v), nil
}

func (d *updateDecoderV2) ReadLen() (uint64, error) {
	v, err := d.lens.Read()
	if err != nil {
		return 0, fieldError("length column", err)
	}
	return v, nil
}

func (d *updateDecoderV2) ReadAny() (any, error) {
	v, err := d.rest.ReadAny()
	if err != nil {
		return nil, fieldError("any value", err)
	}
	return v, nil
}

// ReadJSON reads an any value: v2 stores embeds and format values that way.
func (d *updateDecoderV2) ReadJSON() (any, error) { return d.ReadAny() }

func (d *updateDecoderV2) ReadBuf() ([]byte, error) {
	b, err := d.rest.ReadVarBytes()
	if err != nil {
		return nil, fieldError("binary", err)
	}
	return append([]byte{}, b...), nil
}

// ReadKey returns the cached key for a known key clock; any other clock means
// "next string in the string column", which is then cached, exactly as Yjs.
func (d *updateDecoderV2) ReadKey() (string, error) {
	clock, err := d.keyClocks.Read()
	if err != nil {
		return "", fieldError("key clock column", err)
	}
	if clock < 0 {
		return "", invalidField("key clock", "is negative")
	}
	if clock < int64(len(d.keys)) {
		return d.keys[clock], nil
	}
	key, err := d.ReadString()
	if err != nil {
		return "", err
	}
	d.keys = append(d.keys, key)
	return key, nil
}

package codec

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeHello makes the calls Yjs makes for encodeStateAsUpdate of TV1: text
// "hello" typed into root "t" by client 1.
func writeHello(enc UpdateEncoder) {
	enc.Rest().WriteVarUint(1) // client blocks
	enc.Rest().WriteVarUint(1) // structs
	enc.WriteClient(1)
	enc.Rest().WriteVarUint(0) // first clock
	enc.WriteInfo(0x04)
	enc.WriteParentInfo(true)
	enc.WriteString("t")
	enc.WriteString("hello")
	enc.Rest().WriteVarUint(0) // empty delete set
}

// writeMap: Map {a:1, b:"x"} set on root "m" by client 1.
func writeMap(enc UpdateEncoder) {
	enc.Rest().WriteVarUint(1)
	enc.Rest().WriteVarUint(2)
	enc.WriteClient(1)
	enc.Rest().WriteVarUint(0)
	for _, kv := range []struct {
		k string
		v any
	}{{"a", int64(1)}, {"b", "x"}} {
		enc.WriteInfo(0x28) // ContentAny + parentSub
		enc.WriteParentInfo(true)
		enc.WriteString("m")
		enc.WriteString(kv.k)
		enc.WriteLen(1)
		enc.WriteAny(kv.v)
	}
	enc.Rest().WriteVarUint(0)
}

// writeDeleteSetOnly: no structs; deletes 2:1 and 1:0, 1:3 (clients descending).
func writeDeleteSetOnly(enc UpdateEncoder) {
	enc.Rest().WriteVarUint(0)
	enc.Rest().WriteVarUint(2)
	for _, c := range []struct {
		client uint64
		ranges [][2]uint64
	}{{2, [][2]uint64{{1, 1}}}, {1, [][2]uint64{{0, 1}, {3, 1}}}} {
		enc.ResetDsCurVal()
		enc.Rest().WriteVarUint(c.client)
		enc.Rest().WriteVarUint(uint64(len(c.ranges)))
		for _, r := range c.ranges {
			enc.WriteDsClock(r[0])
			enc.WriteDsLen(r[1])
		}
	}
}

var specExamples = []struct {
	name   string
	write  func(UpdateEncoder)
	v1, v2 string
}{
	{"TV1 hello", writeHello,
		"01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00",
		"00 00 01 01 00 00 01 04 09 06 74 68 65 6c 6c 6f 01 05 01 01 00 00 01 01 00 00"},
	{"map a:1 b:x", writeMap,
		"01 02 01 00 28 01 01 6d 01 61 01 7d 01 28 01 01 6d 01 62 01 77 01 78 00",
		"00 00 01 01 00 00 01 28 07 04 6d 61 6d 62 41 02 01 01 00 02 41 00 01 02 00 7d 01 77 01 78 00"},
	{"delete set only", writeDeleteSetOnly,
		"00 02 02 01 01 01 01 02 00 01 03 01",
		"00 00 00 00 00 00 01 00 00 00 00 | 00 02 02 01 01 00 01 02 00 00 02 00"},
}

func TestSpecExamplesEncodeByteForByte(t *testing.T) {
	for _, ex := range specExamples {
		for _, f := range []struct {
			name string
			enc  UpdateEncoder
			want string
		}{{"v1", NewEncoderV1(), ex.v1}, {"v2", NewEncoderV2(), ex.v2}} {
			ex.write(f.enc)
			if got, want := hex.EncodeToString(f.enc.Bytes()), hex.EncodeToString(unhex(t, f.want)); got != want {
				t.Errorf("%s %s:\n got  %s\n want %s", ex.name, f.name, got, want)
			}
		}
	}
}

// TestSpecExamplesDecodeAndConvert: each v1 example converts to the v2 example
// and back.
func TestSpecExamplesDecodeAndConvert(t *testing.T) {
	for _, ex := range specExamples {
		v1, v2 := unhex(t, ex.v1), unhex(t, ex.v2)
		if got := transcodeV1ToV2(t, v1); hex.EncodeToString(got) != hex.EncodeToString(v2) {
			t.Errorf("%s: v1 -> v2 = %x", ex.name, got)
		}
		if got := transcodeV2ToV1(t, v2); hex.EncodeToString(got) != hex.EncodeToString(v1) {
			t.Errorf("%s: v2 -> v1 = %x", ex.name, got)
		}
	}
}

func TestV2DecodesHelloFields(t *testing.T) {
	dec, err := NewDecoderV2(unhex(t, specExamples[0].v2))
	if err != nil {
		t.Fatal(err)
	}
	blocks, _ := dec.Rest().ReadVarUint()
	structs, _ := dec.Rest().ReadVarUint()
	client, _ := dec.ReadClient()
	clock, _ := dec.Rest().ReadVarUint()
	info, _ := dec.ReadInfo()
	isKey, _ := dec.ReadParentInfo()
	root, _ := dec.ReadString()
	text, err := dec.ReadString()
	if blocks != 1 || structs != 1 || client != 1 || clock != 0 || info != 4 || !isKey || root != "t" || text != "hello" || err != nil {
		t.Fatalf("decoded %d %d %d %d %d %v %q %q %v", blocks, structs, client, clock, info, isKey, root, text, err)
	}
	// Exhausted Opt columns are errors, not zeros.
	if _, err := dec.ReadClient(); !errors.Is(err, lib0.ErrUnexpectedEOF) {
		t.Errorf("client column past end: %v", err)
	}
	if _, err := dec.ReadLen(); !errors.Is(err, lib0.ErrUnexpectedEOF) {
		t.Errorf("len column past end: %v", err)
	}
	if _, err := dec.ReadString(); err == nil {
		t.Error("string column past end succeeded")
	}
	// The plain RLE info column repeats its last value forever.
	if again, err := dec.ReadInfo(); err != nil || again != 4 {
		t.Errorf("info column repeat: %d, %v", again, err)
	}
}

func TestV2DeleteSetClocksAreRelative(t *testing.T) {
	enc := NewDSEncoderV2()
	enc.ResetDsCurVal()
	enc.WriteDsClock(5)
	enc.WriteDsLen(3) // covers 5..7, next range relative to 8
	enc.WriteDsClock(10)
	enc.WriteDsLen(1)
	if got := hex.EncodeToString(enc.Bytes()); got != "05020200" {
		t.Fatalf("got %s", got)
	}
	dec := NewDSDecoderV2(enc.Bytes())
	dec.ResetDsCurVal()
	c1, _ := dec.ReadDsClock()
	l1, _ := dec.ReadDsLen()
	c2, _ := dec.ReadDsClock()
	l2, err := dec.ReadDsLen()
	if c1 != 5 || l1 != 3 || c2 != 10 || l2 != 1 || err != nil {
		t.Fatalf("read %d %d %d %d %v", c1, l1, c2, l2, err)
	}
	if _, err := dec.ReadDsClock(); !errors.Is(err, lib0.ErrUnexpectedEOF) {
		t.Fatalf("past end: %v", err)
	}
}

func TestV1DeleteSetIsPlain(t *testing.T) {
	enc := NewDSEncoderV1()
	enc.WriteDsClock(5)
	enc.WriteDsLen(3)
	if got := hex.EncodeToString(enc.Bytes()); got != "0503" {
		t.Fatalf("got %s", got)
	}
	dec := NewDSDecoderV1(enc.Bytes())
	c, _ := dec.ReadDsClock()
	l, err := dec.ReadDsLen()
	if c != 5 || l != 3 || err != nil {
		t.Fatalf("read %d %d %v", c, l, err)
	}
}

func TestV2DeleteSetRejectsClocksBeyond2To53(t *testing.T) {
	var e lib0.Encoder
	e.WriteVarUint(1 << 53)
	e.WriteVarUint(0) // len 1 would end at 2^53+1
	dec := NewDSDecoderV2(e.Bytes())
	if _, err := dec.ReadDsClock(); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.ReadDsLen(); !errors.Is(err, ErrInvalidField) {
		t.Fatalf("err = %v", err)
	}
}

func TestV2EncoderPanicsOnInvalidDeleteSets(t *testing.T) {
	for name, f := range map[string]func(DSEncoder){
		"zero length":     func(e DSEncoder) { e.WriteDsLen(0) },
		"clock backwards": func(e DSEncoder) { e.WriteDsClock(5); e.WriteDsLen(2); e.WriteDsClock(6) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f(NewDSEncoderV2())
		}()
	}
}

// TestV2KeysNeverReuseClocksButDecoderCaches: the encoder gives every key a new
// clock (Yjs 13.6); the decoder still honours a repeated clock by returning
// the cached key without consuming the string column.
func TestV2KeysNeverReuseClocksButDecoderCaches(t *testing.T) {
	enc := NewEncoderV2()
	enc.WriteKey("bold")
	enc.WriteKey("bold")
	enc.WriteString("after")
	// Bytes printed by Yjs 13.6.33 for the same three calls on UpdateEncoderV2.
	want := "00 | 02 00 02 | 00 | 00 | 00 | 00 | 11 0d 626f6c64 626f6c64 6166746572 44 00 05 | 00 | 00 | 00"
	if got := hex.EncodeToString(enc.Bytes()); got != hex.EncodeToString(unhex(t, want)) {
		t.Fatalf("got %s, want %s", got, want)
	}

	// A hand-made update whose key clocks are 0, 1, 0, 1: two strings read, then cached.
	var kc lib0.IntDiffOptRleEncoder
	for _, c := range []int64{0, 1, 0, 1} {
		kc.Write(c)
	}
	var sc lib0.StringEncoder
	sc.Write("bold")
	sc.Write("italic")
	sc.Write("text")
	var u lib0.Encoder
	u.WriteVarUint(0)
	u.WriteVarBytes(kc.Bytes())
	for i := 0; i < 4; i++ {
		u.WriteVarBytes(nil)
	}
	u.WriteVarBytes(sc.Bytes())
	for i := 0; i < 3; i++ {
		u.WriteVarBytes(nil)
	}
	dec, err := NewDecoderV2(u.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := 0; i < 4; i++ {
		k, err := dec.ReadKey()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	next, err := dec.ReadString()
	if strings.Join(keys, ",") != "bold,italic,bold,italic" || next != "text" || err != nil {
		t.Fatalf("keys %v, next string %q, %v", keys, next, err)
	}
}

func TestV1FieldErrors(t *testing.T) {
	dec := NewDecoderV1(unhex(t, "80 02 01 ff"))
	if _, err := dec.ReadTypeRef(); !errors.Is(err, ErrInvalidField) {
		t.Errorf("type ref 256: %v", err)
	}
	if _, err := dec.ReadString(); !errors.Is(err, lib0.ErrInvalidUTF8) {
		t.Errorf("invalid string: %v", err)
	}
	if _, err := dec.ReadInfo(); !errors.Is(err, lib0.ErrUnexpectedEOF) {
		t.Errorf("info at end: %v", err)
	}
	dec = NewDecoderV1(unhex(t, "05 7b 22 61 22 7d"))
	if _, err := dec.ReadJSON(); !errors.Is(err, lib0.ErrInvalidJSON) {
		t.Errorf("bad JSON: %v", err)
	}
	if _, err := NewDecoderV1(unhex(t, "01")).ReadLeftID(); !errors.Is(err, lib0.ErrUnexpectedEOF) {
		t.Errorf("truncated ID: %v", err)
	}
}

func TestV1ParentInfoOnlyOneMeansRootName(t *testing.T) {
	dec := NewDecoderV1(unhex(t, "01 00 02"))
	for _, want := range []bool{true, false, false} {
		if got, err := dec.ReadParentInfo(); err != nil || got != want {
			t.Errorf("got %v, %v; want %v", got, err, want)
		}
	}
}

func TestJSONFieldsV1TextV2Any(t *testing.T) {
	v := lib0.NewObject()
	v.Set("image", "x.png")
	v.Set("w", int64(3))
	e1 := NewEncoderV1()
	e1.WriteJSON(v)
	if got := hex.EncodeToString(e1.Bytes()); got != hex.EncodeToString(append([]byte{23}, `{"image":"x.png","w":3}`...)) {
		t.Fatalf("v1 JSON field = %s", got)
	}
	back, err := NewDecoderV1(e1.Bytes()).ReadJSON()
	if err != nil || !lib0.EqualAny(back, v) {
		t.Fatalf("v1 read back %#v, %v", back, err)
	}
	e2 := NewEncoderV2()
	e2.WriteJSON(v)
	dec, err := NewDecoderV2(e2.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := dec.ReadJSON(); err != nil || !lib0.EqualAny(got, v) {
		t.Fatalf("v2 read back %#v, %v", got, err)
	}
	// v1 cannot fail: BigInt becomes digits where JS would throw.
	e3 := NewEncoderV1()
	e3.WriteJSON([]any{lib0.BigInt(7)})
	if s, _ := lib0.NewDecoder(e3.Bytes()).ReadVarString(); s != "[7]" {
		t.Fatalf("lenient JSON = %q", s)
	}
}

func TestReadBufCopies(t *testing.T) {
	in := unhex(t, "02 aa bb")
	b, err := NewDecoderV1(in).ReadBuf()
	in[1] = 0
	if err != nil || b[0] != 0xaa {
		t.Fatalf("v1 ReadBuf aliases input: %x %v", b, err)
	}
}

func TestNewDecoderV2RejectsBrokenHeaders(t *testing.T) {
	cases := map[string]string{
		"empty":                 "",
		"missing columns":       "00 00 00",
		"column beyond input":   "00 05 00",
		"invalid string column": "00 00 00 00 00 00 02 01 ff 00 00 00",
	}
	for name, h := range cases {
		if _, err := NewDecoderV2(unhex(t, h)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewDecoderV2(unhex(t, "00 00 00 00 00 00 01 00 00 00 00")); err != nil {
		t.Errorf("minimal header rejected: %v", err)
	}
}

func TestV2NegativeClockIsInvalid(t *testing.T) {
	var left lib0.IntDiffOptRleEncoder
	left.Write(-3)
	var clients lib0.UintOptRleEncoder
	clients.Write(1)
	var u lib0.Encoder
	u.WriteVarUint(0)
	u.WriteVarBytes(nil)
	u.WriteVarBytes(clients.Bytes())
	u.WriteVarBytes(left.Bytes())
	u.WriteVarBytes(nil)
	u.WriteVarBytes(nil)
	u.WriteVarBytes([]byte{0})
	u.WriteVarBytes(nil)
	u.WriteVarBytes(nil)
	u.WriteVarBytes(nil)
	dec, err := NewDecoderV2(u.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dec.ReadLeftID(); !errors.Is(err, ErrInvalidField) {
		t.Fatalf("err = %v", err)
	}
}

package lib0

import (
	"bufio"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// pointTwo is a variable so that 0.2+0.1 is computed in float64, not as an exact constant.
var pointTwo = 0.2

// stringifyVectors: the right-hand strings are the output of JSON.stringify in
// node v20.20.2 for the JS expression named in the first column.
var stringifyVectors = []struct {
	js   string
	v    any
	want string
}{
	{"0", int64(0), "0"},
	{"-0", math.Copysign(0, -1), "0"},
	{"1", int64(1), "1"},
	{"-1", int64(-1), "-1"},
	{"100", float64(100), "100"},
	{"1e21", 1e21, "1e+21"},
	{"1e20", 1e20, "100000000000000000000"},
	{"123456789012345680000", 123456789012345680000.0, "123456789012345680000"},
	{"1.5e-7", 1.5e-7, "1.5e-7"},
	{"0.000001", 0.000001, "0.000001"},
	{"0.0000001", 0.0000001, "1e-7"},
	{"0.1", 0.1, "0.1"},
	{"0.2+0.1", pointTwo + 0.1, "0.30000000000000004"},
	{"1/3", 1.0 / 3, "0.3333333333333333"},
	{"-1/3", -1.0 / 3, "-0.3333333333333333"},
	{"2**53", int64(1 << 53), "9007199254740992"},
	{"2**53+2", float64(1<<53 + 2), "9007199254740994"},
	{"2**64", math.Pow(2, 64), "18446744073709552000"},
	{"1e300", 1e300, "1e+300"},
	{"5e-324", 5e-324, "5e-324"},
	{"1.7976931348623157e308", math.MaxFloat64, "1.7976931348623157e+308"},
	{"NaN", math.NaN(), "null"},
	{"Infinity", math.Inf(1), "null"},
	{"-Infinity", math.Inf(-1), "null"},
	{"123.456", 123.456, "123.456"},
	{"1.2e-6", 1.2e-6, "0.0000012"},
	{"12345678.9", 12345678.9, "12345678.9"},
	{"4.35", 4.35, "4.35"},
	{"2**31", float64(1 << 31), "2147483648"},
	{"-(2**31)", int64(-1 << 31), "-2147483648"},
	{"1e100", 1e100, "1e+100"},
	{"255/256", 255.0 / 256, "0.99609375"},
	{"int64 beyond 2^53 prints as the JS double", int64(1<<53 + 1), "9007199254740992"},
	{`"hi"`, "hi", `"hi"`},
	{`""`, "", `""`},
	{`"a\"b\\c"`, "a\"b\\c", `"a\"b\\c"`},
	{`"\b\f\n\r\t"`, "\b\f\n\r\t", `"\b\f\n\r\t"`},
	{`"\u0000\u0001\u001f\u007f"`, "\x00\x01\x1f\x7f", "\"\\u0000\\u0001\\u001f\x7f\""},
	{`"<>&'/"`, "<>&'/", `"<>&'/"`},
	{`"é😀\u2028\u2029"`, "é😀\u2028\u2029", "\"é😀\u2028\u2029\""},
	{`"\ufeffx"`, "\ufeffx", "\"\ufeffx\""},
	{"null", nil, "null"},
	{"true", true, "true"},
	{"false", false, "false"},
	{"[]", []any{}, "[]"},
	{"{}", NewObject(), "{}"},
	{`[1,"x",null,true]`, []any{int64(1), "x", nil, true}, `[1,"x",null,true]`},
	{"[undefined,1]", []any{Undefined, int64(1)}, "[null,1]"},
	{"({a:undefined,b:1})", obj("a", Undefined, "b", int64(1)), `{"b":1}`},
	{`({b:1,a:2,"1":3,"0":4,"10":5,"01":6,"-1":7})`,
		obj("b", int64(1), "a", int64(2), "1", int64(3), "0", int64(4), "10", int64(5), "01", int64(6), "-1", int64(7)),
		`{"0":4,"1":3,"10":5,"b":1,"a":2,"01":6,"-1":7}`},
	{"new Uint8Array([1,2,255])", []byte{1, 2, 255}, `{"0":1,"1":2,"2":255}`},
	{"new Uint8Array([])", []byte{}, "{}"},
	{"({x:[{y:{}}],z:[[]]})", obj("x", []any{obj("y", NewObject())}, "z", []any{[]any{}}), `{"x":[{"y":{}}],"z":[[]]}`},
	{"[[[1.25]]]", []any{[]any{[]any{1.25}}}, "[[[1.25]]]"},
}

func TestStringifyJSONMatchesNode(t *testing.T) {
	for _, c := range stringifyVectors {
		got, err := StringifyJSON(c.v)
		if err != nil || got != c.want {
			t.Errorf("%s: StringifyJSON = %q, %v; want %q", c.js, got, err, c.want)
		}
	}
}

// TestNumberFormattingMatchesNode checks ~4000 doubles (random bit patterns,
// random decimals, powers of ten) against String(x) printed by node.
func TestNumberFormattingMatchesNode(t *testing.T) {
	f, err := os.Open("testdata/js_number_tostring.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		bitsHex, want, _ := strings.Cut(line, " ")
		bits, err := strconv.ParseUint(bitsHex, 16, 64)
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		x := math.Float64frombits(bits)
		if !isFinite(x) {
			continue // String(Infinity) is not JSON; JSON.stringify writes null (tested above)
		}
		if got := string(appendJSNumber(nil, x)); got != want {
			t.Errorf("String(%v) = %q, want %q", x, got, want)
		}
		n++
	}
	if n < 4000 {
		t.Fatalf("only %d vectors read", n)
	}
}

func TestStringifyJSONRejectsWhatJSCannot(t *testing.T) {
	for _, v := range []any{BigInt(1), []any{BigInt(1)}, obj("a", BigInt(2)), Undefined} {
		if _, err := StringifyJSON(v); !errors.Is(err, ErrNotJSON) {
			t.Errorf("StringifyJSON(%#v) err = %v, want ErrNotJSON", v, err)
		}
	}
	if _, err := StringifyJSON(int32(1)); !errors.Is(err, ErrNotCanonical) {
		t.Errorf("non-canonical: %v", err)
	}
}

func TestStringifyJSONLenient(t *testing.T) {
	if got := StringifyJSONLenient([]any{BigInt(-5), Undefined}); got != "[-5,null]" {
		t.Errorf("got %s", got)
	}
	if got := StringifyJSONLenient(Undefined); got != "null" {
		t.Errorf("got %s", got)
	}
}

func TestObjectMarshalJSON(t *testing.T) {
	b, err := obj("z", int64(1), "a", "x").MarshalJSON()
	if err != nil || string(b) != `{"z":1,"a":"x"}` {
		t.Fatalf("got %s, %v", b, err)
	}
}

func TestParseJSONValues(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"0", int64(0)},
		{" -12 ", int64(-12)},
		{"9007199254740992", int64(1 << 53)},
		{"9007199254740993", float64(1 << 53)},
		{"1.0", 1.0},
		{"1e2", 100.0},
		{"1E-2", 0.01},
		{"1e400", math.Inf(1)},
		{"-1e400", math.Inf(-1)},
		{`"a\u00e9\ud83d\ude00\n\/"`, "aé😀\n/"},
		{`"\ud800x"`, "\uFFFDx"},
		{`"\udc00\ud800"`, "\uFFFD\uFFFD"},
		{`"é"`, "é"},
		{"[1, [2, {}], null]", []any{int64(1), []any{int64(2), NewObject()}, nil}},
		{`{"b":1,"a":{"c":[true,false]}}`, obj("b", int64(1), "a", obj("c", []any{true, false}))},
		{"\t\r\n true \n", true},
	}
	for _, c := range cases {
		got, err := ParseJSON(c.in)
		if err != nil || !EqualAny(got, c.want) {
			t.Errorf("ParseJSON(%q) = %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
}

func TestParseJSONNumberTypes(t *testing.T) {
	if v, _ := ParseJSON("5"); v != int64(5) {
		t.Errorf("5 -> %T", v)
	}
	if v, _ := ParseJSON("5.0"); v != 5.0 {
		t.Errorf("5.0 -> %T", v)
	}
	v, _ := ParseJSON("-0")
	if f, ok := v.(float64); !ok || f != 0 || !math.Signbit(f) {
		t.Errorf("-0 -> %#v", v)
	}
}

func TestParseJSONKeyOrderAndDuplicates(t *testing.T) {
	v, err := ParseJSON(`{"b":1,"10":2,"a":3,"2":4,"b":5}`)
	if err != nil {
		t.Fatal(err)
	}
	o := v.(Object)
	if got := strings.Join(o.Keys(), ","); got != "2,10,b,a" {
		t.Errorf("keys = %s", got)
	}
	if b, _ := o.Get("b"); b != int64(5) {
		t.Errorf("b = %v", b)
	}
	s, _ := StringifyJSON(v)
	if s != `{"2":4,"10":2,"b":5,"a":3}` { // node: JSON.stringify(JSON.parse(same input))
		t.Errorf("restringified %s", s)
	}
}

func TestParseJSONRejectsInvalid(t *testing.T) {
	for _, in := range []string{
		"", " ", "undefined", "nul", "tru", "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity",
		"[1,]", "[1 2]", "{\"a\"}", "{\"a\":1,}", "{a:1}", "{'a':1}", `"abc`, "\"a\x01\"", `"\x"`, `"\u12"`, `"\u12g4"`,
		"1 2", "[]x", "{}}", "\"\xff\"", "[", "{", "\u00a01",
	} {
		if v, err := ParseJSON(in); err == nil {
			t.Errorf("ParseJSON(%q) = %#v, want error", in, v)
		}
	}
	deep := strings.Repeat("[", MaxNestingDepth+1) + strings.Repeat("]", MaxNestingDepth+1)
	if _, err := ParseJSON(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep: %v", err)
	}
	if _, err := ParseJSON("[1,]"); !errors.Is(err, ErrInvalidJSON) {
		t.Errorf("error does not wrap ErrInvalidJSON: %v", err)
	}
}

func TestParseStringifyRoundTrip(t *testing.T) {
	for _, c := range stringifyVectors {
		if c.want == "null" && c.v != nil {
			continue // NaN/Infinity do not survive JSON, as in JS
		}
		v, err := ParseJSON(c.want)
		if err != nil {
			t.Errorf("%s: ParseJSON(%q): %v", c.js, c.want, err)
			continue
		}
		back, err := StringifyJSON(v)
		if err != nil || back != c.want {
			t.Errorf("%s: round trip %q -> %q, %v", c.js, c.want, back, err)
		}
	}
}

func TestStringifyJSONLenientBigIntIsStable(t *testing.T) {
	s := StringifyJSONLenient(BigInt(1 << 60))
	v, err := ParseJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	if again := StringifyJSONLenient(v); again != s || s != "1152921504606847000" {
		t.Fatalf("%s then %s", s, again)
	}
}

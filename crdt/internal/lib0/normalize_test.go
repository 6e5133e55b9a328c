package lib0

import (
	"errors"
	"math"
	"strings"
	"testing"
)

type celsius float64

func TestNormalizeAnyConversions(t *testing.T) {
	cases := []struct {
		in   any
		want any
	}{
		{7, int64(7)},
		{int8(-3), int64(-3)},
		{uint32(9), int64(9)},
		{uint64(1 << 60), float64(1 << 60)},
		{int64(-1 << 60), float64(-1 << 60)},
		{float32(1.5), 1.5},
		{celsius(2.5), 2.5},
		{[]string{"a", "b"}, []any{"a", "b"}},
		{[]int{1, 2}, []any{int64(1), int64(2)}},
		{[]float64{0.5}, []any{0.5}},
		{[2]bool{true, false}, []any{true, false}},
		{map[string]int{"x": 1}, obj("x", int64(1))},
		{[]map[string]any{{"a": nil}}, []any{obj("a", nil)}},
		{[]any{1, []any{uint8(2)}}, []any{int64(1), []any{int64(2)}}},
		{Undefined, Undefined},
		{BigInt(4), BigInt(4)},
		{[]byte{1}, []byte{1}},
	}
	for _, c := range cases {
		got, err := NormalizeAny(c.in)
		if err != nil || !EqualAny(got, c.want) {
			t.Errorf("NormalizeAny(%#v) = %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
	if v, _ := NormalizeAny(uint64(5)); v != int64(5) {
		t.Errorf("uint64 -> %T", v)
	}
}

func TestNormalizeAnyMapKeyOrder(t *testing.T) {
	v, err := NormalizeAny(map[string]any{"b": 1, "a": 2, "10": 3, "9": 4, "09": 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(v.(Object).Keys(), ","); got != "9,10,09,a,b" {
		t.Fatalf("keys = %s", got)
	}
	var e Encoder
	e.WriteAny(v) // must be canonical all the way down
}

func TestNormalizeAnyRejects(t *testing.T) {
	type point struct{ X int }
	var nilObj *Object
	for _, v := range []any{point{1}, &point{1}, make(chan int), map[int]string{1: "a"}, func() {}, nilObj, []any{complex(1, 2)}} {
		_, err := NormalizeAny(v)
		if !errors.Is(err, ErrNotCanonical) {
			t.Errorf("NormalizeAny(%T) err = %v", v, err)
		}
	}
	_, err := NormalizeAny(point{})
	if err == nil || !strings.Contains(err.Error(), "point") {
		t.Errorf("error should name the Go type: %v", err)
	}
	deep := any(1)
	for i := 0; i <= MaxNestingDepth+1; i++ {
		deep = []any{deep}
	}
	if _, err := NormalizeAny(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep: %v", err)
	}
}

func TestNormalizeAnyCopiesObjects(t *testing.T) {
	o := obj("a", 1) // non-canonical int inside
	v, err := NormalizeAny(&o)
	if err != nil {
		t.Fatal(err)
	}
	if x, _ := v.(Object).Get("a"); x != int64(1) {
		t.Fatalf("a = %#v", x)
	}
	if x, _ := o.Get("a"); x != 1 {
		t.Fatal("NormalizeAny modified its input")
	}
}

func TestEqualAny(t *testing.T) {
	eq := [][2]any{
		{int64(1), 1.0}, {0.0, math.Copysign(0, -1)}, {math.NaN(), math.NaN()},
		{obj("a", int64(1), "b", nil), obj("b", nil, "a", 1.0)},
		{[]any{[]byte{1}}, []any{[]byte{1}}}, {Undefined, Undefined}, {nil, nil}, {BigInt(2), BigInt(2)},
	}
	for _, p := range eq {
		if !EqualAny(p[0], p[1]) || !EqualAny(p[1], p[0]) {
			t.Errorf("EqualAny(%#v, %#v) = false", p[0], p[1])
		}
	}
	ne := [][2]any{
		{int64(1), int64(2)}, {BigInt(1), int64(1)}, {nil, Undefined}, {"1", int64(1)},
		{obj("a", int64(1)), obj("a", int64(1), "b", int64(2))}, {obj("a", int64(1)), obj("b", int64(1))},
		{[]any{}, []any{nil}}, {[]byte{1}, []any{int64(1)}}, {true, false}, {NewObject(), []any{}},
	}
	for _, p := range ne {
		if EqualAny(p[0], p[1]) || EqualAny(p[1], p[0]) {
			t.Errorf("EqualAny(%#v, %#v) = true", p[0], p[1])
		}
	}
}

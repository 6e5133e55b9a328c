package lib0

import (
	"fmt"
	"strings"
	"testing"
)

func TestObjectKeepsJSPropertyOrder(t *testing.T) {
	o := NewObject()
	for _, k := range []string{"b", "10", "a", "2", "01", "4294967295", "4294967294", "-1", "0"} {
		o.Set(k, k)
	}
	want := "0,2,10,4294967294,b,a,01,4294967295,-1"
	if got := strings.Join(o.Keys(), ","); got != want {
		t.Fatalf("keys = %s, want %s", got, want)
	}
}

func TestObjectSetReplacesInPlace(t *testing.T) {
	o := obj("x", int64(1), "y", int64(2))
	o.Set("x", "new")
	if got := strings.Join(o.Keys(), ","); got != "x,y" {
		t.Fatalf("keys = %s", got)
	}
	if v, ok := o.Get("x"); !ok || v != "new" {
		t.Fatalf("x = %v, %v", v, ok)
	}
	if _, ok := o.Get("missing"); ok {
		t.Fatal("Get(missing) reported ok")
	}
}

func TestObjectLargeUsesIndexConsistently(t *testing.T) {
	o := NewObject()
	for i := 0; i < 50; i++ {
		o.Set(fmt.Sprintf("k%02d", i), int64(i))
		o.Set(fmt.Sprint(49-i), int64(i)) // index keys inserted out of order
	}
	if o.Len() != 100 {
		t.Fatalf("len %d", o.Len())
	}
	keys := o.Keys()
	for i := 0; i < 50; i++ {
		if keys[i] != fmt.Sprint(i) || keys[50+i] != fmt.Sprintf("k%02d", i) {
			t.Fatalf("order broken at %d: %v", i, keys)
		}
		if v, _ := o.Get(fmt.Sprintf("k%02d", i)); v != int64(i) {
			t.Fatalf("Get k%02d = %v", i, v)
		}
		if v, _ := o.Get(fmt.Sprint(i)); v != int64(49-i) {
			t.Fatalf("Get %d = %v", i, v)
		}
	}
}

func TestObjectZeroValueAndSharing(t *testing.T) {
	var o Object
	if o.Len() != 0 || o.Keys() != nil {
		t.Fatal("zero object not empty")
	}
	o.Range(func(string, any) bool { t.Fatal("Range on empty called fn"); return true })
	o.Set("a", true)
	alias := o
	alias.Set("b", false)
	if o.Len() != 2 {
		t.Fatal("copies of an Object must share entries, like JS object references")
	}
	count := 0
	o.Range(func(string, any) bool { count++; return false })
	if count != 1 {
		t.Fatalf("Range did not stop: %d", count)
	}
}

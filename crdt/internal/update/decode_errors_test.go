package update

import (
	"errors"
	"testing"
)

func TestDecodeRejectsBadInput(t *testing.T) {
	cases := []struct {
		name, hex string
		want      error
	}{
		{"truncated", "01 01 01 00 04 01 01 74 05 68 65", ErrMalformed},
		{"huge block count", "ff ff ff ff 0f 00", ErrMalformed},
		{"huge struct count", "01 ff ff ff ff 0f 01 00 00", ErrTooManyStructs},
		{"unknown content ref", "01 01 01 00 0b 00", ErrUnknownContent},
		{"skip with flag bits", "01 01 01 00 8a 01 00 02 00", ErrUnknownContent},
		{"zero-length GC", "01 01 01 00 00 00 00", ErrZeroLength},
		{"zero-length skip", "01 01 01 00 0a 00 00", ErrZeroLength},
		{"empty string item", "01 01 01 00 04 01 01 74 00 00", ErrZeroLength},
		{"clock overflow", "01 02 01 ff ff ff ff ff ff ff 0f 00 02 00 01 00", ErrClockOverflow},
		{"zero-length delete range", "00 01 01 01 00 00", ErrZeroLength},
		{"unknown type ref", "01 01 01 00 07 01 01 74 09 00", ErrMalformed},
		{"subdocument with null options", "01 01 02 00 09 01 01 64 01 67 7e 00", ErrMalformed},
		{"invalid JSON element", "01 01 05 00 02 01 01 6a 01 01 7b 00", ErrMalformed},
	}
	for _, c := range cases {
		if _, err := Decode(hexBytes(t, c.hex), false); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// Bytes after the delete set are ignored, as Yjs ignores them.
	if _, err := Decode(hexBytes(t, "00 00 de ad"), false); err != nil {
		t.Errorf("trailing bytes: %v", err)
	}
}

func TestConvertRejectsValuesWithoutJSON(t *testing.T) {
	// A v2 embed holding a BigInt cannot become v1 JSON text (Yjs throws too).
	u := &Update{DeleteSet: NewDeleteSet(), Blocks: []ClientBlock{{Client: 1, Structs: []Struct{{
		Kind: KindItem, ID: ID{Client: 1}, Length: 1, HasParentName: true, ParentName: "t",
		Content: &ContentEmbed{Value: lib0BigInt(5)},
	}}}}}
	if _, err := Convert(u.Encode(true), true, false); !errors.Is(err, ErrNotJSON) {
		t.Fatalf("got %v, want ErrNotJSON", err)
	}
}

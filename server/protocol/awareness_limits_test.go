package protocol

import (
	"errors"
	"testing"
	"time"
)

// FuzzAwarenessApply decodes arbitrary bytes as awareness updates and applies them to a table with byte
// limits: no panic, the byte count always matches the live states and stays under the document limit, a
// refused update changes nothing, and the snapshot splits into messages under the message limit.
func FuzzAwarenessApply(f *testing.F) {
	f.Add(EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 1, State: `{"a":1}`}}), []byte{})
	f.Add(EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 1, State: `"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"`},
		{ClientID: 2, Clock: 3, State: `[1,2,3]`}}), EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 2, State: "null"}}))
	f.Add(EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 1, State: `1`}, {ClientID: 1, Clock: 2, State: `"yyyyyyyyyyyyy"`}}), []byte{1, 1, 1, 4, 'n', 'u', 'l', 'l'})
	const perState, total, maxMessage = 40, 100, 64
	f.Fuzz(func(t *testing.T, a, b []byte) {
		aw := NewAwareness(0)
		aw.SetByteLimits(perState, total)
		now := time.Unix(1000, 0)
		for _, payload := range [][]byte{a, b, a} {
			entries, err := DecodeAwarenessUpdate(payload)
			if err != nil {
				continue
			}
			before := aw.States()
			_, err = aw.Apply(entries, now)
			if errors.Is(err, ErrAwarenessStateTooLarge) || errors.Is(err, ErrAwarenessBytesFull) {
				if after := aw.States(); len(after) != len(before) {
					t.Fatalf("a refused update changed the table")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, e := range aw.States() {
				sum += len(e.State)
				if len(e.State) > perState {
					t.Fatalf("state of %d bytes accepted", len(e.State))
				}
			}
			if sum != aw.Bytes() || sum > total {
				t.Fatalf("Bytes() = %d, states hold %d (limit %d)", aw.Bytes(), sum, total)
			}
			n := 0
			for _, msg := range EncodeAwarenessMessages(aw.States(), maxMessage+perState) {
				if len(msg) > maxMessage+perState {
					t.Fatalf("snapshot message of %d bytes", len(msg))
				}
				m, err := DecodeMessage(msg)
				if err != nil {
					t.Fatal(err)
				}
				es, err := DecodeAwarenessUpdate(m.Awareness)
				if err != nil {
					t.Fatal(err)
				}
				n += len(es)
			}
			if n != aw.Len() {
				t.Fatalf("snapshot carried %d states of %d", n, aw.Len())
			}
		}
		aw.Remove([]uint64{1, 2, 3})
		aw.Expire(now.Add(time.Hour))
		if aw.Bytes() != 0 && aw.Len() == 0 {
			t.Fatalf("Bytes() = %d with no states", aw.Bytes())
		}
	})
}

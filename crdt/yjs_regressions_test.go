package crdt

import (
	"bytes"
	"reflect"
	"testing"
)

// Regression tests for divergences from Yjs found by the differential conformance suite
// (crdt/conformance, TestDifferential). Every expected value was produced by Yjs 13.6.33 running
// the same steps in node.

// applyAll applies v1 updates given as hex, in order.
func applyAll(t *testing.T, d *Doc, updates ...string) {
	t.Helper()
	for i, u := range updates {
		if err := d.ApplyUpdate(hx(t, u)); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
}

// Seed 4: an update holding two structs of a client whose clock 0 is still missing waits in
// pending; when clock 0 arrives, both structs must integrate. The queue of the blocked client
// used to stay the integration loop's current target after it was moved to the pending set, so
// its structs were read again and the pending set kept only the last one.
func TestPendingUpdateKeepsEveryStructOfABlockedClient(t *testing.T) {
	d := NewDoc(WithClientID(99), WithGC(false))
	d.GetText("text")
	d.GetArray("array")
	d.GetMap("map")
	d.GetXmlFragment("xml")
	applyAll(t, d, "0103d1e7aaa70500070103786d6c03026c6947d1e7aaa70500030268312800d1e7aaa7050105636c6173730177037a707600")

	// client 774759919, clocks 1..3: an array value and "fi"; clock 0 is unknown yet
	applyAll(t, d, "0102efcbb7f1020108010561727261790175037b431fdb4f8a12c7d87503797e7876000401047465787402666900")
	if !d.HasPending() {
		t.Fatal("structs starting at clock 1 of an unknown client must wait")
	}
	// the pending structs are relayed: both of them
	withPending := d.EncodeStateAsUpdate(nil)
	if !bytes.Contains(withPending, hx(t, "047465787402666900")) || !bytes.Contains(withPending, hx(t, "0561727261790175")) {
		t.Errorf("EncodeStateAsUpdate must relay both pending structs:\n % x", withPending)
	}

	// clock 0 arrives
	applyAll(t, d, "0101efcbb7f102002801036d6170057469746c6501750000")
	if d.HasPending() {
		t.Fatal("every struct can integrate once clock 0 is known")
	}
	if got := d.GetText("text").String(); got != "fi" {
		t.Errorf("text = %q, want %q", got, "fi")
	}
	if got := d.StateVector()[774759919]; got != 4 {
		t.Errorf("state of client 774759919 = %d, want 4", got)
	}
	wantBytes(t, "state", d.EncodeStateAsUpdate(nil),
		"0203d1e7aaa70500070103786d6c03026c6947d1e7aaa70500030268312800d1e7aaa7050105636c6173730177037a7076"+
			"03efcbb7f102002801036d6170057469746c6501750008010561727261790175037b431fdb4f8a12c7d87503797e78760004"+
			"01047465787402666900")
}

// Seeds 901 and 3116: Yjs decides to clean up formatting after a transaction when a remote
// change touched a text that has ever held formatting (YText._callObserver), not when a format
// marker was deleted. Here a remote deletion of "m" leaves "bold=true" and "bold=null" around
// nothing: Yjs's contextless cleanup deletes the first marker.
func TestRemoteChangeToFormattedTextCleansUpMarkers(t *testing.T) {
	d := NewDoc(WithClientID(3), WithGC(false))
	txt := d.GetText("t")
	applyAll(t, d,
		"0101010004010174026d6500", // client 1: "me"
		"0102010246010004626f6c640474727565c60100010104626f6c64046e756c6c00", // client 1: bold "m"
		"000101010001", // client 2 (concurrently): delete "m"
	)
	wantBytes(t, "state", d.EncodeStateAsUpdate(nil),
		"0104010004010174016d840100016546010004626f6c640474727565c60100010104626f6c64046e756c6c01010200010201")
	if got := txt.ToDelta(); len(got) != 1 || got[0].Insert != "e" || got[0].Attributes != nil {
		t.Errorf("delta = %+v, want [{Insert: e}]", got)
	}
}

// Yjs's equalAttrs, which the editing functions use, is a flat comparison: objects are equal
// when their properties are ===, so nested objects compare by identity.
func TestAttributeEqualityIsFlatAsInYjs(t *testing.T) {
	d := NewDoc(WithClientID(3), WithGC(false))
	txt := d.GetText("t")
	ups := recorder(d)
	must(t, txt.Insert(0, "abc", map[string]any{"link": map[string]any{"o": map[string]any{"x": 1}}}))
	must(t, txt.Format(1, 1, map[string]any{"link": map[string]any{"o": map[string]any{"x": 1}}}))
	must(t, txt.Format(2, 1, map[string]any{"link": map[string]any{"h": "y"}}))
	must(t, txt.Format(2, 1, map[string]any{"link": map[string]any{"h": "y"}}))
	want := []string{
		"0103030006010174046c696e6b0d7b226f223a7b2278223a317d7d84030003616263860303046c696e6b046e756c6c00",
		// the nested objects differ by identity, so yjs equalAttrs (a flat comparison) sees a
		// change and inserts markers around "b"
		"01020305c603010302046c696e6b0d7b226f223a7b2278223a317d7dc603020303046c696e6b0d7b226f223a7b2278223a317d7d00",
		"01020307c603020306046c696e6b097b2268223a2279227dc603030304046c696e6b0d7b226f223a7b2278223a317d7d0103010601",
		// the last Format: {h: "y"} is flat-equal to the current value, nothing changes
	}
	if len(*ups) != len(want) {
		t.Fatalf("%d updates, want %d: % x", len(*ups), len(want), *ups)
	}
	for i, w := range want {
		wantBytes(t, "update", (*ups)[i], w)
	}
}

// Yjs's cleanupFormattingGap compares attribute values with ===. Two clients that link the same
// text to equal but separately decoded objects leave two markers; deleting a character next to
// them must not delete the second marker as redundant (it is a different object), while a
// comparison by value would.
func TestFormattingCleanupComparesObjectsByIdentity(t *testing.T) {
	d := NewDoc(WithClientID(3), WithGC(false))
	txt := d.GetText("t")
	applyAll(t, d,
		"01010100040101740361626300", // client 1: "abc"
		"01020103460100046c696e6b0c7b2268726566223a2278227d860102046c696e6b046e756c6c00",     // client 1: link {href:x} on abc
		"01020200c601000101046c696e6b0c7b2268726566223a2278227d860102046c696e6b046e756c6c00", // client 2: link {href:x} on bc
	)
	ups := recorder(d)
	must(t, txt.Delete(1, 1))
	if len(*ups) != 1 {
		t.Fatalf("%d updates, want 1", len(*ups))
	}
	wantBytes(t, "local update (deletes only \"b\")", (*ups)[0], "000101010101")
	wantBytes(t, "state", d.EncodeStateAsUpdate(nil),
		"02020200c601000101046c696e6b0c7b2268726566223a2278227d860102046c696e6b046e756c6c05010004010174016184"+
			"010001628401010163460100046c696e6b0c7b2268726566223a2278227d860102046c696e6b046e756c6c0101010101")
}

// Reading a TextEvent's delta deletes the markers it finds redundant, in a transaction of its
// own, as YTextEvent.delta does; the delta is computed once per event.
func TestTextEventDeltaRemovesRedundantMarkersLikeYjs(t *testing.T) {
	bold := map[string]any{"bold": true}
	for _, c := range []struct {
		name       string
		updates    []string
		deltas     [][]Delta
		removal    string // the update of the marker removal
		finalState string
	}{
		{
			name: "a live marker repeats the attribute a new marker opened",
			updates: []string{
				"0101010004010174046162636400",                                           // client 1: "abcd"
				"01020104c60100010104626f6c640474727565c60102010304626f6c64046e756c6c00", // client 1: bold "bc"
				"0102020046010004626f6c640474727565c60102010304626f6c64046e756c6c00",     // client 2: bold "abc"
			},
			deltas: [][]Delta{
				{{Insert: "abcd"}},
				{{Retain: 1}, {Retain: 2, Attributes: bold}},
				{{Retain: 3, Attributes: bold}},
				{}, // the transaction that deleted client 1's redundant marker
			},
			removal: "000101010401",
			finalState: "0202020046010004626f6c640474727565c60102010304626f6c64046e756c6c0501000401017401618401000262638401020164" +
				"c60100010104626f6c640474727565c60102010304626f6c64046e756c6c0101010401",
		},
		{
			name: "a new marker opens an attribute already in effect",
			updates: []string{
				"0101010004010174046162636400",                                           // client 1: "abcd"
				"0102010446010004626f6c640474727565c60102010304626f6c64046e756c6c00",     // client 1: bold "abc"
				"01020200c60100010104626f6c640474727565c60101010204626f6c64046e756c6c00", // client 2: bold "b"
			},
			deltas: [][]Delta{
				{{Insert: "abcd"}},
				{{Retain: 3, Attributes: bold}},
				{{Retain: 2}, {Retain: 2, Attributes: map[string]any{"bold": nil}}},
				{},
			},
			removal: "000102010001",
			finalState: "02020200c60100010104626f6c640474727565c60101010204626f6c64046e756c6c0601000401017401618401000162840101" +
				"0163840102016446010004626f6c640474727565c60102010304626f6c64046e756c6c0102010001",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := NewDoc(WithClientID(3), WithGC(false))
			var deltas [][]Delta
			d.GetText("t").Observe(func(e *TextEvent) {
				first := e.Delta()
				if second := e.Delta(); !reflect.DeepEqual(first, second) {
					t.Errorf("second Delta() = %+v, first %+v", second, first)
				}
				deltas = append(deltas, first)
			})
			ups := recorder(d)
			applyAll(t, d, c.updates...)
			if len(deltas) != len(c.deltas) {
				t.Fatalf("deltas = %+v, want %+v", deltas, c.deltas)
			}
			for i, want := range c.deltas {
				if (len(deltas[i]) != 0 || len(want) != 0) && !reflect.DeepEqual(deltas[i], want) {
					t.Errorf("delta %d = %+v, want %+v", i, deltas[i], want)
				}
			}
			if len(*ups) != len(c.updates)+1 {
				t.Fatalf("%d updates, want %d", len(*ups), len(c.updates)+1)
			}
			wantBytes(t, "update of the marker removal", (*ups)[len(c.updates)], c.removal)
			wantBytes(t, "state", d.EncodeStateAsUpdate(nil), c.finalState)
		})
	}
}

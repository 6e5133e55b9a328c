package update

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// sessionCount random Yjs sessions feed the conformance tests; every failure
// names the session seed so it can be replayed alone.
const sessionCount = 24

// sessions runs seeded random editing sessions in real Yjs.
func sessions(t *testing.T, o *oracle.Oracle) []*oracle.Session {
	t.Helper()
	var out []*oracle.Session
	for seed := int64(1); seed <= sessionCount; seed++ {
		s, err := o.Session(oracle.SessionOptions{Seed: seed, Clients: 2 + int(seed%5), Steps: 40 + int(seed%4)*30, GC: seed%2 == 0})
		if err != nil {
			t.Fatalf("session %d: %v", seed, err)
		}
		out = append(out, s)
	}
	return out
}

// toV2 converts v1 updates with Yjs itself, so v2 inputs are Yjs-written.
func toV2(t *testing.T, o *oracle.Oracle, ups [][]byte) [][]byte {
	t.Helper()
	out := make([][]byte, len(ups))
	for i, u := range ups {
		b, err := o.Convert(u, true)
		if err != nil {
			t.Fatalf("oracle convert: %v", err)
		}
		out[i] = b
	}
	return out
}

func requireSame(t *testing.T, what string, got []byte, err error, want []byte, werr error) {
	t.Helper()
	if werr != nil {
		t.Fatalf("%s: Yjs failed: %v", what, werr)
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from Yjs\n got % x\nwant % x", what, got, want)
	}
}

func TestOracleRoundTripAndConvert(t *testing.T) {
	o := oracle.Start(t)
	for _, s := range sessions(t, o) {
		all := append([][]byte(nil), s.Updates...)
		for _, r := range s.Replicas {
			all = append(all, r.Final.StateV1)
		}
		for i, u := range all {
			what := fmt.Sprintf("session %d update %d", s.Seed, i)
			dec, err := Decode(u, false)
			if err != nil {
				t.Fatalf("%s: Decode: %v", what, err)
			}
			if !bytes.Equal(dec.Encode(false), u) {
				t.Fatalf("%s: v1 round trip differs", what)
			}
			want2, werr := o.Convert(u, true)
			got2, err := Convert(u, false, true)
			requireSame(t, what+" v1->v2", got2, err, want2, werr)
			want1, werr := o.Convert(want2, false)
			got1, err := Convert(want2, true, false)
			requireSame(t, what+" v2->v1", got1, err, want1, werr)
		}
		for _, r := range s.Replicas {
			dec, err := Decode(r.Final.StateV2, true)
			if err != nil || !bytes.Equal(dec.Encode(true), r.Final.StateV2) {
				t.Fatalf("session %d replica %d: v2 state round trip (%v)", s.Seed, r.ClientID, err)
			}
		}
	}
}

func TestOracleMerge(t *testing.T) {
	o := oracle.Start(t)
	for _, s := range sessions(t, o) {
		rng := rand.New(rand.NewPCG(uint64(s.Seed), 7))
		for _, v2 := range []bool{false, true} {
			ups := s.Updates
			if v2 {
				ups = toV2(t, o, ups)
			}
			want, werr := o.MergeUpdates(ups, v2)
			got, err := Merge(ups, v2)
			requireSame(t, fmt.Sprintf("session %d merge all (v2=%v)", s.Seed, v2), got, err, want, werr)
			for k := 0; k < 6; k++ {
				sub := randomSubset(rng, ups)
				want, werr := o.MergeUpdates(sub, v2)
				got, err := Merge(sub, v2)
				requireSame(t, fmt.Sprintf("session %d merge subset %d (v2=%v)", s.Seed, k, v2), got, err, want, werr)
			}
		}
	}
}

// randomSubset picks a random selection of the updates, in random order, with
// some of them repeated.
func randomSubset(rng *rand.Rand, ups [][]byte) [][]byte {
	var sub [][]byte
	for _, u := range ups {
		if rng.IntN(3) == 0 {
			sub = append(sub, u)
		}
		if rng.IntN(20) == 0 {
			sub = append(sub, u)
		}
	}
	rng.Shuffle(len(sub), func(i, j int) { sub[i], sub[j] = sub[j], sub[i] })
	return sub
}

func TestOracleDiffAndStateVector(t *testing.T) {
	o := oracle.Start(t)
	for _, s := range sessions(t, o) {
		rng := rand.New(rand.NewPCG(uint64(s.Seed), 11))
		for k := 0; k < 4; k++ {
			merged, err := Merge(randomSubset(rng, s.Updates), false)
			if err != nil {
				t.Fatal(err)
			}
			inputs := [][]byte{merged, s.Updates[rng.IntN(len(s.Updates))]}
			for _, r := range s.Replicas[:1] {
				inputs = append(inputs, r.Final.StateV1)
			}
			for i, u := range inputs {
				what := fmt.Sprintf("session %d input %d.%d", s.Seed, k, i)
				checkStateVector(t, o, what, u)
				for j := 0; j < 3; j++ {
					sv := randomStateVector(rng, s)
					want, werr := o.DiffUpdate(u, sv.Encode(), false)
					got, err := Diff(u, sv, false)
					requireSame(t, fmt.Sprintf("%s diff %v", what, sv), got, err, want, werr)
					u2, werr := o.Convert(u, true)
					if werr != nil {
						t.Fatal(werr)
					}
					want, werr = o.DiffUpdate(u2, sv.Encode(), true)
					got, err = Diff(u2, sv, true)
					requireSame(t, fmt.Sprintf("%s diff v2 %v", what, sv), got, err, want, werr)
				}
			}
		}
	}
}

func checkStateVector(t *testing.T, o *oracle.Oracle, what string, u []byte) {
	t.Helper()
	wantBytes, werr := o.StateVectorFromUpdate(u, false)
	if werr != nil {
		t.Fatalf("%s: Yjs state vector: %v", what, werr)
	}
	want, err := DecodeStateVector(wantBytes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := StateVectorOf(u, false)
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("%s: StateVectorOf = %v (%v), Yjs %v", what, got, err, want)
	}
}

// randomStateVector draws clocks around the session's real ranges, including
// clocks inside structs, at their ends, beyond them and unknown clients.
func randomStateVector(rng *rand.Rand, s *oracle.Session) StateVector {
	final, _ := DecodeStateVector(s.Replicas[0].Final.StateVector)
	sv := StateVector{}
	for c, n := range final {
		switch rng.IntN(4) {
		case 0:
		case 1:
			sv[c] = n
		case 2:
			sv[c] = rng.Uint64N(n + 1)
		default:
			sv[c] = n + rng.Uint64N(3)
		}
	}
	if rng.IntN(4) == 0 {
		sv[rng.Uint64N(1<<32)] = rng.Uint64N(10)
	}
	return sv
}

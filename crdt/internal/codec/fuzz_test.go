package codec

import (
	"bytes"
	"testing"
)

// readField performs the field read selected by op; it reports whether the
// read succeeded.
func readField(dec UpdateDecoder, op byte) bool {
	var err error
	switch op % 16 {
	case 0:
		_, err = dec.ReadLeftID()
	case 1:
		_, err = dec.ReadRightID()
	case 2:
		_, err = dec.ReadClient()
	case 3:
		_, err = dec.ReadInfo()
	case 4:
		_, err = dec.ReadString()
	case 5:
		_, err = dec.ReadParentInfo()
	case 6:
		_, err = dec.ReadTypeRef()
	case 7:
		_, err = dec.ReadLen()
	case 8:
		_, err = dec.ReadAny()
	case 9:
		_, err = dec.ReadBuf()
	case 10:
		_, err = dec.ReadJSON()
	case 11:
		_, err = dec.ReadKey()
	case 12:
		_, err = dec.ReadDsClock()
	case 13:
		_, err = dec.ReadDsLen()
	case 14:
		dec.ResetDsCurVal()
	case 15:
		_, err = dec.Rest().ReadVarUint()
	}
	return err == nil
}

// maxFuzzInput bounds the inputs the fuzz targets of this package look at. Coverage counts loop
// iterations, so the fuzzer keeps finding "new" inputs that only repeat more list elements, and
// grows them to kilobytes; Go then minimises each new input by trying O(n²) shorter candidates,
// which at this machine's few thousand execs/s stalled a run for tens of seconds (shown as
// 0 execs/s). A few hundred bytes hold many structs, clients and delete ranges; the decoders are
// linear, which their unit tests on the real traces check at full size.
const maxFuzzInput = 256

func addSeeds(f *testing.F) {
	for _, ex := range specExamples {
		f.Add(unhex(f, ex.v2), []byte{15, 15, 2, 15, 3, 5, 4, 4, 15})
		f.Add(unhex(f, ex.v1), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13})
	}
}

// FuzzDecoderV2: NewDecoderV2 followed by any sequence of field reads never
// panics; and whatever the test walker can read converts to v1 bytes that are
// a fixed point of v1 -> v1.
func FuzzDecoderV2(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, update, ops []byte) {
		if len(update)+len(ops) > maxFuzzInput {
			return
		}
		dec, err := NewDecoderV2(update)
		if err == nil {
			for _, op := range ops {
				readField(dec, op)
			}
		}
		if dec, err = NewDecoderV2(update); err != nil {
			return
		}
		v1 := NewEncoderV1()
		if transcodeWithBudget(dec, v1, fuzzBudget(update)) != nil {
			return
		}
		checkV1FixedPoint(t, v1.Bytes())
	})
}

// FuzzDecoderV1: the same for v1 input.
func FuzzDecoderV1(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, update, ops []byte) {
		if len(update)+len(ops) > maxFuzzInput {
			return
		}
		dec := NewDecoderV1(update)
		for _, op := range ops {
			readField(dec, op)
		}
		v1 := NewEncoderV1()
		if transcodeWithBudget(NewDecoderV1(update), v1, fuzzBudget(update)) != nil {
			return
		}
		checkV1FixedPoint(t, v1.Bytes())
		// And v1 -> v2 -> v1 is lossless for anything our encoder wrote.
		v2 := NewEncoderV2()
		if err := transcode(NewDecoderV1(v1.Bytes()), v2); err != nil {
			t.Fatalf("v1 -> v2 of re-encoded update failed: %v", err)
		}
		dec2, err := NewDecoderV2(v2.Bytes())
		if err != nil {
			t.Fatalf("our v2 output does not decode: %v", err)
		}
		back := NewEncoderV1()
		if err := transcode(dec2, back); err != nil || !bytes.Equal(back.Bytes(), v1.Bytes()) {
			t.Fatalf("v1 -> v2 -> v1 changed the update (%v)", err)
		}
	})
}

// fuzzBudget keeps each fuzz execution fast: real updates hold far fewer
// structs than bytes.
func fuzzBudget(update []byte) uint64 { return 4*uint64(len(update)) + 64 }

func checkV1FixedPoint(t *testing.T, v1 []byte) {
	t.Helper()
	again := NewEncoderV1()
	if err := transcode(NewDecoderV1(v1), again); err != nil {
		t.Fatalf("re-encoded v1 update does not decode: %v", err)
	}
	if !bytes.Equal(again.Bytes(), v1) {
		t.Fatalf("v1 re-encoding is not stable: %x vs %x", again.Bytes(), v1)
	}
}

package codec

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// transcode reads a whole update with dec and replays every field into enc,
// making exactly the calls Yjs's writeStructs / Item.write / Content*.write /
// writeDeleteSet make. It is a test-only struct walker: decoding v1 and
// encoding v2 with it must yield Yjs's own v2 bytes for the same document.
func transcode(dec UpdateDecoder, enc UpdateEncoder) error {
	return transcodeWithBudget(dec, enc, maxWalkStructs)
}

// transcodeWithBudget bounds the total number of structs walked: v2 structs may
// live entirely in run-length columns, so the input size alone does not bound
// the count and hostile input could otherwise keep the walker busy.
func transcodeWithBudget(dec UpdateDecoder, enc UpdateEncoder, budget uint64) error {
	blocks, err := dec.Rest().ReadVarUint()
	if err != nil {
		return err
	}
	enc.Rest().WriteVarUint(blocks)
	for b := uint64(0); b < blocks; b++ {
		if err := transcodeBlock(dec, enc, &budget); err != nil {
			return fmt.Errorf("block %d: %w", b, err)
		}
	}
	return transcodeDeleteSet(dec, enc)
}

func transcodeBlock(dec UpdateDecoder, enc UpdateEncoder, budget *uint64) error {
	structs, err := dec.Rest().ReadVarUint()
	if err != nil {
		return err
	}
	client, err := dec.ReadClient()
	if err != nil {
		return err
	}
	clock, err := dec.Rest().ReadVarUint()
	if err != nil {
		return err
	}
	if structs > *budget {
		return fmt.Errorf("struct count %d above the walker's budget", structs)
	}
	*budget -= structs
	enc.Rest().WriteVarUint(structs)
	enc.WriteClient(client)
	enc.Rest().WriteVarUint(clock)
	for i := uint64(0); i < structs; i++ {
		if err := transcodeStruct(dec, enc, budget); err != nil {
			return fmt.Errorf("struct %d: %w", i, err)
		}
	}
	return nil
}

const maxWalkStructs uint64 = 1 << 20

func transcodeStruct(dec UpdateDecoder, enc UpdateEncoder, budget *uint64) error {
	info, err := dec.ReadInfo()
	if err != nil {
		return err
	}
	enc.WriteInfo(info)
	switch info & 0x1f {
	case 0: // GC: its length lives in the len column in v2
		return copyLen(dec, enc)
	case 10: // Skip: its length stays in the rest stream
		n, err := dec.Rest().ReadVarUint()
		enc.Rest().WriteVarUint(n)
		return err
	}
	if info&0x80 != 0 {
		id, err := dec.ReadLeftID()
		if err != nil {
			return err
		}
		enc.WriteLeftID(id)
	}
	if info&0x40 != 0 {
		id, err := dec.ReadRightID()
		if err != nil {
			return err
		}
		enc.WriteRightID(id)
	}
	if info&0xc0 == 0 {
		if err := transcodeParent(dec, enc, info&0x20 != 0); err != nil {
			return err
		}
	}
	return transcodeContent(dec, enc, info&0x1f, budget)
}

func transcodeParent(dec UpdateDecoder, enc UpdateEncoder, hasSub bool) error {
	isYKey, err := dec.ReadParentInfo()
	if err != nil {
		return err
	}
	enc.WriteParentInfo(isYKey)
	if isYKey {
		err = copyString(dec, enc)
	} else {
		var id ID
		id, err = dec.ReadLeftID()
		enc.WriteLeftID(id)
	}
	if err == nil && hasSub {
		err = copyString(dec, enc)
	}
	return err
}

// transcodeContent charges element counts (ContentJSON, ContentAny) to the
// same budget: v2 can encode 2^53 empty strings in a few bytes.
func transcodeContent(dec UpdateDecoder, enc UpdateEncoder, ref byte, budget *uint64) error {
	switch ref {
	case 1: // Deleted
		return copyLen(dec, enc)
	case 2: // JSON (legacy): a count, then JSON texts in the string column
		n, err := readCount(dec, enc, budget)
		for i := uint64(0); i < n && err == nil; i++ {
			err = copyString(dec, enc)
		}
		return err
	case 3: // Binary
		b, err := dec.ReadBuf()
		enc.WriteBuf(b)
		return err
	case 4: // String
		return copyString(dec, enc)
	case 5: // Embed
		return copyJSON(dec, enc)
	case 6: // Format
		if err := copyKey(dec, enc); err != nil {
			return err
		}
		return copyJSON(dec, enc)
	case 7: // Type
		t, err := dec.ReadTypeRef()
		if err != nil {
			return err
		}
		enc.WriteTypeRef(t)
		if t == 3 || t == 5 { // XmlElement nodeName, XmlHook hookName
			return copyKey(dec, enc)
		}
		return nil
	case 8: // Any
		n, err := readCount(dec, enc, budget)
		for i := uint64(0); i < n && err == nil; i++ {
			err = copyAny(dec, enc)
		}
		return err
	case 9: // Doc: guid then opts
		if err := copyString(dec, enc); err != nil {
			return err
		}
		return copyAny(dec, enc)
	}
	return fmt.Errorf("unknown content ref %d", ref)
}

func transcodeDeleteSet(dec UpdateDecoder, enc UpdateEncoder) error {
	clients, err := dec.Rest().ReadVarUint()
	if err != nil {
		return err
	}
	enc.Rest().WriteVarUint(clients)
	for c := uint64(0); c < clients; c++ {
		dec.ResetDsCurVal()
		enc.ResetDsCurVal()
		client, err1 := dec.Rest().ReadVarUint()
		ranges, err2 := dec.Rest().ReadVarUint()
		if err1 != nil || err2 != nil {
			return fmt.Errorf("delete set header: %v %v", err1, err2)
		}
		enc.Rest().WriteVarUint(client)
		enc.Rest().WriteVarUint(ranges)
		end := uint64(0)
		for r := uint64(0); r < ranges; r++ {
			clock, err1 := dec.ReadDsClock()
			n, err2 := dec.ReadDsLen()
			if err1 != nil || err2 != nil {
				return fmt.Errorf("delete set range: %v %v", err1, err2)
			}
			// An engine sorts and merges ranges before encoding; the v2
			// encoder cannot express anything else (and panics on it).
			if clock < end || n == 0 {
				return fmt.Errorf("delete set range %d+%d is unsorted or empty", clock, n)
			}
			end = clock + n
			enc.WriteDsClock(clock)
			enc.WriteDsLen(n)
		}
	}
	return nil
}

// readCount copies an element count, charging it to the walk budget.
func readCount(dec UpdateDecoder, enc UpdateEncoder, budget *uint64) (uint64, error) {
	n, err := dec.ReadLen()
	if err != nil {
		return 0, err
	}
	if n > *budget {
		return 0, fmt.Errorf("element count %d above the walker's budget", n)
	}
	*budget -= n
	enc.WriteLen(n)
	return n, nil
}

func copyLen(dec UpdateDecoder, enc UpdateEncoder) error {
	n, err := dec.ReadLen()
	enc.WriteLen(n)
	return err
}

func copyString(dec UpdateDecoder, enc UpdateEncoder) error {
	s, err := dec.ReadString()
	enc.WriteString(s)
	return err
}

func copyKey(dec UpdateDecoder, enc UpdateEncoder) error {
	s, err := dec.ReadKey()
	enc.WriteKey(s)
	return err
}

func copyJSON(dec UpdateDecoder, enc UpdateEncoder) error {
	v, err := dec.ReadJSON()
	if err == nil {
		enc.WriteJSON(v)
	}
	return err
}

func copyAny(dec UpdateDecoder, enc UpdateEncoder) error {
	v, err := dec.ReadAny()
	if err == nil {
		enc.WriteAny(v)
	}
	return err
}

// tracesDir finds ../shared/traces relative to the module root (the directory
// holding go.mod), so tests work from any package directory.
func tracesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "traces")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

func readTrace(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tracesDir(t), rel))
	if err != nil {
		t.Fatalf("reading trace %s: %v", rel, err)
	}
	return b
}

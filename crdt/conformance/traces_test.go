package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// sequentialTrace is a single-user editing trace (traces README, "Sequential trace").
type sequentialTrace struct {
	EndContent string `json:"endContent"`
	Txns       []struct {
		Patches []tracePatch `json:"patches"`
	} `json:"txns"`
}

// tracePatch is [pos, delCount, insert]: like Array.splice at pos, in code points (which equal UTF-16
// units in these traces, none holding a character above U+FFFF).
type tracePatch struct {
	Pos, Delete int
	Insert      string
}

func (p *tracePatch) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 3 {
		return fmt.Errorf("patch %s: want [pos, delCount, insert]", b)
	}
	if err := json.Unmarshal(raw[0], &p.Pos); err != nil {
		return fmt.Errorf("patch position: %w", err)
	}
	if err := json.Unmarshal(raw[1], &p.Delete); err != nil {
		return fmt.Errorf("patch delete count: %w", err)
	}
	if err := json.Unmarshal(raw[2], &p.Insert); err != nil {
		return fmt.Errorf("patch insert: %w", err)
	}
	return nil
}

func readGzip(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

func readSequentialTrace(path string) (*sequentialTrace, error) {
	data, err := readGzip(path)
	if err != nil {
		return nil, err
	}
	var tr sequentialTrace
	if err := json.Unmarshal(data, &tr); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &tr, nil
}

// errTrailingBytes reports input left over after a complete length-prefixed stream.
var errTrailingBytes = errors.New("conformance: trailing bytes after the last update")

// maxStreamCount bounds the declared count of a stream, so a corrupt header cannot ask for a huge
// allocation; the real fixtures hold at most 259,778 updates.
const maxStreamCount = 1 << 24

// decodeUpdateStream reads the fixtures' update stream: varUint N, then N varUint8Arrays.
func decodeUpdateStream(b []byte) ([][]byte, error) {
	d := lib0.NewDecoder(b)
	n, err := d.ReadVarUint()
	if err != nil {
		return nil, fmt.Errorf("update count: %w", err)
	}
	if n > maxStreamCount || n > uint64(d.Remaining()) {
		return nil, fmt.Errorf("update count %d exceeds what %d bytes can hold", n, d.Remaining())
	}
	updates := make([][]byte, 0, n)
	for i := range n {
		u, err := d.ReadVarBytes()
		if err != nil {
			return nil, fmt.Errorf("update %d: %w", i, err)
		}
		updates = append(updates, bytes.Clone(u))
	}
	if d.Remaining() != 0 {
		return nil, errTrailingBytes
	}
	return updates, nil
}

package store

import (
	"errors"
	"fmt"
)

// DocInfo describes a stored document.
type DocInfo struct {
	ID            string `json:"id"`
	LogCount      uint64 `json:"logCount"`
	LogBytes      uint64 `json:"logBytes"`
	SnapshotBytes uint64 `json:"snapshotBytes"`
	nextSeq       uint64
}

// Bytes is the stored size of the document.
func (d DocInfo) Bytes() uint64 { return d.LogBytes + d.SnapshotBytes }

func (d DocInfo) encode() []byte {
	var b []byte
	for _, v := range []uint64{d.nextSeq, d.LogCount, d.LogBytes, d.SnapshotBytes} {
		b = appendUvarint(b, v)
	}
	return b
}

func decodeDocInfo(id string, b []byte) (DocInfo, error) {
	d := DocInfo{ID: id}
	for _, dst := range []*uint64{&d.nextSeq, &d.LogCount, &d.LogBytes, &d.SnapshotBytes} {
		v, n := uvarint(b)
		if n <= 0 {
			return DocInfo{}, fmt.Errorf("%w: meta of %q", ErrCorrupt, id)
		}
		*dst, b = v, b[n:]
	}
	return d, nil
}

// ErrCorrupt reports stored bytes this code cannot read.
var ErrCorrupt = errors.New("meridian/store: corrupt record")

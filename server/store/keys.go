package store

import "encoding/binary"

// Key families; see the layout in doc.go.
const (
	familyMeta      = 'm'
	familySnapshot  = 's'
	familyLog       = 'l'
	familyTombstone = 't'
)

func docKey(family byte, docID string) []byte {
	k := make([]byte, 0, 2+len(docID))
	k = append(k, family, 0)
	return append(k, docID...)
}

// logKey is the key of log entry seq of docID.
func logKey(docID string, seq uint64) []byte {
	k := make([]byte, 0, 11+len(docID))
	k = append(k, familyLog, 0)
	k = append(k, docID...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

// logBounds returns [lower, upper) covering every log entry of docID.
func logBounds(docID string) (lower, upper []byte) {
	lower = append(docKey(familyLog, docID), 0)
	upper = append(docKey(familyLog, docID), 1)
	return lower, upper
}

// familyBounds returns [lower, upper) of the keys of family whose doc id starts with prefix.
func familyBounds(family byte, prefix string) (lower, upper []byte) {
	lower = docKey(family, prefix)
	return lower, prefixEnd(lower)
}

// prefixEnd is the smallest key greater than every key starting with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

package client

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// offlineFile keeps the unacknowledged local updates of one document in a directory, so that a program
// restarted before the server stored them resumes and sends them. Each update is one record,
// `uint32 length, uint32 CRC-32C, bytes`, appended and fsynced when the edit is made; the file is rewritten
// (atomically, by rename) when acks shrink the queue. A torn last record (a crash mid-append) is ignored.
type offlineFile struct {
	path string
	f    *os.File
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// offlinePath names a document's file: the id is hex-encoded so any id is a safe single file name.
func offlinePath(dir, docID string) string {
	return filepath.Join(dir, "meridian-"+hex.EncodeToString([]byte(docID))+".pending")
}

// openOffline opens (creating if needed) the document's file and returns the updates it holds.
func openOffline(dir, docID string) (*offlineFile, [][]byte, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("meridian/client: offline directory: %w", err)
	}
	o := &offlineFile{path: offlinePath(dir, docID)}
	updates, err := readRecords(o.path)
	if err != nil {
		return nil, nil, err
	}
	// Rewrite first: it drops a torn tail, so later appends start on a record boundary.
	if err := o.rewrite(updates); err != nil {
		return nil, nil, err
	}
	return o, updates, nil
}

func readRecords(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("meridian/client: offline file: %w", err)
	}
	return decodeRecords(data), nil
}

// decodeRecords returns the intact records of data, stopping at a torn or corrupt one: everything before it was
// fsynced whole.
func decodeRecords(data []byte) [][]byte {
	var out [][]byte
	for len(data) >= 8 {
		n, sum := binary.LittleEndian.Uint32(data[:4]), binary.LittleEndian.Uint32(data[4:8])
		if uint64(n) > uint64(len(data)-8) {
			break
		}
		body := data[8 : 8+n]
		if crc32.Checksum(body, crcTable) != sum {
			break
		}
		out = append(out, body)
		data = data[8+n:]
	}
	return out
}

func appendRecord(b, update []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(update)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(update, crcTable))
	return append(b, update...)
}

// append stores one more update durably.
func (o *offlineFile) append(update []byte) error {
	if _, err := o.f.Write(appendRecord(nil, update)); err != nil {
		return fmt.Errorf("meridian/client: offline file: %w", err)
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("meridian/client: offline file: %w", err)
	}
	return nil
}

// rewrite replaces the file's content with updates, atomically.
func (o *offlineFile) rewrite(updates [][]byte) error {
	var buf []byte
	for _, u := range updates {
		buf = appendRecord(buf, u)
	}
	tmp := o.path + ".tmp"
	if err := writeSynced(tmp, buf); err != nil {
		return fmt.Errorf("meridian/client: offline file: %w", err)
	}
	if o.f != nil {
		o.f.Close()
		o.f = nil
	}
	if err := os.Rename(tmp, o.path); err != nil {
		return fmt.Errorf("meridian/client: offline file: %w", err)
	}
	f, err := os.OpenFile(o.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("meridian/client: offline file: %w", err)
	}
	o.f = f
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (o *offlineFile) close() error {
	if o == nil || o.f == nil {
		return nil
	}
	err := o.f.Close()
	o.f = nil
	return err
}

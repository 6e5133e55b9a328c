package durable

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"

	"github.com/meridian-sync/meridian/replication/core"
)

// Pebble stores records under a key prefix of a Pebble DB it does not own (the caller closes it).
type Pebble struct {
	db     *pebble.DB
	prefix []byte
}

var _ Storage = (*Pebble)(nil)

// NewPebble stores records in db under prefix, which must not be shared with other data.
func NewPebble(db *pebble.DB, prefix []byte) *Pebble {
	return &Pebble{db: db, prefix: append([]byte(nil), prefix...)}
}

// Load reads every record under the prefix.
func (p *Pebble) Load() ([]core.Record, error) {
	it, err := p.db.NewIter(&pebble.IterOptions{LowerBound: p.prefix, UpperBound: prefixEnd(p.prefix)})
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/durable: %w", err)
	}
	var out []core.Record
	for it.First(); it.Valid(); it.Next() {
		out = append(out, core.Record{
			Key:   string(it.Key()[len(p.prefix):]),
			Value: append([]byte{}, it.Value()...),
		})
	}
	if err := it.Close(); err != nil {
		return nil, fmt.Errorf("meridian/replication/durable: %w", err)
	}
	return out, nil
}

// Save commits the records in one synced batch: on return they survive a process or machine crash.
func (p *Pebble) Save(records []core.Record) error {
	if len(records) == 0 {
		return nil
	}
	b := p.db.NewBatch()
	defer b.Close()
	for _, r := range records {
		key := append(append([]byte(nil), p.prefix...), r.Key...)
		var err error
		if r.Value == nil {
			err = b.Delete(key, nil)
		} else {
			err = b.Set(key, r.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("meridian/replication/durable: %w", err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("meridian/replication/durable: commit: %w", err)
	}
	return nil
}

// prefixEnd is the smallest key greater than every key with the prefix.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil // the prefix is all 0xff: no upper bound
}

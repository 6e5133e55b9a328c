package durable

import (
	"sort"
	"sync"

	"github.com/meridian-sync/meridian/replication/core"
)

// Memory is an in-memory Storage for tests; it survives a simulated crash if the test keeps it.
type Memory struct {
	mu      sync.Mutex
	records map[string][]byte
}

var _ Storage = (*Memory)(nil)

// NewMemory returns an empty Memory.
func NewMemory() *Memory { return &Memory{records: map[string][]byte{}} }

// Load returns the records sorted by key.
func (m *Memory) Load() ([]core.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]core.Record, 0, len(m.records))
	for k, v := range m.records {
		out = append(out, core.Record{Key: k, Value: append([]byte{}, v...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Save applies the records in order.
func (m *Memory) Save(records []core.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range records {
		if r.Value == nil {
			delete(m.records, r.Key)
		} else {
			m.records[r.Key] = append([]byte{}, r.Value...)
		}
	}
	return nil
}

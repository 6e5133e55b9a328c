package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Sentinel errors.
var (
	ErrClosed  = errors.New("meridian/store: closed")
	ErrDeleted = errors.New("meridian/store: document deleted")
)

// DefaultCompactLogCount is the log length past which a document is compacted. Every compaction rewrites the
// whole snapshot, so a low count means snapshots rewritten often: at 500, a server of 100 documents each typed
// into 50 times a second wrote each snapshot every 10 s, and the merges and the memtable flushes they caused
// were the background work the p99 fan-out latency waited behind (6 interleaved pairs at 5 updates/s per
// client: p99 median 10.9 ms at 500, 8.4 ms at 2,000). Loading a document replays its log, and 2,000 typed
// updates replay in a few milliseconds.
const DefaultCompactLogCount = 2000

// Options configures a Store. Zero values take the documented defaults.
type Options struct {
	Dir string // database directory (created if missing)
	// Merge merges v1 updates into one (crdt.MergeUpdates). Without it, background compaction is off.
	Merge func(updates [][]byte) ([]byte, error)
	// CompactLogCount and CompactLogBytes trigger compaction of a document whose log exceeds either.
	CompactLogCount uint64 // default DefaultCompactLogCount
	CompactLogBytes uint64 // default 1 MiB
	// CompactionShare bounds the background compactor to this share of one CPU (default 0.2): after each
	// compaction it rests for as long as the merge took times (1-share)/share. Documents written at the
	// same pace reach their thresholds together; unpaced, a hundred of them compacting back to back took
	// 200 ms of a busy CPU at once, and every connection's updates queued behind that burst for about a
	// second (BENCHMARKS.md, Server). Paced, the same work is spread thin.
	CompactionShare float64
	// MaxBatchOps bounds the writes joined into one synced batch (default 4096).
	MaxBatchOps int
	// CommitWindow is the shortest time between the starts of two synced batches (default 2 ms; negative:
	// none). A write arriving after a quiet spell is committed at once; under load the writes of the next
	// window share one fsync instead of each paying its own. Many tiny fsyncs cost more than the wait: on
	// a one-CPU node every fsync also holds the Go scheduler's only P until sysmon takes it back, so at
	// 5,000 writes/s without a window the server spent most of its time stalled in fdatasync, batches
	// stayed at ~3 writes and p50 fan-out latency reached 200 ms (BENCHMARKS.md, Server).
	CommitWindow time.Duration
	// OnNumbered receives, after each synced batch and in number order, the replicated writes the batch
	// numbered (AppendWithState with Replicate, DeleteReplicated): the server hands them to replication
	// there. It runs on the commit goroutine and must not block.
	OnNumbered func([]Numbered)
	// CacheBytes is Pebble's block cache (default 64 MiB; Pebble's own default is 8 MiB). Serving a peer's
	// bootstrap reads every document once, in id order: with 8 MiB the index and data blocks of a 100k
	// document store were read and decompressed again for almost every document.
	CacheBytes int64
	// FS is the filesystem Pebble uses (default the OS's); tests pass vfs.NewCrashableMem or an
	// error-injecting FS. Its GetDiskUsage is how the store measures free space (health.go).
	FS vfs.FS
	// MinFreeBytes: writes are refused (ErrFull) while the filesystem has less free space than this
	// (default 1/32 of the filesystem, at least 16 MiB or an eighth of a small one, at most 1 GiB;
	// negative: never refused for space, only when a write finds the disk full).
	MinFreeBytes int64
	// ReserveBytes is the size of the reserve file given up when the disk fills, so that Pebble can finish
	// what it started (default 1/64 of the filesystem, at least 8 MiB or a sixteenth of a small one, at most
	// 64 MiB; negative: none). Both defaults are none on a filesystem that cannot tell its size.
	ReserveBytes int64
	// HealthInterval is how often free space is measured and, while full, recovery tried (default 1 s).
	HealthInterval time.Duration
	// OnHealth receives every change of the storage state (ok, full, failed). It runs on a store or Pebble
	// goroutine, possibly while Pebble holds writes back, and must not block.
	OnHealth func(Health)
	// Observer receives measurements; nil fields are skipped. Callbacks run on store goroutines and must
	// not block.
	Observer Observer
	Logger   *slog.Logger
}

// Observer is the store's metrics seam.
type Observer struct {
	Committed func(ops int, bytes int, fsync time.Duration)
	Compacted func(docID string, entries uint64, before, after uint64, took time.Duration)
}

func (o *Options) ensureDefaults() {
	if o.CompactLogCount == 0 {
		o.CompactLogCount = DefaultCompactLogCount
	}
	if o.CompactLogBytes == 0 {
		o.CompactLogBytes = 1 << 20
	}
	if o.CompactionShare <= 0 || o.CompactionShare > 1 {
		o.CompactionShare = 0.2
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 64 << 20
	}
	if o.MaxBatchOps == 0 {
		o.MaxBatchOps = 4096
	}
	if o.CommitWindow == 0 {
		o.CommitWindow = 2 * time.Millisecond
	}
	if o.HealthInterval <= 0 {
		o.HealthInterval = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.FS == nil {
		o.FS = vfs.Default
	}
}

// Store is a Pebble-backed document store. Safe for concurrent use.
type Store struct {
	db     *pebble.DB
	opts   Options
	health *health

	mu struct {
		sync.RWMutex
		closed bool
	}
	ops       chan *op
	compactCh chan string
	compactMu struct {
		sync.Mutex
		queued map[string]bool
	}
	stop chan struct{}
	wg   sync.WaitGroup
	// pushSeq is the last push number given out (pushlog.go); owned by the commit loop once open.
	pushSeq uint64
}

// withBloomFilters gives every level's tables a bloom filter (10 bits a key, about 1% false positives). Most
// point reads ask for keys that are not there (the tombstone of a live document, the meta of a new one, every
// key of a document a bootstrap is copying); without filters each such miss opens and decodes a data block of
// every table that might hold it: three quarters of a bootstrapping node's CPU went to those misses.
func withBloomFilters(o *pebble.Options) {
	for i := range o.Levels {
		o.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
}

// Open opens (or creates) the store in opts.Dir.
func Open(opts Options) (*Store, error) {
	opts.ensureDefaults()
	if opts.Dir == "" {
		return nil, errors.New("meridian/store: no data directory given")
	}
	space := &diskSpace{fs: opts.FS, dir: opts.Dir}
	h := newHealth(space, opts.Logger, opts.OnHealth)
	popts := &pebble.Options{Logger: quietPebbleLogger{opts.Logger, h},
		FS:            vfs.OnDiskFull(opts.FS, func() { h.markFull("the disk filled up: a write failed with ENOSPC") }),
		EventListener: h.pebbleEvents()}
	withBloomFilters(popts)
	popts.CacheSize = opts.CacheBytes
	db, err := pebble.Open(opts.Dir, popts)
	if err != nil {
		return nil, fmt.Errorf("meridian/store: open %s: %w", opts.Dir, err)
	}
	h.opened.Store(true)
	space.sizeDefaults(opts.ReserveBytes, opts.MinFreeBytes)
	space.releaseReserve() // one left by an earlier run is not counted on: make it anew
	if err := space.createReserve(); err != nil {
		h.markFull(fmt.Sprintf("no room for the %s reserve at start: %v", mib(space.reserve), err))
	} else if reason, low := space.low(0); low {
		h.markFull(reason)
	}
	s := &Store{db: db, opts: opts, health: h, ops: make(chan *op, opts.MaxBatchOps),
		compactCh: make(chan string, 1024), stop: make(chan struct{})}
	if b, err := get(db, replicationKey(pushSeqKey)); err == nil {
		s.pushSeq, _ = uvarint(b)
	} else if !errors.Is(err, pebble.ErrNotFound) {
		db.Close()
		return nil, fmt.Errorf("meridian/store: reading the push numbering: %w", err)
	}
	s.compactMu.queued = map[string]bool{}
	s.wg.Add(3)
	go s.commitLoop()
	go s.compactLoop()
	go s.healthLoop()
	return s, nil
}

// Health reports whether the store takes writes and, if not, why.
func (s *Store) Health() Health { return s.health.get() }

func (s *Store) healthLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.health.tick()
		}
	}
}

// Close stops accepting writes, commits those already submitted, stops compaction, and closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.mu.closed = true
	close(s.ops)
	close(s.stop)
	s.mu.Unlock()
	s.wg.Wait()
	if s.health.parked.Load() > 0 {
		// Pebble would wait for the parked goroutine for ever; the process is about to exit anyway.
		return fmt.Errorf("%w: database left open after a fatal Pebble error", ErrFailed)
	}
	return s.db.Close()
}

// Document is what Load returns: replay Snapshot then Updates, in order, to rebuild the document.
type Document struct {
	Info     DocInfo
	Exists   bool
	Snapshot []byte   // nil if never compacted
	Updates  [][]byte // log entries written since the snapshot
}

// Load reads a document as one consistent view (a Pebble snapshot), even while it is being compacted.
func (s *Store) Load(docID string) (Document, error) {
	if err := s.open(); err != nil {
		return Document{}, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	d, _, err := loadFrom(snap, docID)
	return d, err
}

// loadFrom reads a document from r and also returns the seq of its last log entry.
func loadFrom(snap pebble.Reader, docID string) (Document, uint64, error) {
	if _, err := get(snap, docKey(familyTombstone, docID)); err == nil {
		return Document{}, 0, ErrDeleted
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return Document{}, 0, err
	}
	metaBytes, err := get(snap, docKey(familyMeta, docID))
	if errors.Is(err, pebble.ErrNotFound) {
		return Document{Info: DocInfo{ID: docID}}, 0, nil
	} else if err != nil {
		return Document{}, 0, err
	}
	d := Document{Exists: true}
	if d.Info, err = decodeDocInfo(docID, metaBytes); err != nil {
		return Document{}, 0, err
	}
	if d.Snapshot, err = get(snap, docKey(familySnapshot, docID)); err != nil && !errors.Is(err, pebble.ErrNotFound) {
		return Document{}, 0, err
	}
	var last uint64
	d.Updates, last, err = readLog(snap, docID)
	return d, last, err
}

// readLog returns every log entry of docID and the seq of the last one.
func readLog(r pebble.Reader, docID string) ([][]byte, uint64, error) {
	lower, upper := logBounds(docID)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	var out [][]byte
	var last uint64
	for it.First(); it.Valid(); it.Next() {
		out = append(out, bytes.Clone(it.Value()))
		k := it.Key()
		last = beUint64(k[len(k)-8:])
	}
	return out, last, it.Error()
}

// Info returns the stored size of a document; ok is false for an unknown or deleted document.
func (s *Store) Info(docID string) (info DocInfo, ok bool, err error) {
	if err := s.open(); err != nil {
		return DocInfo{}, false, err
	}
	b, err := get(s.db, docKey(familyMeta, docID))
	if errors.Is(err, pebble.ErrNotFound) {
		return DocInfo{ID: docID}, false, nil
	} else if err != nil {
		return DocInfo{}, false, err
	}
	info, err = decodeDocInfo(docID, b)
	return info, err == nil, err
}

// List returns up to limit documents whose id starts with prefix and sorts after cursor (exclusive), and the
// cursor of the next page ("" when there is none).
func (s *Store) List(prefix, cursor string, limit int) ([]DocInfo, string, error) {
	if err := s.open(); err != nil {
		return nil, "", err
	}
	lower, upper := familyBounds(familyMeta, prefix)
	if cursor != "" {
		if after := append(docKey(familyMeta, cursor), 0); bytes.Compare(after, lower) > 0 {
			lower = after
		}
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, "", err
	}
	defer it.Close()
	var out []DocInfo
	for it.First(); it.Valid(); it.Next() {
		if len(out) == limit {
			return out, out[len(out)-1].ID, nil
		}
		info, err := decodeDocInfo(string(it.Key()[2:]), it.Value())
		if err != nil {
			return nil, "", err
		}
		out = append(out, info)
	}
	return out, "", it.Error()
}

func (s *Store) open() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mu.closed {
		return ErrClosed
	}
	return nil
}

func get(r pebble.Reader, key []byte) ([]byte, error) {
	v, closer, err := r.Get(key)
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return bytes.Clone(v), nil
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// quietPebbleLogger routes Pebble's own messages to slog at debug level (errors stay errors); a fatal
// error turns the store failed (health.fatal).
type quietPebbleLogger struct {
	log    *slog.Logger
	health *health
}

func (l quietPebbleLogger) Infof(format string, args ...any) {
	l.log.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}
func (l quietPebbleLogger) Errorf(format string, args ...any) {
	l.log.Error(fmt.Sprintf(format, args...), "component", "pebble")
}
func (l quietPebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.log.Error(msg, "component", "pebble")
	l.health.fatal(format, msg) // Pebble's contract: Fatalf does not return
}

var _ io.Closer = (*Store)(nil)

// Command bench measures the crdt engine beside Yjs on node, in one run, and prints a table with the ratios and
// the targets of the engine issue. `make bench-crdt` runs it:
//
//	go run ./crdt/bench -traces ../shared/traces [-runs 5] [-only replay] [-trace NAME]
//
// -cpuprofile and -memprofile profile the Go side; -go-only skips node (for profiling runs).
//
// Every figure is the median of -runs samples; an op faster than 50 ms repeats inside one sample until the sample
// lasts at least 50 ms, and the figure is the time per op (the same rule on both sides). Yjs is measured by crdt/bench/yjs.mjs in a node process started by this
// command, so both sides run on the same machine in the same minute. Memory is measured in fresh processes on both
// sides: Go heap in use after GC, against node's heapUsed after GC.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

var traceNames = []string{"automerge-paper", "seph-blog1", "rustcode", "sveltecomponent", "friendsforever_flat", "clownschool_flat"}

type result struct {
	Bench string  `json:"bench"`
	Trace string  `json:"trace"`
	Ms    float64 `json:"ms"`
	Bytes int64   `json:"bytes"`
}

func main() {
	tracesDir := flag.String("traces", "../shared/traces", "the shared traces folder")
	runs := flag.Int("runs", 5, "runs per measurement; the median is reported")
	only := flag.String("only", "", "run only this bench (replay, replay-emit, apply, encode-v1, encode-v2, load-v1, load-v2, merge, memory)")
	memoryOf := flag.String("memory-of", "", "internal: measure the heap of one loaded trace state and exit")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the Go side to this file")
	memProfile := flag.String("memprofile", "", "write an allocation profile of the Go side to this file")
	traceOnly := flag.String("trace", "", "measure only this trace (the apply, merge and memory benches always use automerge-paper)")
	goOnly := flag.Bool("go-only", false, "measure only the Go side (for profiling; no table ratios)")
	flag.Parse()

	if *memoryOf != "" {
		fmt.Println(measureGoMemory(*tracesDir, *memoryOf))
		return
	}
	if *traceOnly != "" {
		traceNames = []string{*traceOnly}
	}
	b := &bench{traces: *tracesDir, runs: *runs, only: *only, trace: *traceOnly}
	stopProfiles := startProfiles(*cpuProfile, *memProfile)
	goResults := b.runGo()
	stopProfiles()
	if *goOnly {
		printTable(os.Stdout, goResults, nil)
		return
	}
	yjsResults, err := b.runYjs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: the Yjs side failed:", err)
		os.Exit(1)
	}
	printTable(os.Stdout, goResults, yjsResults)
}

type bench struct {
	traces string
	runs   int
	only   string
	trace  string // "" for every trace
}

func (b *bench) want(name string) bool { return b.only == "" || b.only == name }

// minSample is the shortest timed sample. Encode and load of the small traces take well under
// 2 ms, where one timing is mostly timer resolution and scheduling noise, so an op that is faster
// runs several times back to back inside one timing and the sample is the time per op. yjs.mjs
// uses the same rule, so both columns are measured alike.
const minSample = 50 * time.Millisecond

// measure returns the median time per op of b.runs samples. First, up to three single calls
// (not counted) warm up and probe the op's duration; the fastest of them sets how many ops one
// sample repeats, so that a probe slowed by a busy machine does not make every sample a single,
// timer-bound op. An op that twice lasts minSample alone is timed once per sample.
func (b *bench) measure(fn func()) float64 {
	fastest, long := time.Duration(math.MaxInt64), 0
	for range 3 {
		start := time.Now()
		fn()
		d := time.Since(start)
		fastest = min(fastest, d)
		if d >= minSample {
			if long++; long == 2 {
				break
			}
		}
	}
	reps := 1
	if fastest < minSample {
		reps = int(minSample/max(fastest, time.Microsecond)) + 1
	}
	times := make([]float64, b.runs)
	for i := range times {
		runtime.GC()
		start := time.Now()
		for range reps {
			fn()
		}
		times[i] = msPerOp(time.Since(start), reps)
	}
	sort.Float64s(times)
	if len(times)%2 == 1 {
		return times[len(times)/2]
	}
	return (times[len(times)/2-1] + times[len(times)/2]) / 2
}

func msPerOp(d time.Duration, reps int) float64 {
	return float64(d.Nanoseconds()) / 1e6 / float64(reps)
}

func (b *bench) runGo() []result {
	var out []result
	for _, name := range traceNames {
		trace := mustTrace(b.traces, name)
		if b.want("replay") {
			out = append(out, result{Bench: "replay", Trace: name, Ms: b.measure(func() { replay(trace, false) })})
		}
		if b.want("replay-emit") {
			out = append(out, result{Bench: "replay-emit", Trace: name, Ms: b.measure(func() { replay(trace, true) })})
		}
	}
	updates := mustUpdates(b.traces, "automerge-paper")
	if b.want("apply") {
		out = append(out, result{Bench: "apply", Trace: "automerge-paper", Ms: b.measure(func() {
			doc := crdt.NewDoc()
			for _, u := range updates {
				if err := doc.ApplyUpdate(u); err != nil {
					panic(err)
				}
			}
		})})
	}
	for _, name := range traceNames {
		state := mustRead(filepath.Join(b.traces, "yjs-fixtures", name+".state.v1.bin"))
		doc := crdt.NewDoc()
		if err := doc.ApplyUpdate(state); err != nil {
			panic(err)
		}
		v1, v2 := doc.EncodeStateAsUpdate(nil), doc.EncodeStateAsUpdateV2(nil)
		if b.want("encode-v1") {
			out = append(out, result{Bench: "encode-v1", Trace: name, Bytes: int64(len(v1)), Ms: b.measure(func() { doc.EncodeStateAsUpdate(nil) })})
		}
		if b.want("encode-v2") {
			out = append(out, result{Bench: "encode-v2", Trace: name, Bytes: int64(len(v2)), Ms: b.measure(func() { doc.EncodeStateAsUpdateV2(nil) })})
		}
		if b.want("load-v1") {
			out = append(out, result{Bench: "load-v1", Trace: name, Ms: b.measure(func() {
				if err := crdt.NewDoc().ApplyUpdate(v1); err != nil {
					panic(err)
				}
			})})
		}
		if b.want("load-v2") {
			out = append(out, result{Bench: "load-v2", Trace: name, Ms: b.measure(func() {
				if err := crdt.NewDoc().ApplyUpdateV2(v2); err != nil {
					panic(err)
				}
			})})
		}
	}
	if b.want("merge") {
		first := updates[:16384]
		var merged []byte
		ms := b.measure(func() { merged = mustMerge(first) })
		out = append(out, result{Bench: "merge-16k", Trace: "automerge-paper", Ms: ms, Bytes: int64(len(merged))})
		ms = b.measure(func() { merged = mustMerge(updates) })
		out = append(out, result{Bench: "merge-all", Trace: "automerge-paper", Ms: ms, Bytes: int64(len(merged))})
	}
	if b.want("memory") {
		self, err := os.Executable()
		if err != nil {
			panic(err)
		}
		cmd := exec.Command(self, "-traces", b.traces, "-memory-of", "automerge-paper")
		cmd.Stderr = os.Stderr
		text, err := cmd.Output()
		if err != nil {
			panic(fmt.Sprintf("memory subprocess: %v", err))
		}
		var bytes int64
		fmt.Sscan(string(text), &bytes)
		out = append(out, result{Bench: "memory", Trace: "automerge-paper", Bytes: bytes})
	}
	return out
}

// measureGoMemory loads one trace's final state into a document and reports the heap it holds after GC.
func measureGoMemory(traces, name string) int64 {
	state := mustRead(filepath.Join(traces, "yjs-fixtures", name+".state.v1.bin"))
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	doc := crdt.NewDoc()
	if err := doc.ApplyUpdate(state); err != nil {
		panic(err)
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(doc)
	// The state bytes are in both readings. Freeing them before the second one (as this did until
	// 2026-11-25 16:10 UTC) subtracted their 223 KB from the document's figure, while node's Buffer
	// lives outside the V8 heap that heapUsed counts: the Go side was under-counted.
	runtime.KeepAlive(state)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

func (b *bench) runYjs() ([]result, error) {
	script := filepath.Join("crdt", "bench", "yjs.mjs")
	var out []result
	args := []string{"--expose-gc", script, "--traces", b.traces, "--runs", fmt.Sprint(b.runs)}
	yjsOnly := b.only
	if yjsOnly == "memory" {
		yjsOnly = "none"
	}
	if yjsOnly != "" {
		args = append(args, "--only", yjsOnly)
	}
	if b.trace != "" {
		args = append(args, "--trace", b.trace)
	}
	if b.only == "" || b.only != "memory" {
		res, err := nodeResults(args...)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	if b.want("memory") {
		res, err := nodeResults("--expose-gc", script, "--traces", b.traces, "--memory", "automerge-paper")
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return out, nil
}

func nodeResults(args ...string) ([]result, error) {
	cmd := exec.Command("node", args...)
	cmd.Stderr = os.Stderr
	text, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node %s: %w (run `npm ci` at the repository root first)", strings.Join(args, " "), err)
	}
	var out []result
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("node printed %q: %w", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// targets are the engine issue's goals: the minimum speed-up of Go over Yjs (or, for memory, the maximum ratio).
var targets = map[string]string{
	"replay": ">=4x", "apply": ">=4x", "encode-v1": ">=2x", "encode-v2": ">=2x",
	"load-v1": ">=2x", "load-v2": ">=2x", "memory": "<=0.5x", "merge-all": "<1000ms",
}

func printTable(w io.Writer, goRes, yjsRes []result) {
	yjs := map[string]result{}
	for _, r := range yjsRes {
		yjs[r.Bench+"/"+r.Trace] = r
	}
	fmt.Fprintf(w, "machine: %s/%s, %d CPUs, %s; median of runs\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "bench\ttrace\tGo\tYjs\tGo vs Yjs\ttarget\tmet\t")
	for _, g := range goRes {
		y, ok := yjs[g.Bench+"/"+g.Trace]
		goCol, yCol, ratio, met := "", "-", "-", ""
		target := targets[g.Bench]
		switch g.Bench {
		case "memory":
			goCol = fmt.Sprintf("%.2f MB", float64(g.Bytes)/1e6)
			if ok {
				yCol = fmt.Sprintf("%.2f MB", float64(y.Bytes)/1e6)
				r := float64(g.Bytes) / float64(y.Bytes)
				ratio = fmt.Sprintf("%.2fx", r)
				met = yesNo(r <= 0.5)
			}
		case "merge-all":
			goCol = fmt.Sprintf("%.1f ms", g.Ms)
			yCol = "does not finish"
			met = yesNo(g.Ms < 1000)
		default:
			goCol = fmt.Sprintf("%.1f ms", g.Ms)
			if ok {
				yCol = fmt.Sprintf("%.1f ms", y.Ms)
				r := y.Ms / g.Ms
				ratio = fmt.Sprintf("%.1fx faster", r)
				switch target {
				case ">=4x":
					met = yesNo(r >= 4)
				case ">=2x":
					met = yesNo(r >= 2)
				}
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", g.Bench, g.Trace, goCol, yCol, ratio, target, met)
	}
	tw.Flush()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

type sequentialTrace struct {
	EndContent string `json:"endContent"`
	Txns       []struct {
		Patches [][3]json.RawMessage `json:"patches"`
	} `json:"txns"`
}

type patch struct {
	pos, del int
	ins      string
}

type trace struct {
	end  string
	txns [][]patch
}

func mustTrace(dir, name string) *trace {
	raw := mustGunzip(filepath.Join(dir, "sequential", name+".json.gz"))
	var st sequentialTrace
	if err := json.Unmarshal(raw, &st); err != nil {
		panic(err)
	}
	t := &trace{end: st.EndContent, txns: make([][]patch, len(st.Txns))}
	for i, txn := range st.Txns {
		for _, p := range txn.Patches {
			var pt patch
			if err := json.Unmarshal(p[0], &pt.pos); err != nil {
				panic(err)
			}
			if err := json.Unmarshal(p[1], &pt.del); err != nil {
				panic(err)
			}
			if err := json.Unmarshal(p[2], &pt.ins); err != nil {
				panic(err)
			}
			t.txns[i] = append(t.txns[i], pt)
		}
	}
	return t
}

// replay types the trace as client 1, one transaction per txn, as the fixtures were made.
func replay(t *trace, emit bool) {
	doc := crdt.NewDoc(crdt.WithClientID(1))
	var updateBytes int
	if emit {
		doc.OnUpdate(func(u []byte, _ any) { updateBytes += len(u) })
	}
	text := doc.GetText("text")
	for _, txn := range t.txns {
		doc.Transact(func(*crdt.Transaction) {
			for _, p := range txn {
				if p.del > 0 {
					if err := text.Delete(p.pos, p.del); err != nil {
						panic(err)
					}
				}
				if p.ins != "" {
					if err := text.Insert(p.pos, p.ins, nil); err != nil {
						panic(err)
					}
				}
			}
		})
	}
	if text.String() != t.end {
		panic("replay diverged from the trace's endContent")
	}
}

func mustUpdates(dir, name string) [][]byte {
	raw := mustGunzip(filepath.Join(dir, "yjs-fixtures", name+".updates.v1.bin.gz"))
	n, k := binary.Uvarint(raw)
	raw = raw[k:]
	out := make([][]byte, n)
	for i := range out {
		l, k := binary.Uvarint(raw)
		out[i] = raw[k : k+int(l)]
		raw = raw[k+int(l):]
	}
	return out
}

func mustMerge(updates [][]byte) []byte {
	merged, err := crdt.MergeUpdates(updates)
	if err != nil {
		panic(err)
	}
	return merged
}

func mustGunzip(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		panic(fmt.Sprintf("%v (the traces live in ../shared/traces beside the checkout; pass -traces)", err))
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		panic(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		panic(err)
	}
	return raw
}

func mustRead(path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return raw
}

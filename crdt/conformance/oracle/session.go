package oracle

import "fmt"

// SessionOptions configures a random multi-client editing session run in Yjs.
type SessionOptions struct {
	Seed    int64 // the same seed always yields the same session; |Seed| < 2^53 (it travels as a JSON number)
	Clients int   // 2..6 replicas
	Steps   int   // random steps (local transactions and network events) before the final flush; >= 1
	GC      bool  // every replica's Y.Doc gc option
}

// Session is the record of a random editing session: what every client emitted and, per replica,
// the exact order in which it integrated updates and the state it ended in. All replicas converge.
type Session struct {
	Seed     int64
	Roots    map[string]string // root name -> kind, as every replica typed them before editing
	Updates  [][]byte          // every v1 update emitted by any client, in emission order
	Origins  []uint64          // client id that emitted Updates[i]
	Replicas []Replica
}

// Replica is one client of a Session.
type Replica struct {
	ClientID uint64
	// Applied indexes Updates in the order this replica integrated them: its own local updates at the
	// moment they were made, remote ones as delivered (duplicates and out-of-order deliveries included).
	Applied []int
	Final   DocState
}

// maxJSONInteger is the largest integer a JSON number carries exactly to JavaScript (2^53 - 1).
const maxJSONInteger = 1<<53 - 1

// Session runs one seeded random editing session in Yjs.
func (o *Oracle) Session(opts SessionOptions) (*Session, error) {
	if opts.Seed > maxJSONInteger || opts.Seed < -maxJSONInteger {
		return nil, fmt.Errorf("oracle session: seed %d is outside ±(2^53-1)", opts.Seed)
	}
	if opts.Clients < 2 || opts.Clients > 6 {
		return nil, fmt.Errorf("oracle session: %d clients; want 2..6", opts.Clients)
	}
	if opts.Steps < 1 {
		return nil, fmt.Errorf("oracle session: %d steps; want at least 1", opts.Steps)
	}
	var w struct {
		Roots    map[string]string `json:"roots"`
		Updates  [][]byte          `json:"updates"`
		Origins  []uint64          `json:"origins"`
		Replicas []struct {
			ClientID uint64       `json:"clientId"`
			Applied  []int        `json:"applied"`
			Final    wireDocState `json:"final"`
		} `json:"replicas"`
	}
	args := map[string]any{"seed": opts.Seed, "clients": opts.Clients, "steps": opts.Steps, "gc": opts.GC}
	if err := o.call("session", args, &w); err != nil {
		return nil, err
	}
	if len(w.Origins) != len(w.Updates) {
		return nil, fmt.Errorf("oracle session: %d updates but %d origins", len(w.Updates), len(w.Origins))
	}
	s := &Session{Seed: opts.Seed, Roots: w.Roots, Updates: w.Updates, Origins: w.Origins}
	for _, r := range w.Replicas {
		for _, i := range r.Applied {
			if i < 0 || i >= len(w.Updates) {
				return nil, fmt.Errorf("oracle session: replica %d applied update %d of %d", r.ClientID, i, len(w.Updates))
			}
		}
		s.Replicas = append(s.Replicas, Replica{ClientID: r.ClientID, Applied: r.Applied, Final: r.Final.docState()})
	}
	return s, nil
}

package server

import "github.com/meridian-sync/meridian/replication"

// GET /v1/cluster answers in one shape whether replication is on or not, so the editor's cluster page and an
// operator's scripts read the same fields on a lone node and in a cluster:
//
//	{"regions": [...], "members": [{"node","region","self","ready","live","lag_ms","repairs_applied"}], "peers": [...], ...}
//
// members is this node's view of the cluster: itself first, then every peer it knows, each with whether it is
// reachable now and how far behind it is (the age of the oldest local write it has not acknowledged). That is
// what shows a cut-off region at a glance. With replication on, the replication node's own status (its links to
// each peer with queue depth, lag and silence; exchange and repair counters; bytes) follows at the top level,
// flattened: the links are said once there, not again under the answering member.
type clusterAnswer struct {
	*replication.Status
	Regions []string        `json:"regions"`
	Members []clusterMember `json:"members"`
}

// clusterMember is one node as this node sees it.
type clusterMember struct {
	Node   string `json:"node"`
	Region string `json:"region"`
	Self   bool   `json:"self"`
	Ready  bool   `json:"ready"`
	// Live: this node itself, or a peer gossip lists and whose stream was heard from recently.
	Live bool `json:"live"`
	// LagMillis is how far behind the member is: for a peer, the age of the oldest write of this node it has
	// not acknowledged; 0 for this node.
	LagMillis int64 `json:"lag_ms"`
	// Repairs (this node only) is how many documents anti-entropy repaired here.
	Repairs uint64 `json:"repairs_applied"`
}

// clusterAnswer builds the body of GET /v1/cluster.
func (s *Server) clusterAnswer() clusterAnswer {
	if s.repl == nil {
		return clusterAnswer{Regions: []string{s.cfg.Region}, Members: []clusterMember{{
			Node: s.cfg.Node, Region: s.cfg.Region, Self: true, Ready: s.ready.Load(), Live: true}}}
	}
	st := s.repl.Status()
	ans := clusterAnswer{Status: &st, Regions: st.Regions}
	ans.Members = append(ans.Members, clusterMember{Node: st.Node, Region: st.Region, Self: true,
		Ready: st.Ready && s.ready.Load(), Live: true, Repairs: st.Repairs})
	for _, p := range st.Peers {
		ans.Members = append(ans.Members, clusterMember{Node: p.ID, Region: p.Region, Ready: p.Ready, Live: p.Live,
			LagMillis: p.LagMillis})
	}
	return ans
}

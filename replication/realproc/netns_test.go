package realproc

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// netLab is a small network the test builds from Linux network namespaces, so a partition is real:
// gossip, peer streams and everything else between regions stop, as they would on a cut WAN link.
//
//	region namespace i ── c0 ══ veth ══ r<i> ─┐
//	                                          br0 (a bridge in the hub namespace)
//	region namespace j ── c0 ══ veth ══ r<j> ─┘
//	region namespace i ── m0 ══ veth ══ <prefix>m<i> (root namespace: the test and its Yjs clients)
//
// Regions talk to each other only through the hub's bridge (cluster addresses 10.B.0.x/24); the
// test and the clients reach each region through its own management link (10.B.<i+1>.0/30), which
// is never cut. Cutting region i sets its hub port down. A fresh hub namespace carries no firewall
// rules, so whatever the host's iptables say (Docker sets FORWARD to DROP) the bridge forwards.
//
// Names carry the test process's pid, so parallel runs do not collide, and namespaces left by a
// run that was killed before its cleanup are swept at the next start.
type netLab struct {
	t       *testing.T
	prefix  string
	octet   int // B in 10.B.x.y
	hub     string
	regions []labRegion
}

type labRegion struct {
	ns        string
	clusterIP string // where gossip and peer streams bind, reachable from other regions only
	mgmtIP    string // where HTTP binds, reachable from the root namespace only
	hubPort   string // the region's port on the hub bridge (cut = down)
}

const labPrefix = "mrp"

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newNetLab builds n region namespaces joined by a hub bridge. It fails the test (never skips) when
// namespaces cannot be made: this test needs root and iproute2, as CI provides.
func newNetLab(t *testing.T, n int) *netLab {
	t.Helper()
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatalf("the real-process test cuts regions apart with network namespaces and needs `ip` (iproute2) as root: %v", err)
	}
	sweepStaleLabs(t)
	l := &netLab{t: t, prefix: fmt.Sprintf("%s%d", labPrefix, os.Getpid()), octet: freeOctet(t)}
	l.hub = l.prefix + "hub"
	t.Cleanup(l.destroy)
	if err := ipCmd("netns", "add", l.hub); err != nil {
		t.Fatalf("cannot create a network namespace (this test needs root and iproute2 `ip netns`; in a container it needs CAP_SYS_ADMIN and CAP_NET_ADMIN): %v", err)
	}
	l.must("-n", l.hub, "link", "set", "lo", "up")
	l.must("-n", l.hub, "link", "add", "br0", "type", "bridge")
	l.must("-n", l.hub, "link", "set", "br0", "up")
	for i := range n {
		r := labRegion{ns: fmt.Sprintf("%sr%d", l.prefix, i), clusterIP: fmt.Sprintf("10.%d.0.%d", l.octet, i+2),
			mgmtIP: fmt.Sprintf("10.%d.%d.2", l.octet, i+1), hubPort: fmt.Sprintf("r%d", i)}
		mgmtRoot := fmt.Sprintf("%sm%d", l.prefix, i)
		l.must("netns", "add", r.ns)
		l.regions = append(l.regions, r)
		l.must("-n", r.ns, "link", "set", "lo", "up")
		// Cluster link: region ↔ hub bridge.
		l.must("link", "add", "c0", "netns", r.ns, "type", "veth", "peer", "name", r.hubPort, "netns", l.hub)
		l.must("-n", l.hub, "link", "set", r.hubPort, "master", "br0")
		l.must("-n", l.hub, "link", "set", r.hubPort, "up")
		l.must("-n", r.ns, "addr", "add", r.clusterIP+"/24", "dev", "c0")
		l.must("-n", r.ns, "link", "set", "c0", "up")
		// Management link: region ↔ root namespace.
		l.must("link", "add", mgmtRoot, "type", "veth", "peer", "name", "m0", "netns", r.ns)
		l.must("addr", "add", fmt.Sprintf("10.%d.%d.1/30", l.octet, i+1), "dev", mgmtRoot)
		l.must("link", "set", mgmtRoot, "up")
		l.must("-n", r.ns, "addr", "add", r.mgmtIP+"/30", "dev", "m0")
		l.must("-n", r.ns, "link", "set", "m0", "up")
	}
	return l
}

func (l *netLab) must(args ...string) {
	l.t.Helper()
	if err := ipCmd(args...); err != nil {
		l.t.Fatalf("building the test network: %v", err)
	}
}

// cut isolates region i from every other region (its hub port goes down); heal undoes it.
func (l *netLab) cut(i int)  { l.must("-n", l.hub, "link", "set", l.regions[i].hubPort, "down") }
func (l *netLab) heal(i int) { l.must("-n", l.hub, "link", "set", l.regions[i].hubPort, "up") }

// command runs name in region i's namespace (ip netns exec execs it: the pid is the program's own).
func (l *netLab) command(i int, name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", l.regions[i].ns, name}, args...)...)
}

// destroy deletes the namespaces; their veth pairs (the root-side ends included) go with them.
func (l *netLab) destroy() {
	for _, r := range l.regions {
		if err := ipCmd("netns", "del", r.ns); err != nil {
			l.t.Logf("cleanup: %v", err)
		}
	}
	if err := ipCmd("netns", "del", l.hub); err != nil && !strings.Contains(err.Error(), "No such file") {
		l.t.Logf("cleanup: %v", err)
	}
}

// sweepStaleLabs deletes namespaces of earlier runs whose process is gone.
func sweepStaleLabs(t *testing.T) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if !strings.HasPrefix(name, labPrefix) {
			continue
		}
		rest := strings.TrimLeft(name[len(labPrefix):], "0123456789")
		pid, err := strconv.Atoi(name[len(labPrefix) : len(name)-len(rest)])
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue // not ours to judge, or its test is still running
		}
		t.Logf("removing namespace %s left by an earlier run (pid %d is gone)", name, pid)
		_ = ipCmd("netns", "del", name)
	}
}

// freeOctet picks B for 10.B.0.0/16 that no route of the root namespace uses yet.
func freeOctet(t *testing.T) int {
	out, _ := exec.Command("ip", "-4", "route", "show").Output()
	routes := string(out)
	for k := range 100 {
		b := 100 + (os.Getpid()+k)%100
		if !strings.Contains(routes, fmt.Sprintf("10.%d.", b)) {
			return b
		}
	}
	t.Fatal("no free 10.B.0.0/16 range for the test network")
	return 0
}

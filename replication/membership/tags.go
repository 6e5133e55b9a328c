package membership

import (
	"errors"
	"fmt"
	"strconv"
)

// Tag keys are one letter: serf's whole tag map must encode within 512 bytes.
const (
	tagCluster = "c"
	tagRegion  = "r"
	tagNode    = "n"
	tagPeer    = "p"
	tagReady   = "s"
	tagVersion = "v"
)

// MaxTagBytes is serf's limit on a member's encoded tags (memberlist.MetaMaxSize).
const MaxTagBytes = 512

// ErrTags reports tags that are too large or incomplete.
var ErrTags = errors.New("meridian/replication/membership: bad tags")

// EncodeTags builds the tags a node gossips. The estimate counts keys, values and msgpack framing
// (at most 5 bytes per string), so a map that passes here passes serf's check.
func EncodeTags(cluster string, m Member) (map[string]string, error) {
	tags := map[string]string{
		tagCluster: cluster, tagRegion: m.Region, tagNode: m.ID, tagPeer: m.PeerAddr,
		tagReady: boolTag(m.Ready), tagVersion: strconv.Itoa(m.Version),
	}
	size := 5
	for k, v := range tags {
		size += len(k) + len(v) + 10
	}
	if size > MaxTagBytes {
		return nil, fmt.Errorf("%w: %d bytes exceed serf's %d (shorten the node id, region or address)", ErrTags, size, MaxTagBytes)
	}
	return tags, nil
}

// DecodeTags reads a member back from its tags; it fails for a member of another cluster or one
// missing a field.
func DecodeTags(cluster string, tags map[string]string) (Member, error) {
	if tags[tagCluster] != cluster {
		return Member{}, fmt.Errorf("%w: member of cluster %q, not %q", ErrTags, tags[tagCluster], cluster)
	}
	v, err := strconv.Atoi(tags[tagVersion])
	if err != nil {
		return Member{}, fmt.Errorf("%w: version %q", ErrTags, tags[tagVersion])
	}
	m := Member{ID: tags[tagNode], Region: tags[tagRegion], PeerAddr: tags[tagPeer], Ready: tags[tagReady] == "1", Version: v}
	if m.ID == "" || m.PeerAddr == "" {
		return Member{}, fmt.Errorf("%w: node id or peer address missing", ErrTags)
	}
	return m, nil
}

func boolTag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

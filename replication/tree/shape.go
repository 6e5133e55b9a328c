package tree

import (
	"errors"
	"fmt"
)

// Shape is the fixed form of a tree: each node has Fanout children, and the segments (leaves) are
// Depth levels below the top, so there are Fanout^Depth of them.
type Shape struct {
	Fanout int
	Depth  int
}

// DefaultShape has 8^6 = 262,144 segments: with 100k documents a segment holds about 0.4 of them,
// so a differing segment names one or two documents, and locating one differing document costs about
// six round trips of 8 hashes each.
var DefaultShape = Shape{Fanout: 8, Depth: 6}

// Limits on a shape, so a decoded shape cannot make us allocate without limit: 2..MaxFanout children,
// 1..MaxDepth levels, at most MaxSegments segments.
const (
	MaxFanout   = 256
	MaxDepth    = 24
	MaxSegments = 1 << 24
)

// ErrBadShape reports a shape outside the limits above.
var ErrBadShape = errors.New("meridian/replication/tree: bad shape")

// Validate returns ErrBadShape (wrapped with the values) unless the shape is within the limits.
func (s Shape) Validate() error {
	if s.Fanout < 2 || s.Fanout > MaxFanout || s.Depth < 1 || s.Depth > MaxDepth {
		return fmt.Errorf("%w: fanout %d (must be 2..%d), depth %d (must be 1..%d)", ErrBadShape,
			s.Fanout, MaxFanout, s.Depth, MaxDepth)
	}
	if n := s.Segments(); n == 0 || n > MaxSegments {
		return fmt.Errorf("%w: %d^%d segments exceed %d", ErrBadShape, s.Fanout, s.Depth, MaxSegments)
	}
	return nil
}

// Segments is the number of leaf segments, Fanout^Depth; 0 if that exceeds MaxSegments.
func (s Shape) Segments() int { return s.Width(s.Depth) }

// Width is the number of nodes at a level (0 is the top, Depth the segments); 0 if the level is out
// of range or wider than MaxSegments.
func (s Shape) Width(level int) int {
	if level < 0 || level > s.Depth || s.Fanout < 1 {
		return 0
	}
	w := 1
	for range level {
		w *= s.Fanout
		if w > MaxSegments {
			return 0
		}
	}
	return w
}

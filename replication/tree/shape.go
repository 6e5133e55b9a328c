package tree

import (
	"errors"
	"fmt"
)

// Shape is the fixed fan-out of a tree: how many branches, and how many leaf segments per branch.
type Shape struct {
	Branches        int
	LeavesPerBranch int
}

// DefaultShape has 256 × 256 = 65,536 segments: with 100k documents a segment holds about 1.5 of them,
// so a differing segment names few documents, while a full roots message is 256 × 8 = 2 KB.
var DefaultShape = Shape{Branches: 256, LeavesPerBranch: 256}

// MaxSide bounds each dimension so a decoded shape cannot make us allocate without limit.
const MaxSide = 4096

// ErrBadShape reports a shape outside 1..MaxSide in either dimension.
var ErrBadShape = errors.New("meridian/replication/tree: bad shape")

// Validate returns ErrBadShape (wrapped with the values) unless both sides are within 1..MaxSide.
func (s Shape) Validate() error {
	if s.Branches < 1 || s.Branches > MaxSide || s.LeavesPerBranch < 1 || s.LeavesPerBranch > MaxSide {
		return fmt.Errorf("%w: %d branches × %d leaves (each must be 1..%d)", ErrBadShape, s.Branches, s.LeavesPerBranch, MaxSide)
	}
	return nil
}

// Segments is the number of leaf segments.
func (s Shape) Segments() int { return s.Branches * s.LeavesPerBranch }

// BranchOf is the branch holding a segment.
func (s Shape) BranchOf(segment uint32) int { return int(segment) / s.LeavesPerBranch }

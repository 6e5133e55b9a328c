package update

// cursor walks the structs of a decoded update in wire order, the way Yjs's
// LazyStructReader does for the update-level operations: every struct is seen
// through lazyView, and Skips can be filtered out.
type cursor struct {
	u         *Update
	bi, si    int
	dropSkips bool
}

// newCursor positions a cursor on the first (non-Skip, if dropSkips) struct.
func newCursor(u *Update, dropSkips bool) *cursor {
	c := &cursor{u: u, dropSkips: dropSkips}
	c.settle()
	return c
}

// curr is the current struct, or nil at the end.
func (c *cursor) curr() *Struct {
	if c.bi >= len(c.u.Blocks) {
		return nil
	}
	return &c.u.Blocks[c.bi].Structs[c.si]
}

// next advances and returns the new current struct (nil at the end).
func (c *cursor) next() *Struct {
	if c.bi < len(c.u.Blocks) {
		c.si++
		c.settle()
	}
	return c.curr()
}

// settle moves past block ends (and Skips when filtering) and prepares the
// struct it stops at.
func (c *cursor) settle() {
	for c.bi < len(c.u.Blocks) {
		structs := c.u.Blocks[c.bi].Structs
		if c.si >= len(structs) {
			c.bi, c.si = c.bi+1, 0
			continue
		}
		s := &structs[c.si]
		if c.dropSkips && s.Kind == KindSkip {
			c.si++
			continue
		}
		s.lazyView()
		return
	}
}

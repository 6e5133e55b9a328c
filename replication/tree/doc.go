// Package tree is the region-wide hash tree that anti-entropy compares between nodes.
//
// The tree summarises a set of (document id, digest) pairs in a fixed shape: a complete tree of
// Depth levels below the top, each node with Fanout children, whose Fanout^Depth leaves are the
// segments. A document lives in the segment chosen by hashing its id, and a segment's hash is the XOR
// of EntryHash(doc, digest) over the documents in it ("Tictac" trees, after Riak's
// kv_index_tictactree); every inner node is the XOR of its children. XOR makes a write O(Depth):
// replacing a digest XORs the old entry hash out and the new one in along the segment's path to the
// top, without scanning anything. The hash is not cryptographic protection, only a cheap way to find
// where two replicas differ.
//
// Why narrow and deep rather than wide and flat: comparing descends only into differing nodes, and
// each step ships Fanout hashes per differing node, so the bytes to locate d differing documents are
// about d × Depth × Fanout × 8. With 8 × 8 × … (Depth 6) that is ~350 bytes per document, where a
// 256 × 256 tree ships 2 KB of leaf hashes per differing branch.
//
// Usage:
//
//	t := tree.New(tree.DefaultShape)
//	t.Replace("doc-1", nil, &digest)        // a new document
//	t.Replace("doc-1", &digest, &newDigest) // the document changed
//	if t.Top() != peerTop {
//		mine, _ := t.Children(0, 0)          // level-1 hashes; compare with the peer's
//		for _, i := range tree.Differing(mine, theirs) { ... t.Children(1, i) ... }
//	}
//
// Two trees can only be compared when their shapes are equal; Shape travels in the roots message.
package tree

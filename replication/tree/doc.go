// Package tree is the region-wide hash tree that anti-entropy compares between nodes.
//
// The tree summarises a set of (document id, digest) pairs in a fixed shape: Branches branches of
// LeavesPerBranch leaf segments each. A document lives in the segment chosen by hashing its id, and a
// segment's hash is the XOR of EntryHash(doc, digest) over the documents in it ("Tictac" trees, after
// Riak's kv_index_tictactree). XOR makes a write O(1): replacing a digest XORs the old entry hash out
// and the new one in, at the leaf, its branch and the top, without scanning anything. The hash is not
// cryptographic protection, only a cheap way to find where two replicas differ.
//
// Usage:
//
//	t := tree.New(tree.DefaultShape)
//	t.Replace("doc-1", nil, &digest)        // a new document
//	t.Replace("doc-1", &digest, &newDigest) // the document changed
//	if t.Top() != peerTop { ... compare t.Branches(), then t.Leaves(b) of differing branches ... }
//
// Two trees can only be compared when their shapes are equal; Shape travels in the roots message.
package tree

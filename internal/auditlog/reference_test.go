package auditlog

import "math/bits"

// The functions below are a deliberately naive recursive implementation of
// the RFC 6962 section 2.1 definitions (MTH, PATH, PROOF/SUBPROOF), used
// as the reference that the tiled tree must match.

// splitPoint returns the largest power of two smaller than n (n > 1).
func splitPoint(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

func refRoot(h *Hasher, leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		return h.EmptyRoot()
	case 1:
		return leaves[0]
	}
	k := splitPoint(len(leaves))
	return h.HashChildren(refRoot(h, leaves[:k]), refRoot(h, leaves[k:]))
}

// refPath is PATH(m, D[n]) of RFC 6962 section 2.1.1.
func refPath(h *Hasher, m int, leaves [][]byte) [][]byte {
	if len(leaves) <= 1 {
		return nil
	}
	k := splitPoint(len(leaves))
	if m < k {
		return append(refPath(h, m, leaves[:k]), refRoot(h, leaves[k:]))
	}
	return append(refPath(h, m-k, leaves[k:]), refRoot(h, leaves[:k]))
}

// refProof is PROOF(m, D[n]) of RFC 6962 section 2.1.2.
func refProof(h *Hasher, m int, leaves [][]byte) [][]byte {
	if m == 0 || m == len(leaves) {
		return nil
	}
	return refSubproof(h, m, leaves, true)
}

func refSubproof(h *Hasher, m int, leaves [][]byte, complete bool) [][]byte {
	n := len(leaves)
	if m == n {
		if complete {
			return nil
		}
		return [][]byte{refRoot(h, leaves)}
	}
	k := splitPoint(n)
	if m <= k {
		return append(refSubproof(h, m, leaves[:k], complete), refRoot(h, leaves[k:]))
	}
	return append(refSubproof(h, m-k, leaves[k:], false), refRoot(h, leaves[:k]))
}

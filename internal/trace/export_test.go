package trace

// WithSplitMin returns a copy of t that splits lineage reads of at least
// n identifiers into parts read at the same time (0: never).
func WithSplitMin(t *Tracer, n int) *Tracer {
	cp := *t
	cp.splitMin = n
	return &cp
}

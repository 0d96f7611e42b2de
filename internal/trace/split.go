package trace

import (
	"context"
	"runtime"
	"sync"
)

// defaultSplitMin is the least number of identifiers that a lineage read
// splits into parts read at the same time. The value is an estimate: a
// read of a few hundred identifiers takes about a millisecond, too
// little for a second statement to pay off.
const defaultSplitMin = 2048

// readSplit calls read on ids, split into up to GOMAXPROCS parts (at
// least two) of at least splitMin identifiers (0: never split) that are
// read at the same time on the store's connection pool. It returns the results of the
// parts in the order of ids, so the rows of each identifier keep the
// order read gives them. Callers group the rows by identifier, so the
// merged list needs no new sort.
func readSplit[T any](ctx context.Context, ids []string, splitMin int, read func(context.Context, []string) ([]T, error)) ([]T, error) {
	parts := 0
	if splitMin > 0 {
		parts = min(max(2, runtime.GOMAXPROCS(0)), len(ids)/splitMin)
	}
	if parts < 2 {
		return read(ctx, ids)
	}
	results := make([][]T, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	size := (len(ids) + parts - 1) / parts
	for i := range parts {
		part := ids[i*size : min(len(ids), (i+1)*size)]
		wg.Go(func() { results[i], errs[i] = read(ctx, part) })
	}
	wg.Wait()
	n := 0
	for i, err := range errs {
		if err != nil {
			return nil, err
		}
		n += len(results[i])
	}
	out := make([]T, 0, n)
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}

package recall

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// Bounds of the backward trace of Covering: enough for item → case →
// pallet and for lot → transformation → input lot, small enough for a
// page view.
const (
	coverDepth    = 6
	coverMaxNodes = 256
)

// Covering returns the open notices that cover any of ids (canonical
// identifiers, such as the scanned code and its lot), oldest first. A
// notice covers an identifier that it names, one below a product it names
// (a GTIN covers its lots and serials), and one whose backward trace
// reaches a named identifier: the lot of an item, a container it was in,
// an input it was made from. The exposure window of a notice bounds its
// snapshot, not Covering.
//
// The open notices are read from memory, refreshed from the store when
// older than RefreshInterval; the backward trace runs only while some
// notice is open.
func (s *Service) Covering(ctx context.Context, ids []string) ([]Notice, error) {
	index, err := s.openIndex(ctx)
	if err != nil {
		return nil, err
	}
	if len(index) == 0 || len(ids) == 0 {
		return nil, nil
	}
	all := slices.Clone(ids)
	if s.Tracer != nil {
		for _, id := range ids {
			g, err := s.Tracer.Trace(ctx, id, trace.Options{Direction: trace.Backward, Depth: coverDepth, MaxNodes: coverMaxNodes})
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			for _, n := range g.Nodes {
				all = append(all, n.ID)
			}
		}
	}
	return matchNotices(index, all), nil
}

// Matching returns the open notices that name any of ids or a product
// above one of them, oldest first, without tracing. It serves callers that
// hold the backward trace of a code already, such as the consumer page,
// which passes the code and every node of that trace.
func (s *Service) Matching(ctx context.Context, ids []string) ([]Notice, error) {
	index, err := s.openIndex(ctx)
	if err != nil {
		return nil, err
	}
	return matchNotices(index, ids), nil
}

// matchNotices returns copies of the notices of index that cover any of
// ids, oldest first.
func matchNotices(index map[string][]*Notice, ids []string) []Notice {
	found := map[string]*Notice{}
	for _, id := range ids {
		for _, n := range lookup(index, id) {
			found[n.ID] = n
		}
	}
	out := make([]Notice, 0, len(found))
	for _, n := range found {
		out = append(out, *n.clone())
	}
	slices.SortFunc(out, func(a, b Notice) int {
		if c := a.OpenedAt.Compare(b.OpenedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// lookup returns the notices of the index that name id or a product above
// it: for a Digital Link path, each shorter path of whole key-value pairs
// down to the primary key, so https://id.gs1.org/01/X/10/L is covered by
// a notice naming https://id.gs1.org/01/X.
func lookup(index map[string][]*Notice, id string) []*Notice {
	out := slices.Clone(index[id])
	rest, ok := strings.CutPrefix(id, "https://id.gs1.org/")
	if !ok {
		return out
	}
	parts := strings.Split(rest, "/")
	for n := len(parts) - 2; n >= 2; n -= 2 {
		out = append(out, index["https://id.gs1.org/"+strings.Join(parts[:n], "/")]...)
	}
	return out
}

// openIndex returns the index of open notices, refreshed first when it is
// older than RefreshInterval. When the refresh fails and an index is
// loaded, the error is logged and the old index returned, so the page
// keeps showing the recalls it knew.
func (s *Service) openIndex(ctx context.Context) (map[string][]*Notice, error) {
	interval := s.RefreshInterval
	if interval <= 0 {
		interval = DefaultRefreshInterval
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.index != nil && time.Since(s.state.LoadedAt) < interval {
		return s.index, nil
	}
	if err := s.refreshLocked(ctx); err != nil {
		if s.index != nil {
			s.logger().Error("refresh open recalls; using the loaded ones", "err", err)
			s.state.LoadedAt = time.Now()
			return s.index, nil
		}
		return nil, err
	}
	return s.index, nil
}

package sqlq

import (
	"fmt"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// DecisionSelect reads decisions with the hash of their audit-log leaf.
const DecisionSelect = `SELECT d.seq, d.kind, d.subject, d.actor, d.actor_party_id, d.decided_at, d.body, d.leaf_idx, l.leaf_hash
FROM decisions d LEFT JOIN log_leaves l ON l.idx = d.leaf_idx`

// Decisions returns the statement and arguments that list the decisions
// matching f in ascending Seq order, at most f.Limit of them
// (store.DefaultDecisionLimit when 0 or larger). The error wraps
// store.ErrInvalid for a negative Limit or AfterSeq.
func Decisions(d Dialect, f store.DecisionFilter) (string, []any, error) {
	if f.Limit < 0 || f.AfterSeq < 0 {
		return "", nil, fmt.Errorf("list decisions: limit %d and after %d must not be negative: %w", f.Limit, f.AfterSeq, store.ErrInvalid)
	}
	limit := f.Limit
	if limit == 0 || limit > store.DefaultDecisionLimit {
		limit = store.DefaultDecisionLimit
	}
	args := []any{f.AfterSeq}
	q := DecisionSelect + ` WHERE d.seq > ` + d.Placeholder(len(args))
	if f.KindPrefix != "" {
		args = append(args, LikePrefix(f.KindPrefix))
		q += ` AND d.kind LIKE ` + d.Placeholder(len(args)) + ` ESCAPE '\'`
	}
	if f.Subject != "" {
		args = append(args, f.Subject)
		q += ` AND d.subject = ` + d.Placeholder(len(args))
	}
	args = append(args, limit)
	q += ` ORDER BY d.seq LIMIT ` + d.Placeholder(len(args))
	return q, args, nil
}

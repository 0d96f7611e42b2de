package postgres

import (
	"context"
	"strings"
	"testing"
)

// TestDecisionPlans checks that decision reads by subject and by leaf
// index use an index once the table holds many decisions.
func TestDecisionPlans(t *testing.T) {
	ctx := context.Background()
	s := openDSN(t, freshSchemaDSN(t, emptyDSN(t)))
	_, err := s.pool.Exec(ctx, `INSERT INTO log_leaves (idx, leaf_hash) SELECT g, sha256(int8send(g)) FROM generate_series(0, 19999) AS g`)
	if err != nil {
		t.Fatalf("insert leaves: %v", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO decisions (seq, kind, subject, actor, decided_at, body, leaf_idx)
		SELECT g + 1, (ARRAY['party.create', 'party.update', 'recall.open', 'credit.add'])[g % 4 + 1], 'P' || (g % 2000), 'system', g, '{}'::bytea, g
		FROM generate_series(0, 19999) AS g`)
	if err != nil {
		t.Fatalf("insert decisions: %v", err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE decisions; ANALYZE log_leaves`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"subject", decisionSelect + ` WHERE d.seq > $1 AND d.subject = $2 ORDER BY d.seq LIMIT $3`, []any{0, "P7", 100}, "decisions_subject"},
		{"leaf index", decisionSelect + ` WHERE d.leaf_idx = $1`, []any{1234}, "decisions_leaf_idx_key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := s.pool.Query(ctx, "EXPLAIN "+tc.query, tc.args...)
			if err != nil {
				t.Fatalf("EXPLAIN: %v", err)
			}
			var lines []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, line)
			}
			rows.Close()
			plan := strings.Join(lines, "\n")
			if !strings.Contains(plan, tc.want) {
				t.Errorf("plan does not use %s:\n%s", tc.want, plan)
			}
			if strings.Contains(plan, "Seq Scan") {
				t.Errorf("plan scans a table:\n%s", plan)
			}
		})
	}
}

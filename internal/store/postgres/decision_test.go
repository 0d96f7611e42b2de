package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
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

// TestDecisionsAcrossInstances appends decisions and registry changes on
// some store instances while others capture, as separate server
// processes on one database would, and checks that the leaf indexes are
// dense and that decision Seq follows leaf order.
func TestDecisionsAcrossInstances(t *testing.T) {
	ctx := context.Background()
	a, dsn := openFresh(t)
	stores := []*Store{a, openDSN(t, dsn), openDSN(t, dsn)}
	const writers, rounds = 3, 8
	var wg sync.WaitGroup
	errs := make(chan error, 3*writers*rounds)
	for w := range writers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range rounds {
				prefix := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.Capture(ctx, prefix, fixtureBatch(prefix, (w*rounds+i)*3, 3)); err != nil {
					errs <- fmt.Errorf("Capture %s: %w", prefix, err)
				}
			}
		})
		wg.Go(func() {
			for i := range rounds {
				leaf := sha256.Sum256(fmt.Appendf(nil, "decision %d %d", w, i))
				d := store.Decision{Kind: "credit.add", Subject: fmt.Sprintf("P%d-%d", w, i), Actor: "system",
					Time: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Body: json.RawMessage(`{}`), LeafHash: leaf[:]}
				if i%2 == 0 {
					if _, err := s.AppendDecision(ctx, d); err != nil {
						errs <- fmt.Errorf("AppendDecision %d/%d: %w", w, i, err)
					}
					continue
				}
				d.Kind = "party.create"
				p := store.Party{ID: d.Subject, Kind: store.PartyRegulator, NameZH: "监管 " + d.Subject, Jurisdiction: "44"}
				if err := s.CreateParty(ctx, p, &d); err != nil {
					errs <- fmt.Errorf("CreateParty %s: %w", p.ID, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	const total = writers*rounds*3 + writers*rounds
	rows, err := a.pool.Query(ctx, `SELECT l.idx, l.event_seq IS NOT NULL, d.seq FROM log_leaves l
		LEFT JOIN decisions d ON d.leaf_idx = l.idx ORDER BY l.idx`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var (
		n       int64
		lastSeq int64
	)
	for rows.Next() {
		var (
			idx     int64
			isEvent bool
			seq     *int64
		)
		if err := rows.Scan(&idx, &isEvent, &seq); err != nil {
			t.Fatal(err)
		}
		if idx != n {
			t.Fatalf("leaf %d follows leaf %d; the indexes have a gap or a duplicate", idx, n-1)
		}
		n++
		if isEvent == (seq != nil) {
			t.Errorf("leaf %d: records an event %v and decision %v; want exactly one", idx, isEvent, seq)
		}
		if seq != nil {
			if *seq != lastSeq+1 {
				t.Errorf("leaf %d: decision seq %d after %d; want decisions numbered in leaf order", idx, *seq, lastSeq)
			}
			lastSeq = *seq
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != total || lastSeq != writers*rounds {
		t.Errorf("got %d leaves and %d decisions, want %d and %d", n, lastSeq, total, writers*rounds)
	}
}

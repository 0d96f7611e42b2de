package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlq"
)

// TestQueryPlans checks that every query parameter is served by an index
// after the capture-side index pruning of migration 5: the plan of each
// query names the index that finds its rows, and none scans a table
// without one.
func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	gln := "https://id.gs1.org/414/9521234500001"
	epc := "https://id.gs1.org/01/09521234500019/21/1001"
	cases := []struct {
		name string
		q    store.Query
		want string // index named in the plan
	}{
		{"default order", store.Query{}, "events_record_time"},
		{"eventType", store.Query{EventTypes: []string{"ObjectEvent"}}, "events_event_type"},
		{"GE_eventTime by eventTime", store.Query{GEEventTime: &at, OrderBy: "eventTime"}, "events_event_time"},
		{"GE_recordTime", store.Query{GERecordTime: &at}, "events_record_time"},
		{"EQ_action", store.Query{Actions: []string{"DELETE"}}, "events_record_time"},
		{"EQ_bizStep", store.Query{BizSteps: []string{"urn:epcglobal:cbv:bizstep:shipping"}}, "events_biz_step"},
		{"EQ_disposition", store.Query{Dispositions: []string{"urn:epcglobal:cbv:disp:in_transit"}}, "events_disposition"},
		{"EQ_readPoint", store.Query{ReadPoints: []string{gln}}, "events_read_point"},
		{"EQ_bizLocation", store.Query{BizLocations: []string{gln}}, "events_biz_location"},
		{"eventID", store.Query{EventIDs: []string{"urn:uuid:1"}}, "sqlite_autoindex_events"},
		{"EQ_errorReason", store.Query{ErrorReasons: []string{"urn:epcglobal:cbv:er:incorrect_data"}}, "events_error_reason"},
		{"EXISTS_errorDeclaration", store.Query{ExistsErrorDeclaration: true}, "events_error_declared"},
		{"MATCH_epc", store.Query{Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{epc}}}}, "identifiers_canonical_role_event"},
		{"MATCH_epc prefix", store.Query{Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{"https://id.gs1.org/01/09521234500019/*"}}}}, "identifiers_canonical_role_event"},
		{"EQ_bizTransaction", store.Query{BizTransactions: map[string][]string{"urn:epcglobal:cbv:btt:po": {"urn:x:po:1"}}}, "biz_transactions_value"},
		{"EQ_source", store.Query{Sources: map[string][]string{"urn:epcglobal:cbv:sdt:owning_party": {gln}}}, "identifiers_canonical_role_event"},
		{"EQ_persistentDisposition_set", store.Query{PersistentDispositionSet: []string{"urn:epcglobal:cbv:disp:recalled"}}, "persistent_dispositions_value"},
		{"GE_errorDeclarationTime", store.Query{GEErrorDeclarationTime: &at}, "events_error_declared"},
		{"LT_errorDeclarationTime", store.Query{LTErrorDeclarationTime: &at}, "events_error_declared"},
		{"EQ_transformationID", store.Query{TransformationIDs: []string{"https://id.gs1.org/253/9521234500018TR-1"}}, "identifiers_canonical_role"},
		{"EQ_correctiveEventID", store.Query{CorrectiveEventIDs: []string{"urn:uuid:1"}}, "identifiers_canonical_role"},
		{"maxEventCount", store.Query{MaxEventCount: 1000}, "events_record_time"},
		{"maxEventCount with EQ_bizStep", store.Query{MaxEventCount: 1000, BizSteps: []string{"urn:epcglobal:cbv:bizstep:shipping"}}, "events_biz_step"},
		{"maxEventCount with EQ_transformationID", store.Query{MaxEventCount: 1000, TransformationIDs: []string{"urn:x:t1"}}, "identifiers_canonical_role"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := sqlq.Build(sqlq.SQLite, tt.q)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			plan := explain(t, s, sel.SQL, sel.Args...)
			if !strings.Contains(plan, tt.want) {
				t.Errorf("plan does not use %s:\n%s", tt.want, plan)
			}
			checkNoBareScan(t, plan)
			if tt.q.MaxEventCount == 0 {
				return
			}
			if sel.CountSQL == "" {
				t.Fatalf("Build(maxEventCount %d): no count statement", tt.q.MaxEventCount)
			}
			countPlan := explain(t, s, sel.CountSQL, sel.CountArgs...)
			if !strings.Contains(countPlan, "INDEX") {
				t.Errorf("count plan uses no index:\n%s", countPlan)
			}
			checkNoBareScan(t, countPlan)
		})
	}

	for _, r := range []store.Resource{store.ResourceEventTypes, store.ResourceEPCs, store.ResourceBizSteps,
		store.ResourceBizLocations, store.ResourceReadPoints, store.ResourceDispositions} {
		t.Run("distinct "+string(r), func(t *testing.T) {
			query, args, err := sqlq.Distinct(sqlq.SQLite, r, "", 10)
			if err != nil {
				t.Fatalf("Distinct: %v", err)
			}
			plan := explain(t, s, query, args...)
			if !strings.Contains(plan, "INDEX") {
				t.Errorf("distinct %s uses no index:\n%s", r, plan)
			}
			checkNoBareScan(t, plan)
		})
	}
}

// explain returns the EXPLAIN QUERY PLAN lines of query, one per line.
func explain(t *testing.T, s *Store, query string, args ...any) string {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN %s: %v", query, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// checkNoBareScan fails the test when the plan scans a table without an
// index. Scans of a subquery's rows (a co-routine) read no table.
func checkNoBareScan(t *testing.T, plan string) {
	t.Helper()
	for line := range strings.SplitSeq(plan, "\n") {
		name, isScan := strings.CutPrefix(line, "SCAN ")
		if isScan && strings.Contains(plan, "CO-ROUTINE "+name+"\n") {
			continue
		}
		if isScan && !strings.Contains(line, "INDEX") {
			t.Errorf("plan scans a table without an index: %q in\n%s", line, plan)
		}
	}
}

// TestLineagePlans checks that the lineage reads of traces search the
// indexes they are written for, and that the identifier index covers the
// reads by identifier.
func TestLineagePlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, seqs := `["urn:x:1"]`, `[1]`
	cases := []struct {
		name  string
		query string
		arg   string
		want  string
	}{
		{"touches", sqlTouchRows, ids, "COVERING INDEX identifiers_canonical_role_event"},
		{"adjacency rows", sqlAdjacentRows, ids, "COVERING INDEX identifiers_canonical_role_event"},
		{"parents by identifier", sqlParentRowsByID, ids, "COVERING INDEX identifiers_canonical_role_event"},
		{"children by identifier", sqlChildRowsByID, ids, "COVERING INDEX identifiers_canonical_role_event"},
		{"parents by event", sqlParentRowsByEvent, seqs, "COVERING INDEX identifiers_parent_event"},
		{"children by event", sqlChildRowsByEvent, seqs, "COVERING INDEX identifiers_child_event"},
		{"edges from", sqlStoredEdges + "from_id = j.value", ids, "PRIMARY KEY"},
		{"edges to", sqlStoredEdges + "to_id = j.value", ids, "COVERING INDEX lineage_edges_to"},
		{"events", sqlEventRows, seqs, "COVERING INDEX events_lineage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, s, tc.query, tc.arg)
			if !strings.Contains(plan, tc.want) {
				t.Errorf("plan does not use %s:\n%s", tc.want, plan)
			}
			checkNoBareScan(t, plan)
		})
	}
}

// TestDecisionPlans checks that decision reads find their rows through an
// index: by subject, by kind prefix, by leaf index, and the leaf join.
func TestDecisionPlans(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"subject", decisionSelect + ` WHERE d.seq > ? AND d.subject = ? ORDER BY d.seq LIMIT ?`, []any{0, "P1", 10}, "decisions_subject"},
		{"kind prefix", decisionSelect + ` WHERE d.seq > ? AND d.kind LIKE ? ESCAPE '\' ORDER BY d.seq LIMIT ?`, []any{0, "recall.%", 10}, "decisions_kind"},
		{"leaf index", decisionSelect + ` WHERE d.leaf_idx = ?`, []any{5}, "sqlite_autoindex_decisions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, s, tc.query, tc.args...)
			if !strings.Contains(plan, tc.want) {
				t.Errorf("plan does not use %s:\n%s", tc.want, plan)
			}
			if !strings.Contains(plan, "SEARCH l USING INTEGER PRIMARY KEY") {
				t.Errorf("plan does not join the leaf by its primary key:\n%s", plan)
			}
			checkNoBareScan(t, plan)
		})
	}
}

package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/testdb"
)

// counter is a register item: how many "count.add" decisions named it.
type counter struct{ N int }

// applyCounter folds count.add decisions and skips any other kind.
func applyCounter(items map[string]*counter, d store.Decision) error {
	if d.Kind != "count.add" {
		return fmt.Errorf("decision %d: unknown kind %q", d.Seq, d.Kind)
	}
	c := items[d.Subject]
	if c == nil {
		c = &counter{}
		items[d.Subject] = c
	}
	c.N++
	return nil
}

func newLedger(st store.DecisionStore, state *ledger.State[counter], logs *bytes.Buffer) *ledger.Ledger[counter] {
	return &ledger.Ledger[counter]{
		Domain: "count", Subject: "counter", Apply: applyCounter,
		Store: st, Logger: slog.New(slog.NewTextHandler(logs, nil)), State: state,
		Now: func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600)) },
	}
}

func decisionStore(t *testing.T, st store.Store) store.DecisionStore {
	t.Helper()
	ds, ok := st.(store.DecisionStore)
	if !ok {
		t.Fatalf("store %T lacks the decision log", st)
	}
	return ds
}

func TestLedgerRefreshPagesAndSkips(t *testing.T) {
	testdb.Each(t, "ledger", func(t *testing.T, st store.Store) {
		ctx := context.Background()
		ds := decisionStore(t, st)
		total := store.DefaultDecisionLimit + 3
		for i := range total {
			d := store.Decision{Kind: "count.add", Subject: fmt.Sprintf("c%d", i%2), Actor: "cli:root", Time: time.Now().UTC().Truncate(time.Millisecond), Body: json.RawMessage(`{}`)}
			if _, err := ds.AppendDecision(ctx, d); err != nil {
				t.Fatalf("append decision %d: %v", i, err)
			}
		}
		bad := store.Decision{Kind: "count.reset", Subject: "c0", Actor: "cli:root", Time: time.Now().UTC().Truncate(time.Millisecond), Body: json.RawMessage(`{}`)}
		if _, err := ds.AppendDecision(ctx, bad); err != nil {
			t.Fatalf("append count.reset: %v", err)
		}
		other := store.Decision{Kind: "other.add", Subject: "c0", Actor: "cli:root", Time: time.Now().UTC().Truncate(time.Millisecond), Body: json.RawMessage(`{}`)}
		if _, err := ds.AppendDecision(ctx, other); err != nil {
			t.Fatalf("append other.add: %v", err)
		}

		var state ledger.State[counter]
		var logs bytes.Buffer
		folds := 0
		l := newLedger(ds, &state, &logs)
		l.Folded = func(changed bool) {
			if changed {
				folds++
			}
		}
		if err := l.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		if got, want := state.Items["c0"].N+state.Items["c1"].N, total; got != want {
			t.Errorf("folded count.add decisions = %d, want %d", got, want)
		}
		if !strings.Contains(logs.String(), "count decision skipped") || !strings.Contains(logs.String(), "counter=c0") {
			t.Errorf("log = %q, want the skipped count.reset of counter c0", logs.String())
		}
		if folds != 1 {
			t.Errorf("Folded with changed = %d times, want 1", folds)
		}
		if state.LoadedAt.IsZero() {
			t.Error("LoadedAt is zero after Refresh")
		}

		if err := l.Refresh(ctx); err != nil {
			t.Fatalf("second Refresh: %v", err)
		}
		if folds != 1 {
			t.Errorf("second Refresh folded again: %d times with changed, want 1", folds)
		}
	})
}

func TestLedgerAppend(t *testing.T) {
	testdb.Each(t, "ledger", func(t *testing.T, st store.Store) {
		ctx := context.Background()
		ds := decisionStore(t, st)
		var state ledger.State[counter]
		var logs bytes.Buffer
		l := newLedger(ds, &state, &logs)
		l.LeafHash = func(d store.Decision) []byte { return bytes.Repeat([]byte{1}, 32) }

		d, c, err := l.Append(ctx, "cli:root", "p1", "count.add", "c9", []byte(`{}`))
		if err != nil {
			t.Fatalf("Append: %v", err)
		}
		if c == nil || c.N != 1 {
			t.Errorf("item after Append = %+v, want N 1", c)
		}
		if want := time.Date(2026, 3, 1, 0, 0, 0, 123000000, time.UTC); !d.Time.Equal(want) || d.Time.Location() != time.UTC {
			t.Errorf("decision time = %v, want %v in UTC", d.Time, want)
		}
		if d.Actor != "cli:root" || d.ActorPartyID != "p1" || d.Seq == 0 {
			t.Errorf("stored decision = %+v, want actor cli:root, party p1 and a Seq", d)
		}
		if state.LastSeq != d.Seq {
			t.Errorf("LastSeq = %d, want %d", state.LastSeq, d.Seq)
		}

		_, _, err = l.Append(ctx, "cli:root", "", "count.reset", "c8", []byte(`{}`))
		if err == nil || !strings.Contains(err.Error(), "counter c8: decision") || !strings.Contains(err.Error(), "the fold skipped it") {
			t.Errorf("Append of a skipped decision: err = %v, want the fold-skipped error naming counter c8", err)
		}
	})
}

func TestNewID(t *testing.T) {
	id := ledger.NewID("rc")
	if !regexp.MustCompile(`^rc[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("NewID(rc) = %q, want rc and 12 hexadecimal digits", id)
	}
	if other := ledger.NewID("rc"); other == id {
		t.Errorf("NewID returned %q twice", id)
	}
}

package sqlq

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

func TestLikePrefixEscapes(t *testing.T) {
	cases := []struct{ prefix, want string }{
		{"", "%"},
		{"https://id.gs1.org/01/", "https://id.gs1.org/01/%"},
		{"a%b", `a\%b%`},
		{"a_b", `a\_b%`},
		{`a\b`, `a\\b%`},
		{`%_\`, `\%\_\\%`},
	}
	for _, tc := range cases {
		t.Run(tc.prefix, func(t *testing.T) {
			if got := LikePrefix(tc.prefix); got != tc.want {
				t.Errorf("LikePrefix(%q): got %q, want %q", tc.prefix, got, tc.want)
			}
		})
	}
}

var pgPlaceholder = regexp.MustCompile(`\$([0-9]+)`)

// checkPlaceholders fails unless sel's SQL numbers its Postgres
// placeholders 1..len(Args) in order of appearance.
func checkPlaceholders(t *testing.T, sel Select) {
	t.Helper()
	matches := pgPlaceholder.FindAllStringSubmatch(sel.SQL, -1)
	if len(matches) != len(sel.Args) {
		t.Fatalf("placeholders: got %d in %q, want %d (one per argument)", len(matches), sel.SQL, len(sel.Args))
	}
	for i, m := range matches {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Fatalf("placeholder %d: got $%d, want $%d", i, n, i+1)
		}
	}
}

func TestBuildPlaceholdersAndArgs(t *testing.T) {
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	q := store.Query{
		EventTypes:  []string{"ObjectEvent", "AggregationEvent"},
		GEEventTime: &at, LTRecordTime: &at,
		Actions:  []string{"ADD"},
		BizSteps: []string{"urn:epcglobal:cbv:bizstep:shipping"},
		Matches: []store.IDMatch{
			{Roles: []store.Role{store.RoleEPC}, Values: []string{"https://id.gs1.org/01/09521234500019/21/1", "https://id.gs1.org/01/0952123450001*"}},
			{Roles: []store.Role{store.RoleClass}, Values: []string{"https://id.gs1.org/01/09521234500040/10/L1"}},
		},
		Quantity:        []store.QuantityBound{{Op: "GE", Value: 2}},
		BizTransactions: map[string][]string{"urn:epcglobal:cbv:btt:po": {"urn:x:1"}, "": {"urn:x:2"}},
		Sources:         map[string][]string{"urn:epcglobal:cbv:sdt:owning_party": {"https://id.gs1.org/417/9521234500001"}},
		OrderBy:         OrderEventTime,
		Descending:      true,
		After:           &store.Cursor{Key: 42, Seq: 7, Returned: 3},
		PerPage:         5,
	}
	sel, err := Build(Postgres, q)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	checkPlaceholders(t, sel)
	for _, want := range []string{"ORDER BY e.event_time DESC, e.seq DESC", "(e.event_time, e.seq) < (", `LIKE $`, "i.quantity >= $"} {
		if !strings.Contains(sel.SQL, want) {
			t.Errorf("SQL %q: want it to contain %q", sel.SQL, want)
		}
	}
	if last := sel.Args[len(sel.Args)-1]; last != int64(6) {
		t.Errorf("LIMIT argument: got %v, want 6 (PerPage + 1)", last)
	}

	// The same query builds the same SQL every time, whatever the map
	// order, so that prepared statements are reused.
	for range 20 {
		again, err := Build(Postgres, q)
		if err != nil {
			t.Fatalf("Build again: %v", err)
		}
		if again.SQL != sel.SQL {
			t.Fatalf("Build again: SQL differs:\n%s\n%s", again.SQL, sel.SQL)
		}
	}

	lite, err := Build(SQLite, q)
	if err != nil {
		t.Fatalf("Build(SQLite): %v", err)
	}
	if got := strings.Count(lite.SQL, "?"); got != len(lite.Args) {
		t.Errorf("SQLite placeholders: got %d, want %d", got, len(lite.Args))
	}
}

func TestBuildInvalid(t *testing.T) {
	cases := []struct {
		name string
		q    store.Query
	}{
		{"unknown orderBy", store.Query{OrderBy: "seq"}},
		{"negative perPage", store.Query{PerPage: -2}},
		{"negative eventCountLimit", store.Query{EventCountLimit: -1}},
		{"negative cursor count", store.Query{After: &store.Cursor{Returned: -1}}},
		{"unknown quantity operator", store.Query{Quantity: []store.QuantityBound{{Op: "ge", Value: 1}}}},
		{"negative maxEventCount", store.Query{MaxEventCount: -1}},
		{"maxEventCount with eventCountLimit", store.Query{MaxEventCount: 5, EventCountLimit: 5}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Build(SQLite, tc.q); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Build: got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestSelectPage(t *testing.T) {
	rows := func(n int) []Row {
		out := make([]Row, n)
		for i := range out {
			out[i] = Row{Event: store.StoredEvent{Seq: int64(i + 1)}, Key: int64(100 + i)}
		}
		return out
	}
	cases := []struct {
		name       string
		q          store.Query
		fetched    int
		wantEvents int
		wantNext   *store.Cursor
	}{
		{"more rows than a page", store.Query{PerPage: 2}, 3, 2, &store.Cursor{Key: 101, Seq: 2, Returned: 2}},
		{"exactly a page", store.Query{PerPage: 2}, 2, 2, nil},
		{"short page", store.Query{PerPage: 2}, 1, 1, nil},
		{"empty", store.Query{PerPage: 2}, 0, 0, nil},
		{"count carried", store.Query{PerPage: 2, After: &store.Cursor{Returned: 4}}, 3, 2, &store.Cursor{Key: 101, Seq: 2, Returned: 6}},
		{"limit cuts page", store.Query{PerPage: 5, EventCountLimit: 3}, 4, 3, nil},
		{"limit after page", store.Query{PerPage: 2, EventCountLimit: 5}, 3, 2, &store.Cursor{Key: 101, Seq: 2, Returned: 2}},
		{"max above page", store.Query{PerPage: 2, MaxEventCount: 5}, 3, 2, &store.Cursor{Key: 101, Seq: 2, Returned: 2}},
		{"max reached exactly", store.Query{PerPage: 5, MaxEventCount: 3}, 3, 3, nil},
		{"max on last page", store.Query{PerPage: 2, MaxEventCount: 5, After: &store.Cursor{Returned: 4}}, 1, 1, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := Build(SQLite, tc.q)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			p, err := sel.Page(rows(tc.fetched))
			if err != nil {
				t.Fatalf("Page: %v", err)
			}
			if len(p.Events) != tc.wantEvents {
				t.Errorf("events: got %d, want %d", len(p.Events), tc.wantEvents)
			}
			switch {
			case tc.wantNext == nil && p.Next != nil:
				t.Errorf("Next: got %+v, want nil", *p.Next)
			case tc.wantNext != nil && p.Next == nil:
				t.Errorf("Next: got nil, want %+v", *tc.wantNext)
			case tc.wantNext != nil && *p.Next != *tc.wantNext:
				t.Errorf("Next: got %+v, want %+v", *p.Next, *tc.wantNext)
			}
		})
	}

	t.Run("limit reached", func(t *testing.T) {
		sel, err := Build(SQLite, store.Query{EventCountLimit: 3, After: &store.Cursor{Returned: 3}})
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		if sel.SQL != "" {
			t.Errorf("SQL: got %q, want empty when the limit is reached", sel.SQL)
		}
	})
}

func TestSelectMaxEventCount(t *testing.T) {
	rows := func(n int) []Row {
		out := make([]Row, n)
		for i := range out {
			out[i] = Row{Event: store.StoredEvent{Seq: int64(i + 1)}, Key: int64(i)}
		}
		return out
	}
	cases := []struct {
		name      string
		q         store.Query
		wantCount bool // a CountSQL is needed
		wantLimit int
		fetched   int
		wantErr   bool
	}{
		{"first page above page size", store.Query{MaxEventCount: 10, PerPage: 3}, true, 3, 4, false},
		{"first page within page size", store.Query{MaxEventCount: 3, PerPage: 5}, false, 3, 3, false},
		{"first page past limit", store.Query{MaxEventCount: 3, PerPage: 5}, false, 3, 4, true},
		{"later page", store.Query{MaxEventCount: 10, PerPage: 3, After: &store.Cursor{Returned: 3}}, false, 3, 4, false},
		{"last page past limit", store.Query{MaxEventCount: 10, PerPage: 3, After: &store.Cursor{Returned: 9}}, false, 1, 2, true},
		{"cursor at limit, none left", store.Query{MaxEventCount: 3, After: &store.Cursor{Returned: 3}}, false, 0, 0, false},
		{"cursor at limit, more left", store.Query{MaxEventCount: 3, After: &store.Cursor{Returned: 3}}, false, 0, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sel, err := Build(Postgres, tc.q)
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			if sel.SQL == "" {
				t.Fatalf("SQL: got none, want a statement that shows whether events are left")
			}
			checkPlaceholders(t, sel)
			if got := sel.CountSQL != ""; got != tc.wantCount {
				t.Errorf("CountSQL: got %q, want one: %v", sel.CountSQL, tc.wantCount)
			}
			if sel.Limit != tc.wantLimit {
				t.Errorf("Limit: got %d, want %d", sel.Limit, tc.wantLimit)
			}
			_, err = sel.Page(rows(tc.fetched))
			var tooLarge *store.QueryTooLargeError
			if got := errors.As(err, &tooLarge); got != tc.wantErr {
				t.Errorf("Page: got %v, want a QueryTooLargeError: %v", err, tc.wantErr)
			}
		})
	}

	t.Run("count statement", func(t *testing.T) {
		q := store.Query{EventTypes: []string{"TransformationEvent"}, TransformationIDs: []string{"urn:x:t1"},
			CorrectiveEventIDs: []string{"urn:x:c1"}, MaxEventCount: 100}
		sel, err := Build(Postgres, q)
		if err != nil {
			t.Fatalf("Build: %v", err)
		}
		checkPlaceholders(t, Select{SQL: sel.CountSQL, Args: sel.CountArgs})
		if last := sel.CountArgs[len(sel.CountArgs)-1]; last != int64(101) {
			t.Errorf("count LIMIT argument: got %v, want 101 (maxEventCount + 1)", last)
		}
		for _, want := range []string{"SELECT COUNT(*) FROM (SELECT 1 FROM events e WHERE e.event_type IN ($1)", "i.role = $2 AND i.canonical IN ($3)", "i.role = $4 AND i.canonical IN ($5)"} {
			if !strings.Contains(sel.CountSQL, want) {
				t.Errorf("CountSQL %q: want it to contain %q", sel.CountSQL, want)
			}
		}
		if strings.Contains(sel.CountSQL, "ORDER BY") {
			t.Errorf("CountSQL %q orders rows it only counts", sel.CountSQL)
		}
		if err := sel.CheckCount(100); err != nil {
			t.Errorf("CheckCount(100): got %v, want nil (equal to the limit)", err)
		}
		if err := sel.CheckCount(101); !errors.Is(err, store.ErrQueryTooLarge) {
			t.Errorf("CheckCount(101): got %v, want ErrQueryTooLarge", err)
		}
	})
}

func TestDistinct(t *testing.T) {
	for _, r := range []store.Resource{store.ResourceEventTypes, store.ResourceEPCs, store.ResourceBizSteps,
		store.ResourceBizLocations, store.ResourceReadPoints, store.ResourceDispositions} {
		t.Run(string(r), func(t *testing.T) {
			query, args, err := Distinct(Postgres, r, "b", 10)
			if err != nil {
				t.Fatalf("Distinct: %v", err)
			}
			if len(args) != 2 || !strings.Contains(query, "$1") || !strings.Contains(query, "$2") || strings.Contains(query, "$3") {
				t.Errorf("Distinct(%s): got %q with %d args, want $1 and $2 only", r, query, len(args))
			}
		})
	}
	if _, _, err := Distinct(SQLite, "vocabularies", "", 10); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Distinct(unknown): got %v, want ErrInvalid", err)
	}
	if _, _, err := Distinct(SQLite, store.ResourceEPCs, "", 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Distinct(limit 0): got %v, want ErrInvalid", err)
	}
}

func TestClampNanos(t *testing.T) {
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 3, 1, 0, 0, 0, 5, time.UTC)
	if got := ClampNanos(far); got != maxTime.UnixNano() {
		t.Errorf("ClampNanos(9999): got %d, want max", got)
	}
	if got := ClampNanos(early); got != minTime.UnixNano() {
		t.Errorf("ClampNanos(year 1): got %d, want min", got)
	}
	if got := ClampNanos(at); got != at.UnixNano() {
		t.Errorf("ClampNanos(2026): got %d, want %d", got, at.UnixNano())
	}
	if err := CheckTime("eventTime", far); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CheckTime(9999): got %v, want ErrInvalid", err)
	}
}

// FuzzBuild checks that any query builds without panic into SQL whose
// placeholders match its arguments, and that the SQL text depends only on
// the query's shape, never on its values.
func FuzzBuild(f *testing.F) {
	f.Add("ObjectEvent", "https://id.gs1.org/01/0952*", "epc", "GE", 3.5, 10, 0, false)
	f.Add("x'); DROP TABLE events; --", "%_\\*", "class", "EQ", -1.0, 0, 5, true)
	f.Fuzz(func(t *testing.T, eventType, value, role, op string, qty float64, perPage, limit int, desc bool) {
		query := func(eventType, value, role string) store.Query {
			return store.Query{
				EventTypes:      []string{eventType},
				Matches:         []store.IDMatch{{Roles: []store.Role{store.Role(role)}, Values: []string{value, value + "*"}}},
				Quantity:        []store.QuantityBound{{Op: op, Value: qty}},
				BizTransactions: map[string][]string{value: {eventType}},
				// Exact values: a trailing "*" must not change the SQL.
				TransformationIDs:  []string{value},
				CorrectiveEventIDs: []string{value, eventType},
				PerPage:            perPage % 1000,
				EventCountLimit:    limit % 1000,
				Descending:         desc,
			}
		}
		sel, err := Build(Postgres, query(eventType, value, role))
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Build: got %v, want nil or ErrInvalid", err)
			}
			return
		}
		if sel.SQL == "" {
			return
		}
		checkPlaceholders(t, sel)

		plain := "v"
		if strings.HasSuffix(value, "*") {
			plain = "v*"
		}
		// Roles choose the shape (class roles carry the quantity bounds).
		same, err := Build(Postgres, query("t", plain, role))
		if err != nil {
			t.Fatalf("Build with plain values: %v", err)
		}
		if same.SQL != sel.SQL {
			t.Fatalf("SQL depends on values:\n%s\n%s", sel.SQL, same.SQL)
		}
	})
}

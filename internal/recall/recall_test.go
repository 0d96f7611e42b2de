package recall_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// gtin returns the GTIN-14 of item n of the test company prefix 6950000.
func gtin(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("0695000000%03d", n)
	c, err := ident.CheckDigit(body)
	if err != nil {
		t.Fatalf("CheckDigit(%s): %v", body, err)
	}
	return body + string(c)
}

func gln(t testing.TB, n int) string {
	t.Helper()
	body := fmt.Sprintf("695000000%03d", n)
	c, err := ident.CheckDigit(body)
	if err != nil {
		t.Fatalf("CheckDigit(%s): %v", body, err)
	}
	return "https://id.gs1.org/414/" + body + string(c)
}

// scenario is a small supply chain: pig lot P1 is slaughtered into pork
// lot L1 (a transformation), a pork item S1 is packed on pallet PAL and
// shipped; L2 is another lot of the same pork GTIN, and X1 an unrelated
// lot of another product.
type scenario struct {
	pigLot, porkLot, porkLot2, item, pallet, other string
	porkGTIN                                       string
}

var base = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func newScenario(t testing.TB, st backend) *scenario {
	t.Helper()
	sc := &scenario{
		pigLot:   "https://id.gs1.org/01/" + gtin(t, 1) + "/10/P1",
		porkGTIN: "https://id.gs1.org/01/" + gtin(t, 2),
		other:    "https://id.gs1.org/01/" + gtin(t, 3) + "/10/X1",
	}
	sscc, err := ident.CheckDigit("06950000000000001")
	if err != nil {
		t.Fatalf("CheckDigit: %v", err)
	}
	sc.pallet = "https://id.gs1.org/00/06950000000000001" + string(sscc)
	sc.porkLot, sc.porkLot2 = sc.porkGTIN+"/10/L1", sc.porkGTIN+"/10/L2"
	sc.item = sc.porkGTIN + "/21/S1"
	plant := &epcis.Location{ID: gln(t, 1)}
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	qty := func(class string, q float64, uom string) []epcis.QuantityElement {
		return []epcis.QuantityElement{{EPCClass: class, Quantity: q, HasQuantity: true, UOM: uom}}
	}
	events := []*epcis.Event{
		{Type: epcis.ObjectEvent, EventTime: at(0), Action: epcis.ActionAdd, QuantityList: qty(sc.pigLot, 40, "H87"),
			BizStep: "urn:epcglobal:cbv:bizstep:commissioning", BizLocation: plant},
		{Type: epcis.TransformationEvent, EventTime: at(2), InputQuantityList: qty(sc.pigLot, 40, "H87"),
			OutputQuantityList: qty(sc.porkLot, 3000, "KGM"), BizStep: "urn:epcglobal:cbv:bizstep:commissioning", BizLocation: plant},
		{Type: epcis.ObjectEvent, EventTime: at(3), Action: epcis.ActionAdd, EPCList: []string{sc.item},
			BizStep: "urn:epcglobal:cbv:bizstep:commissioning", BizLocation: plant},
		{Type: epcis.AggregationEvent, EventTime: at(4), Action: epcis.ActionAdd, ParentID: sc.pallet, ChildEPCs: []string{sc.item},
			BizStep: "urn:epcglobal:cbv:bizstep:packing", BizLocation: plant},
		{Type: epcis.ObjectEvent, EventTime: at(5), Action: epcis.ActionObserve, EPCList: []string{sc.pallet},
			BizStep: "urn:epcglobal:cbv:bizstep:shipping", Disposition: "urn:epcglobal:cbv:disp:in_transit", BizLocation: plant,
			DestinationList: []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:location", Value: gln(t, 2)}}},
		{Type: epcis.ObjectEvent, EventTime: at(6), Action: epcis.ActionAdd, QuantityList: qty(sc.porkLot2, 500, "KGM"),
			BizStep: "urn:epcglobal:cbv:bizstep:commissioning", BizLocation: plant},
		{Type: epcis.ObjectEvent, EventTime: at(7), Action: epcis.ActionAdd, QuantityList: qty(sc.other, 10, "KGM"),
			BizStep: "urn:epcglobal:cbv:bizstep:commissioning", BizLocation: plant},
	}
	var buf bytes.Buffer
	enc := epcis.NewJSONEncoder(&buf, epcis.Header{Kind: epcis.KindEPCISDocument, SchemaVersion: "2.0", CreationDate: base})
	for _, e := range events {
		e.EventTimeZoneOffset = "+08:00"
		if err := enc.Encode(e); err != nil {
			t.Fatalf("encode event: %v", err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatalf("close encoder: %v", err)
	}
	if _, err := capture.New(st, nil, nil).Capture(context.Background(), epcis.NewJSONDecoder(&buf), "test"); err != nil {
		t.Fatalf("capture scenario: %v", err)
	}
	return sc
}

// regulators registers two regulators and returns actors for them and
// for an administrator and an enterprise.
func regulators(t testing.TB, st backend) (gd, sz, admin, firm recall.Actor) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []store.Party{
		{ID: "rgd", Kind: store.PartyRegulator, NameZH: "广东省市场监督管理局", Jurisdiction: "44"},
		{ID: "rsz", Kind: store.PartyRegulator, NameZH: "深圳市市场监督管理局", Jurisdiction: "4403"},
		{ID: "pf", Kind: store.PartyEnterprise, NameZH: "甲食品有限公司", USCC: "914401010812345618", Region: "440106"},
	} {
		if err := st.CreateParty(ctx, p); err != nil {
			t.Fatalf("CreateParty(%s): %v", p.ID, err)
		}
	}
	gdP, _ := st.Party(ctx, "rgd")
	szP, _ := st.Party(ctx, "rsz")
	firmP, _ := st.Party(ctx, "pf")
	return recall.Actor{Name: "user:gd", Party: gdP}, recall.Actor{Name: "user:sz", Party: szP},
		recall.Actor{Name: "cli:root", Admin: true}, recall.Actor{Name: "user:firm", Party: firmP}
}

// newService returns a service whose clock advances a minute per
// reading, so that notices opened one after another sort by time.
func newService(st backend) *recall.Service {
	var mu sync.Mutex
	clock := base
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}
	return &recall.Service{Store: st, Parties: st, Tracer: trace.New(st), RefreshInterval: time.Hour, Now: now,
		LeafHash: auditlog.SHA256.DecisionLeafHash}
}

func openPork(t testing.TB, svc *recall.Service, a recall.Actor, sc *scenario, number string, ids ...string) recall.Result {
	t.Helper()
	res, err := svc.Open(context.Background(), a, recall.OpenRequest{
		Number: number, Level: "一级", ReasonZH: "检出盐酸克伦特罗", ReasonEN: "clenbuterol found",
		CategoryZH: "肉制品", CategoryEN: "meat", IDs: ids,
	})
	if err != nil {
		t.Fatalf("Open(%s): %v", number, err)
	}
	return res
}

func TestOpenRecordsDecisionAndScope(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, _, _, _ := regulators(t, st)
		svc := newService(st)

		// The lot is given as an element string and comes back canonical.
		res := openPork(t, svc, gd, sc, "粤食召〔2026〕017号", "(01)"+gtin(t, 1)+"(10)P1")
		n := res.Notice
		if n.Regulator != "rgd" || n.Level != recall.LevelI || n.Status != recall.StatusOpen {
			t.Errorf("notice: regulator %q level %q status %q, want rgd I open", n.Regulator, n.Level, n.Status)
		}
		if !slices.Equal(n.IDs, []string{sc.pigLot}) {
			t.Errorf("IDs = %v, want [%s]", n.IDs, sc.pigLot)
		}
		if res.Decision.Kind != recall.KindOpen || res.Decision.Seq < 1 {
			t.Errorf("decision ref = %+v, want a recall.open with a seq", res.Decision)
		}
		if n.Scope.Error != "" || n.Scope.Affected == 0 || n.Scope.Lots < 2 {
			t.Errorf("scope = %+v, want the pig and pork lots counted", n.Scope)
		}

		ds, err := st.Decisions(ctx, store.DecisionFilter{KindPrefix: "recall.", Subject: n.ID})
		if err != nil {
			t.Fatalf("Decisions: %v", err)
		}
		if len(ds) != 1 || ds[0].Kind != recall.KindOpen || ds[0].Actor != "user:gd" || ds[0].ActorPartyID != "rgd" {
			t.Fatalf("stored decisions = %+v, want one recall.open by user:gd", ds)
		}
		if !bytes.Contains(ds[0].Body, []byte("粤食召〔2026〕017号")) {
			t.Errorf("decision body lacks the notice number: %s", ds[0].Body)
		}

		// The decision's leaf is in the audit log's tree at the index the
		// result reports.
		leaves, err := st.LeafHashes(ctx, res.Decision.LeafIndex, res.Decision.LeafIndex+1)
		if err != nil {
			t.Fatalf("LeafHashes: %v", err)
		}
		if want := auditlog.DecisionLeafHash(auditlog.SHA256, ds[0]); len(leaves) != 1 || !bytes.Equal(leaves[0], want) {
			t.Errorf("leaf %d = %x, want the decision's leaf hash %x", res.Decision.LeafIndex, leaves, want)
		}
	})
}

func TestStateRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, sz, admin, firm := regulators(t, st)
		svc := newService(st)
		n := openPork(t, svc, gd, sc, "粤食召〔2026〕018号", sc.porkLot).Notice

		recovered := 1200.5
		if _, err := svc.Update(ctx, sz, n.ID, recall.UpdateRequest{Recovered: &recovered, UOM: "KGM"}); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("update by another regulator: err = %v, want ErrForbidden", err)
		}
		if _, err := svc.Open(ctx, firm, recall.OpenRequest{Number: "x", Level: "I", ReasonZH: "x", IDs: []string{sc.porkLot}}); !errors.Is(err, store.ErrForbidden) {
			t.Errorf("open by an enterprise: err = %v, want ErrForbidden", err)
		}
		up, err := svc.Update(ctx, gd, n.ID, recall.UpdateRequest{Recovered: &recovered, UOM: "kgm", NoteZH: "已下架"})
		if err != nil {
			t.Fatalf("update by the issuer: %v", err)
		}
		if q, uom := up.Notice.Recovered(); q != 1200.5 || uom != "KGM" {
			t.Errorf("recovered = %v %s, want 1200.5 KGM", q, uom)
		}
		if up.Decision.Kind != recall.KindUpdate || up.Decision.Seq <= n.Decisions[0].Seq {
			t.Errorf("update decision = %+v, want a later recall.update", up.Decision)
		}
		cl, err := svc.Close(ctx, admin, n.ID, recall.CloseRequest{ResultZH: "已全部召回并销毁"})
		if err != nil {
			t.Fatalf("close by an administrator: %v", err)
		}
		if cl.Notice.Status != recall.StatusClosed || cl.Notice.ClosedAt == nil || len(cl.Notice.Decisions) != 3 {
			t.Errorf("closed notice = %+v, want closed with three decisions", cl.Notice)
		}
		if _, err := svc.Update(ctx, gd, n.ID, recall.UpdateRequest{NoteZH: "补充"}); !errors.Is(err, recall.ErrClosed) {
			t.Errorf("update after close: err = %v, want ErrClosed", err)
		}
		if _, err := svc.Close(ctx, gd, n.ID, recall.CloseRequest{ResultZH: "again"}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("second close: err = %v, want a conflict", err)
		}
		if _, err := svc.Update(ctx, gd, "rcmissing", recall.UpdateRequest{NoteZH: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update of a missing notice: err = %v, want ErrNotFound", err)
		}

		// A second service over the same store folds the same state from
		// the decisions alone.
		fresh := newService(st)
		got, err := fresh.Get(ctx, "粤食召〔2026〕018号")
		if err != nil {
			t.Fatalf("Get by number: %v", err)
		}
		if got.Status != recall.StatusClosed || got.ResultZH != "已全部召回并销毁" || len(got.Progress) != 1 {
			t.Errorf("refolded notice = %+v, want closed with one progress report", got)
		}
	})
}

func TestOpenRejectsBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, sz, admin, _ := regulators(t, st)
		svc := newService(st)
		good := recall.OpenRequest{Number: "粤食召〔2026〕019号", Level: "II", ReasonZH: "标签不符", IDs: []string{sc.porkLot}}
		tests := []struct {
			name  string
			a     recall.Actor
			edit  func(r *recall.OpenRequest)
			field string
			want  error
		}{
			{"bad identifier", gd, func(r *recall.OpenRequest) { r.IDs = []string{sc.porkLot, "(01)12345"} }, "ids[1]", store.ErrInvalid},
			{"no identifiers", gd, func(r *recall.OpenRequest) { r.IDs = nil }, "ids", store.ErrInvalid},
			{"bad level", gd, func(r *recall.OpenRequest) { r.Level = "四级" }, "level", store.ErrInvalid},
			{"no number", gd, func(r *recall.OpenRequest) { r.Number = " " }, "number", store.ErrInvalid},
			{"no reason", gd, func(r *recall.OpenRequest) { r.ReasonZH = "" }, "reasonZH", store.ErrInvalid},
			{"empty window", gd, func(r *recall.OpenRequest) { r.From, r.To = &base, &base }, "to", store.ErrInvalid},
			{"other regulator's name", sz, func(r *recall.OpenRequest) { r.Regulator = "rgd" }, "", store.ErrForbidden},
			{"admin without regulator", admin, func(r *recall.OpenRequest) {}, "regulator", store.ErrInvalid},
			{"admin naming an enterprise", admin, func(r *recall.OpenRequest) { r.Regulator = "pf" }, "regulator", store.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := good
				tt.edit(&req)
				_, err := svc.Open(ctx, tt.a, req)
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v, want %v", err, tt.want)
				}
				var fe *recall.FieldError
				if tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field) {
					t.Errorf("err = %v, want a field error on %s", err, tt.field)
				}
			})
		}
		if _, err := svc.Open(ctx, gd, good); err != nil {
			t.Fatalf("good request: %v", err)
		}
		if _, err := svc.Open(ctx, admin, recall.OpenRequest{Number: good.Number, Regulator: "rsz", Level: "III", ReasonZH: "x", IDs: []string{sc.other}}); !errors.Is(err, recall.ErrDuplicate) {
			t.Errorf("reused number: err = %v, want ErrDuplicate", err)
		}
		ds, err := st.Decisions(ctx, store.DecisionFilter{KindPrefix: "recall."})
		if err != nil {
			t.Fatalf("Decisions: %v", err)
		}
		if len(ds) != 1 {
			t.Errorf("rejected requests left decisions: %d stored, want 1", len(ds))
		}
	})
}

func TestCovering(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, _, _, _ := regulators(t, st)
		svc := newService(st)

		numbers := func(ns []recall.Notice) []string {
			var out []string
			for _, n := range ns {
				out = append(out, n.Number)
			}
			return out
		}
		cover := func(ids ...string) []string {
			t.Helper()
			ns, err := svc.Covering(ctx, ids)
			if err != nil {
				t.Fatalf("Covering(%v): %v", ids, err)
			}
			return numbers(ns)
		}
		if got := cover(sc.porkLot); got != nil {
			t.Errorf("no notice open: Covering = %v, want none", got)
		}

		pig := openPork(t, svc, gd, sc, "N-PIG", sc.pigLot).Notice
		openPork(t, svc, gd, sc, "N-PALLET", sc.pallet)
		openPork(t, svc, gd, sc, "N-GTIN", sc.porkGTIN)
		tests := []struct {
			name string
			ids  []string
			want []string
		}{
			{"recalled lot itself", []string{sc.pigLot}, []string{"N-PIG"}},
			{"lot made from a recalled input", []string{sc.porkLot}, []string{"N-PIG", "N-GTIN"}},
			{"item on a recalled pallet", []string{sc.item}, []string{"N-PALLET", "N-GTIN"}},
			{"other lot of a recalled product", []string{sc.porkLot2}, []string{"N-GTIN"}},
			{"unrelated lot", []string{sc.other}, nil},
			{"code no event names", []string{"https://id.gs1.org/01/" + gtin(t, 9) + "/10/Z"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := cover(tt.ids...)
				slices.Sort(got)
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("Covering(%v) = %v, want %v", tt.ids, got, want)
				}
			})
		}

		if _, err := svc.Close(ctx, gd, pig.ID, recall.CloseRequest{ResultZH: "已召回"}); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := cover(sc.pigLot); got != nil {
			t.Errorf("after close: Covering(pig lot) = %v, want none", got)
		}
	})
}

func TestCoveringSeesOtherWriters(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, _, _, _ := regulators(t, st)
		page := &recall.Service{Store: st, Tracer: trace.New(st), RefreshInterval: time.Millisecond}
		if got, err := page.Covering(ctx, []string{sc.other}); err != nil || len(got) != 0 {
			t.Fatalf("before: Covering = %v, %v; want none", got, err)
		}
		// Another process (a command-line run) issues a notice.
		openPork(t, newService(st), gd, sc, "N-OTHER", sc.other)
		time.Sleep(5 * time.Millisecond)
		got, err := page.Covering(ctx, []string{sc.other})
		if err != nil {
			t.Fatalf("Covering: %v", err)
		}
		if len(got) != 1 || got[0].Number != "N-OTHER" || !strings.Contains(got[0].ReasonZH, "克伦特罗") {
			t.Errorf("after refresh: Covering = %+v, want N-OTHER", got)
		}
	})
}

func TestListFilters(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, sz, _, _ := regulators(t, st)
		svc := newService(st)
		a := openPork(t, svc, gd, sc, "N-A", sc.porkLot).Notice
		openPork(t, svc, sz, sc, "N-B", sc.other)
		if _, err := svc.Close(ctx, gd, a.ID, recall.CloseRequest{ResultZH: "完成"}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			f    recall.Filter
			want []string
		}{
			{recall.Filter{}, []string{"N-B", "N-A"}},
			{recall.Filter{Status: recall.StatusOpen}, []string{"N-B"}},
			{recall.Filter{Status: recall.StatusClosed}, []string{"N-A"}},
			{recall.Filter{Regulator: "rsz"}, []string{"N-B"}},
		} {
			ns, err := svc.List(ctx, tt.f)
			if err != nil {
				t.Fatalf("List(%+v): %v", tt.f, err)
			}
			var got []string
			for _, n := range ns {
				got = append(got, n.Number)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		}
		if _, err := svc.List(ctx, recall.Filter{Status: "done"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("List(status done): err = %v, want ErrInvalid", err)
		}
	})
}

// BenchmarkCovering measures the consumer page's recall lookup of a lot
// whose backward trace reaches a recalled input, with three notices open.
func BenchmarkCovering(b *testing.B) {
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	sc := newScenario(b, st)
	gd, _, _, _ := regulators(b, st)
	svc := newService(st)
	openPork(b, svc, gd, sc, "N-PIG", sc.pigLot)
	openPork(b, svc, gd, sc, "N-PALLET", sc.pallet)
	openPork(b, svc, gd, sc, "N-OTHER", sc.other)
	ctx := context.Background()
	for b.Loop() {
		ns, err := svc.Covering(ctx, []string{sc.porkLot})
		if err != nil || len(ns) != 1 {
			b.Fatalf("Covering = %v, %v; want N-PIG", ns, err)
		}
	}
}

func TestCoveringDuringChanges(t *testing.T) {
	eachBackend(t, func(t *testing.T, st backend) {
		ctx := context.Background()
		sc := newScenario(t, st)
		gd, _, _, _ := regulators(t, st)
		svc := newService(st)
		svc.RefreshInterval = time.Millisecond
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 20 {
					if _, err := svc.Covering(ctx, []string{sc.porkLot}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for i := range 5 {
			if _, err := svc.Open(ctx, gd, recall.OpenRequest{Number: fmt.Sprintf("N-%d", i), Level: "III", ReasonZH: "抽检", IDs: []string{sc.pigLot}}); err != nil {
				t.Errorf("Open(N-%d): %v", i, err)
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Covering during changes: %v", err)
		}
		got, err := svc.Covering(ctx, []string{sc.porkLot})
		if err != nil || len(got) != 5 {
			t.Errorf("Covering after five notices = %d notices, %v; want 5", len(got), err)
		}
	})
}

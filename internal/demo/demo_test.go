package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

func mustGenerator(t *testing.T, seed uint64) *Generator {
	t.Helper()
	g, err := New(seed)
	if err != nil {
		t.Fatalf("New(%d): %v", seed, err)
	}
	return g
}

func TestWriteDocumentReproducible(t *testing.T) {
	ctx := context.Background()
	var a, b, c bytes.Buffer
	if _, err := mustGenerator(t, 7).WriteDocument(ctx, &a, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := mustGenerator(t, 7).WriteDocument(ctx, &b, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := mustGenerator(t, 8).WriteDocument(ctx, &c, 3); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("same seed: documents differ (%d and %d bytes)", a.Len(), b.Len())
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Errorf("seeds 7 and 8: documents are identical")
	}
}

func TestWriteDocumentValidEvents(t *testing.T) {
	var buf bytes.Buffer
	n, err := mustGenerator(t, 1).WriteDocument(context.Background(), &buf, 4)
	if err != nil {
		t.Fatal(err)
	}
	dec := epcis.NewJSONDecoder(&buf)
	if _, err := dec.Header(); err != nil {
		t.Fatalf("header: %v", err)
	}
	got := 0
	for {
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("event %d: %v", got, err)
		}
		if errs := epcis.Validate(e, got); len(errs) > 0 {
			t.Errorf("event %d invalid: %v", got, errs)
		}
		got++
	}
	if got != n {
		t.Errorf("decoded events: got %d, want %d", got, n)
	}
}

func TestPartiesCodes(t *testing.T) {
	g := mustGenerator(t, 1)
	for _, p := range g.Directory().Parties() {
		t.Run(p.NameEN, func(t *testing.T) {
			if p.USCC != "" {
				if _, err := cncode.ParseUSCC(p.USCC); err != nil {
					t.Errorf("USCC %s: %v", p.USCC, err)
				}
				if p.USCC[2:8] != p.Division {
					t.Errorf("USCC %s division: got %s, want %s", p.USCC, p.USCC[2:8], p.Division)
				}
			}
			if _, ok := p.DivisionInfo(); p.Division != "" && !ok {
				t.Errorf("division %s is not listed", p.Division)
			}
			if p.Prefix != "" && !strings.HasPrefix(p.Prefix, "69") && !strings.HasPrefix(p.Prefix, "87") {
				t.Errorf("company prefix %s is outside 690-699", p.Prefix)
			}
			for _, s := range p.Sites {
				if _, err := ident.Canonical(s); err != nil {
					t.Errorf("site %s: %v", s, err)
				}
			}
		})
	}
}

func TestSamplesParse(t *testing.T) {
	g := mustGenerator(t, 1)
	if _, err := g.WriteDocument(context.Background(), io.Discard, 2); err != nil {
		t.Fatal(err)
	}
	if len(g.Samples()) < 8 {
		t.Fatalf("samples: got %d, want at least 8", len(g.Samples()))
	}
	for _, s := range g.Samples() {
		t.Run(s.NoteEN, func(t *testing.T) {
			sc, err := ident.Parse(s.Code)
			if err != nil {
				t.Fatalf("ident.Parse(%q): %v", s.Code, err)
			}
			if sc.Canonical == "" {
				t.Errorf("ident.Parse(%q): no canonical identifier", s.Code)
			}
		})
	}
}

func TestWriteFilesCounts(t *testing.T) {
	dir := t.TempDir()
	files, err := mustGenerator(t, 1).WriteFiles(context.Background(), dir, FileOptions{Events: 250, PerDocument: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("files: got %d, want 3", len(files))
	}
	total := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := epcis.NewJSONDecoder(bytes.NewReader(b))
		if _, err := dec.Header(); err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		for {
			_, err := dec.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(f), err)
			}
			total++
		}
	}
	if total != 250 {
		t.Errorf("events: got %d, want 250", total)
	}
}

func TestCaptureAccepted(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	n, err := mustGenerator(t, 1).WriteDocument(ctx, &buf, 3)
	if err != nil {
		t.Fatal(err)
	}
	cs := capture.New(st, nil, nil)
	res, err := cs.Capture(ctx, epcis.NewJSONDecoder(&buf), "demo")
	if err != nil {
		t.Fatalf("capture: %v (job errors %v)", err, res.Job.Errors)
	}
	if res.Job.Accepted != n {
		t.Errorf("accepted: got %d, want %d", res.Job.Accepted, n)
	}
}

func TestResolverSampleIsRecalledLot(t *testing.T) {
	g := mustGenerator(t, 1)
	if _, err := g.WriteDocument(context.Background(), io.Discard, 1); err != nil {
		t.Fatal(err)
	}
	var recalled string
	for _, s := range g.Samples() {
		if s.NoteEN == "chilled pork (recalled lot)" {
			recalled = s.Code
		}
	}
	sc, err := ident.Parse(recalled)
	if err != nil {
		t.Fatal(err)
	}
	if got := "https://id.gs1.org" + g.ResolverSample(); got != sc.Canonical {
		t.Errorf("ResolverSample: got %s, want %s", got, sc.Canonical)
	}
}

func TestDomesticFormulaCanSevenHopsDeep(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	g := mustGenerator(t, 1)
	var buf bytes.Buffer
	if _, err := g.WriteDocument(ctx, &buf, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := capture.New(st, nil, nil).Capture(ctx, epcis.NewJSONDecoder(&buf), "demo"); err != nil {
		t.Fatalf("capture: %v", err)
	}

	plant := g.parties["formulaplant"].Prefix
	can := sgtinOf(plant, itemMain, "00000200000001") // round 2, batch 0, can 1
	graph, err := trace.New(st).Trace(ctx, can, trace.Options{Direction: trace.Backward})
	if err != nil {
		t.Fatalf("trace %s: %v", can, err)
	}
	deepest := 0
	for _, n := range graph.Nodes {
		deepest = max(deepest, n.Depth)
	}
	if deepest != 7 {
		t.Errorf("deepest node of the backward trace: got %d hops, want 7", deepest)
	}
	for i, farm := range []string{"dairyfarm", "dairyfarm2"} {
		raw, err := ident.Canonical(lgtinOf(g.parties[farm].Prefix, itemMain, fmt.Sprintf("RM%d%s2", i+1, g.start.Add(2*RoundSpacing).Format("060102"))))
		if err != nil {
			t.Fatal(err)
		}
		if n := graph.Node(raw); n == nil || n.Depth != 7 {
			t.Errorf("raw milk lot %s: got node %+v, want one at depth 7", raw, n)
		}
	}
}

func TestWideRoundLotReachesCans(t *testing.T) {
	g := mustGenerator(t, 1)
	var events []*epcis.Event
	if err := g.Round(WideLotRound, func(e *epcis.Event) error {
		events = append(events, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Lots blended with whey, then the cans commissioned in those lots.
	wheyLots := map[string]bool{}
	blended := map[string]bool{}
	for _, e := range events {
		if e.Type != epcis.TransformationEvent {
			continue
		}
		for _, in := range e.InputQuantityList {
			c, err := ident.Canonical(in.EPCClass)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(c, g.WideLotPrefix()) {
				wheyLots[c] = true
				for _, out := range e.OutputQuantityList {
					blended[out.EPCClass[strings.LastIndex(out.EPCClass, ".")+1:]] = true
				}
			}
		}
	}
	cans := 0
	for _, e := range events {
		if e.Type == epcis.ObjectEvent && e.Action == epcis.ActionAdd && len(e.EPCList) > 0 {
			for _, el := range e.ILMD {
				if el.Local == "lotNumber" && blended[el.Value] {
					cans += len(e.EPCList)
				}
			}
		}
	}
	if len(wheyLots) != 1 {
		t.Errorf("whey lots blended in round %d: got %d, want 1", WideLotRound, len(wheyLots))
	}
	if cans < 100000 {
		t.Errorf("cans of lots blended with whey: got %d, want at least 100000", cans)
	}
	if !IsWideRound(WideLotRound+WideLotEvery) || IsWideRound(WideLotRound+1) || IsWideRound(0) {
		t.Error("IsWideRound: wide rounds are not every WideLotEvery rounds from WideLotRound")
	}
}

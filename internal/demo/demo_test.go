package demo

import (
	"bytes"
	"context"
	"errors"
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

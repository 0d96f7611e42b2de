package bench

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// demoStore returns a SQLite store seeded with two rounds of demo data.
func demoStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gen, err := demo.New(1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := gen.WriteDocument(ctx, &buf, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := capture.New(st, nil, nil).Capture(ctx, epcis.NewJSONDecoder(&buf), "demo"); err != nil {
		t.Fatalf("capture demo data: %v", err)
	}
	return st
}

func TestSampleCodesDemoStore(t *testing.T) {
	ctx := context.Background()
	st := demoStore(t)
	codes, err := SampleCodes(ctx, st, SampleOptions{PerGroup: 3, Unknown: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	byKind := map[string][]string{}
	for _, c := range codes {
		byKind[c.Kind] = append(byKind[c.Kind], c.Canonical)
	}
	for _, kind := range []string{"GS1 01/10", "GS1 00", "GS1 8004", "urn:cn:nmpa:drug", "urn:cn:moa:pesticide", "recalled", "unknown"} {
		if len(byKind[kind]) == 0 {
			t.Errorf("no codes of kind %q; got kinds %v", kind, slices.Sorted(maps.Keys(byKind)))
		}
	}
	for kind := range byKind {
		if strings.Contains(kind, "414") || strings.Contains(kind, "417") {
			t.Errorf("kind %q: location and party codes must be left out", kind)
		}
	}
	if n := len(byKind["unknown"]); n > 4 {
		t.Errorf("unknown codes: got %d, want at most 4", n)
	}
	for _, c := range byKind["unknown"] {
		page, err := st.QueryEvents(ctx, store.Query{Matches: []store.IDMatch{{Roles: slices.Concat(store.InstanceRoles, store.ClassRoles), Values: []string{c}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Events) != 0 {
			t.Errorf("unknown code %s names %d stored events", c, len(page.Events))
		}
	}
	if !slices.Contains(byKind["recalled"], "https://id.gs1.org/01/06931002000016/10/BT"+recalledLotDate(t)+"0") {
		t.Errorf("recalled codes %v lack round 0's pork lot", byKind["recalled"])
	}

	again, err := SampleCodes(ctx, st, SampleOptions{PerGroup: 3, Unknown: 4, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes, again) {
		t.Error("same seed, different sample")
	}
}

// recalledLotDate returns the YYMMDD of round 0 of the demo generator
// with seed 1, which names the recalled pork lot.
func recalledLotDate(t *testing.T) string {
	t.Helper()
	gen, err := demo.New(1)
	if err != nil {
		t.Fatal(err)
	}
	path := gen.ResolverSample() // /01/{gtin}/10/BT{YYMMDD}0
	i := strings.Index(path, "/10/BT")
	return path[i+6 : i+12]
}

func TestTargetsOfCodes(t *testing.T) {
	codes := []Code{
		{Canonical: "https://id.gs1.org/01/06931002000016/10/BT2612010", Kind: "GS1 01/10"},
		{Canonical: "urn:cn:nmpa:drug:86123450000000074614", Kind: "urn:cn:nmpa:drug"},
		{Canonical: "https://id.gs1.org/01/06931002000016/10/X00000001", Kind: "unknown"},
	}
	page := PageTargets(codes)
	if len(page) != 3 {
		t.Fatalf("page targets: got %d, want 3", len(page))
	}
	if page[0].Path != "/scan?code=https%3A%2F%2Fid.gs1.org%2F01%2F06931002000016%2F10%2FBT2612010" || page[0].Status != http.StatusOK {
		t.Errorf("page target 0: got %+v", page[0])
	}
	if page[2].Status != http.StatusNotFound {
		t.Errorf("unknown code: got status %d, want 404", page[2].Status)
	}
	res := ResolverTargets(codes)
	if len(res) != 6 {
		t.Fatalf("resolver targets: got %d, want 3 for each of the 2 Digital Link codes", len(res))
	}
	if res[0].Path != "/01/06931002000016/10/BT2612010" || res[0].Status != http.StatusTemporaryRedirect {
		t.Errorf("plain resolver target: got %+v", res[0])
	}
	if res[1].Path != "/01/06931002000016/10/BT2612010?linkType=all" || res[1].Status != http.StatusOK {
		t.Errorf("linkType=all target: got %+v", res[1])
	}
	if res[2].Header.Get("Accept") != "application/linkset+json" || res[2].Status != http.StatusOK {
		t.Errorf("linkset target: got %+v", res[2])
	}
}

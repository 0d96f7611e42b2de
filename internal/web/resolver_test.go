package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/ident"
)

// Tests named after the GS1-Conformant resolver requirements of the GS1
// Digital Link standard 1.2 that this resolver claims.

func resolverPath(t *testing.T, site *demoSite) string {
	t.Helper()
	code := site.code(t, "chilled pork (temperature excursion in transport)")
	return strings.TrimPrefix(code, "https://id.gs1.org")
}

func TestResolverRedirectsToDefaultLink(t *testing.T) {
	site := newDemoSite(t, 2)
	rec := site.get(t, resolverPath(t, site), nil)
	if rec.Code != http.StatusTemporaryRedirect {
		t.Fatalf("status: got %d, want 307", rec.Code)
	}
	loc := rec.Header().Get("Location")
	if !strings.Contains(loc, "/scan?code=") || strings.Contains(loc, "lang=en") {
		t.Errorf("Location: got %q, want the Chinese consumer page", loc)
	}
}

func TestResolverDefaultLinkFollowsAcceptLanguage(t *testing.T) {
	site := newDemoSite(t, 2)
	rec := site.get(t, resolverPath(t, site), http.Header{"Accept-Language": {"en-GB,en;q=0.9,zh;q=0.5"}})
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "lang=en") {
		t.Errorf("Location: got %q, want the English page", loc)
	}
}

func TestResolverHeadMatchesGet(t *testing.T) {
	site := newDemoSite(t, 2)
	req := httptest.NewRequest(http.MethodHead, resolverPath(t, site), nil)
	rec := httptest.NewRecorder()
	site.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusTemporaryRedirect || rec.Header().Get("Location") == "" {
		t.Errorf("HEAD: got %d Location %q, want 307 with a Location", rec.Code, rec.Header().Get("Location"))
	}
}

func TestResolverCORS(t *testing.T) {
	site := newDemoSite(t, 1)
	for _, method := range []string{http.MethodGet, http.MethodOptions} {
		req := httptest.NewRequest(method, "/01/04006381333931", nil)
		req.Header.Set("Origin", "https://shop.example")
		rec := httptest.NewRecorder()
		site.h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s Access-Control-Allow-Origin: got %q, want *", method, got)
		}
		if got := rec.Header().Get("Access-Control-Allow-Methods"); !strings.Contains(got, "HEAD") {
			t.Errorf("%s Access-Control-Allow-Methods: got %q", method, got)
		}
	}
}

func TestResolverRejectsInvalidSyntax(t *testing.T) {
	site := newDemoSite(t, 1)
	for _, path := range []string{"/01/04006381333932", "/01/123", "/01/04006381333931/21/a%20b/10/x", "/8004/"} {
		rec := site.get(t, path, nil)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status got %d, want 400", path, rec.Code)
			continue
		}
		if !strings.Contains(rec.Body.String(), "GS1 数字链接无效") {
			t.Errorf("%s: 400 page has no explanation", path)
		}
	}
	rec := site.get(t, "/01/04006381333932", http.Header{"Accept": {"application/json"}})
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("JSON client: Content-Type got %q, want application/problem+json", ct)
	}
}

func TestResolverLinksetForLinkTypeAll(t *testing.T) {
	site := newDemoSite(t, 2)
	for name, h := range map[string]http.Header{
		"linkType=all": nil,
		"Accept":       {"Accept": {"application/linkset+json"}},
	} {
		t.Run(name, func(t *testing.T) {
			target := resolverPath(t, site)
			if h == nil {
				target += "?linkType=all"
			}
			rec := site.get(t, target, h)
			if rec.Code != http.StatusOK {
				t.Fatalf("status: got %d, want 200", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/linkset+json" {
				t.Errorf("Content-Type: got %q", ct)
			}
			var ls struct {
				Linkset []map[string]json.RawMessage `json:"linkset"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &ls); err != nil {
				t.Fatalf("linkset JSON: %v", err)
			}
			if len(ls.Linkset) != 1 {
				t.Fatalf("linkset entries: got %d, want 1", len(ls.Linkset))
			}
			for _, lt := range []string{"defaultLink", "pip", "traceability", "recallStatus", "epcis"} {
				if _, ok := ls.Linkset[0]["https://gs1.org/voc/"+lt]; !ok {
					t.Errorf("linkset lacks gs1:%s", lt)
				}
			}
			var pip []linkTarget
			json.Unmarshal(ls.Linkset[0]["https://gs1.org/voc/pip"], &pip)
			if len(pip) != 2 || pip[0].Hreflang[0] != "zh-CN" || pip[1].Hreflang[0] != "en" {
				t.Errorf("gs1:pip hreflang variants: got %+v", pip)
			}
		})
	}
}

func TestResolverLinkTypeSelectsLink(t *testing.T) {
	site := newDemoSite(t, 2)
	tests := []struct {
		linkType, want string
	}{
		{"gs1:epcis", "/events?MATCH_anyEPCClass="},
		{"https://gs1.org/voc/traceability", "#journey"},
		{"gs1:recallStatus", "#warnings"},
	}
	for _, tt := range tests {
		rec := site.get(t, resolverPath(t, site)+"?linkType="+tt.linkType, nil)
		if rec.Code != http.StatusTemporaryRedirect || !strings.Contains(rec.Header().Get("Location"), tt.want) {
			t.Errorf("linkType %s: got %d %q, want 307 to …%s", tt.linkType, rec.Code, rec.Header().Get("Location"), tt.want)
		}
	}
}

func TestResolverUnknownLinkTypeReturns404WithLinkset(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/01/04006381333931?linkType=gs1:certificationInfo", nil)
	if rec.Code != http.StatusNotFound {
		t.Errorf("status: got %d, want 404", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), `"linkset"`) {
		t.Errorf("404 body is not the linkset")
	}
}

func TestResolverLinkHeaders(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/01/4006381333931/10/ABC%2F1", nil)
	links := strings.Join(rec.Header().Values("Link"), ", ")
	if !strings.Contains(links, `<https://id.gs1.org/01/04006381333931/10/ABC%2F1>; rel="owl:sameAs"`) {
		t.Errorf("Link: got %q, want the canonical URI as owl:sameAs", links)
	}
	if !strings.Contains(links, `rel="linkset"`) {
		t.Errorf("Link: got %q, want a linkset link", links)
	}
}

func TestResolverOtherPrimaryKeys(t *testing.T) {
	site := newDemoSite(t, 1)
	for _, path := range []string{"/00/106141412345678908", "/414/9520123456788", "/8004/0950600013435452", "/417/9520123456788", "/253/4602443000331XYZ"} {
		rec := site.get(t, path, nil)
		if rec.Code != http.StatusTemporaryRedirect {
			t.Errorf("%s: status got %d, want 307", path, rec.Code)
		}
	}
}

func TestResolverDescriptionFile(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/.well-known/gs1resolver", nil)
	var desc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &desc); err != nil {
		t.Fatalf("description JSON: %v", err)
	}
	for _, k := range []string{"name", "resolverRoot", "supportedPrimaryKeys", "supportedLinkType"} {
		if _, ok := desc[k]; !ok {
			t.Errorf("description lacks %q", k)
		}
	}
}

// compressedPath returns the root-relative compressed form of a resolver
// path such as /01/{gtin}/10/{lot}.
func compressedPath(t *testing.T, path string, opts ident.CompressOptions) string {
	t.Helper()
	dl, err := ident.ParseDigitalLink("https://id.gs1.org" + path)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	c, err := ident.CompressDigitalLink(dl, opts)
	if err != nil {
		t.Fatalf("compress %s: %v", path, err)
	}
	return strings.TrimPrefix(c, "https://id.gs1.org")
}

func TestResolverDecompressesCompressedURIs(t *testing.T) {
	site := newDemoSite(t, 2)
	plain := resolverPath(t, site)
	want := site.get(t, plain, nil)
	for name, opts := range map[string]ident.CompressOptions{
		"compressed":       {},
		"optimised":        {Optimise: true},
		"key uncompressed": {UncompressedKey: true},
	} {
		t.Run(name, func(t *testing.T) {
			path := compressedPath(t, plain, opts)
			rec := site.get(t, path, nil)
			if rec.Code != want.Code {
				t.Fatalf("%s: status got %d, want %d as for %s", path, rec.Code, want.Code, plain)
			}
			if got := rec.Header().Get("Location"); got != want.Header().Get("Location") {
				t.Errorf("%s: Location got %q, want %q", path, got, want.Header().Get("Location"))
			}
			links := strings.Join(rec.Header().Values("Link"), ", ")
			if uncompressed := "<http://example.com" + plain + `>; rel="owl:sameAs"`; !strings.Contains(links, uncompressed) {
				t.Errorf("%s: Link got %q, want %s", path, links, uncompressed)
			}
		})
	}
}

func TestResolverCompressedLinksetMatchesUncompressed(t *testing.T) {
	site := newDemoSite(t, 2)
	plain := resolverPath(t, site)
	want := site.get(t, plain+"?linkType=all", nil)
	rec := site.get(t, compressedPath(t, plain, ident.CompressOptions{})+"?linkType=all", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status: got %d, want 200", rec.Code)
	}
	if rec.Body.String() != want.Body.String() {
		t.Errorf("linkset of the compressed URI:\n%s\nwant the uncompressed URI's:\n%s", rec.Body, want.Body)
	}
}

func TestResolverRejectsCorruptCompressedURI(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/AQyNozPB", http.Header{"Accept": {"application/json"}})
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status: got %d, want 400", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "bit 8") || !strings.Contains(body, "AQyNozPB") {
		t.Errorf("problem detail %s names neither the segment nor the bit", body)
	}
	if rec := site.get(t, "/favicon.ico", nil); rec.Code != http.StatusNotFound {
		t.Errorf("/favicon.ico: status got %d, want 404", rec.Code)
	}
}

func TestResolverDescriptionSupportsCompressedURIs(t *testing.T) {
	site := newDemoSite(t, 1)
	rec := site.get(t, "/.well-known/gs1resolver", nil)
	var desc struct {
		SupportsCompressedURIs bool `json:"supportsCompressedURIs"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &desc); err != nil {
		t.Fatalf("description JSON: %v", err)
	}
	if !desc.SupportsCompressedURIs {
		t.Error("supportsCompressedURIs: got false, want true")
	}
}

func TestScanPageAcceptsCompressedCode(t *testing.T) {
	site := newDemoSite(t, 2)
	code := site.code(t, "chilled pork (recalled lot)")
	scan, err := ident.Parse(code)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := ident.ParseDigitalLink(scan.Canonical)
	if err != nil {
		t.Fatal(err)
	}
	packed, err := ident.CompressDigitalLink(dl, ident.CompressOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := site.get(t, "/scan?code="+url.QueryEscape(packed), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status got %d, want 200", packed, rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "warn-recall") {
		t.Errorf("page for compressed %s lacks the recall warning of %s", packed, code)
	}
}

package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCodeParseCompressedDigitalLink(t *testing.T) {
	f := newFixture(t)
	parse := func(s string) map[string]any {
		t.Helper()
		rec := f.do(entA, "GET", "/api/v1/codes/parse?s="+url.QueryEscape(s), "")
		if rec.Code != http.StatusOK {
			t.Fatalf("parse %s: status %d: %s", s, rec.Code, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("parse %s: %v", s, err)
		}
		return out
	}
	packed := parse("https://example.com/AQyNozPBICDEXqLoRv4")
	plain := parse("https://example.com/01/06901234000016/10/L1?17=271231")
	if want := "https://example.com/01/06901234000016/10/L1?17=271231"; packed["uncompressed"] != want {
		t.Errorf("uncompressed: got %v, want %s", packed["uncompressed"], want)
	}
	if packed["canonical"] != plain["canonical"] {
		t.Errorf("canonical: got %v, want %v as for the uncompressed link", packed["canonical"], plain["canonical"])
	}
	if _, ok := plain["uncompressed"]; ok {
		t.Errorf("uncompressed input: response has an uncompressed field: %v", plain["uncompressed"])
	}
}

func TestCodeParseCorruptCompressedDigitalLink(t *testing.T) {
	f := newFixture(t)
	rec := f.do(entA, "GET", "/api/v1/codes/parse?s="+url.QueryEscape("https://example.com/AQyNozPB"), "")
	if rec.Code != http.StatusBadRequest {
		t.Fatalf("status: got %d, want 400", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "bit 8") {
		t.Errorf("problem %s does not name the bit where decoding failed", body)
	}
}

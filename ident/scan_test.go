package ident

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseScan(t *testing.T) {
	defer func(f func() time.Time) { dateNow = f }(dateNow)
	dateNow = func() time.Time { return time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) }
	const gtin = "https://id.gs1.org/01/09506000134352"
	tests := []struct {
		name      string
		in        string
		kind      ScanKind
		canonical string
		class     string
		product   string
		fields    int
	}{
		{"bracketed with lot and serial", "(01)09506000134352(10)L1(21)S1(17)261231", KindElementString, gtin + "/21/S1", gtin + "/10/L1", gtin, 4},
		{"raw datamatrix", "]d201095060001343521726123110L1\x1d21S1", KindElementString, gtin + "/21/S1", gtin + "/10/L1", gtin, 4},
		{"raw without fnc1", "0109506000134352", KindElementString, gtin, "", gtin, 1},
		{"lot only", "(01)09506000134352(10)L1", KindElementString, gtin + "/10/L1", gtin, gtin, 2},
		{"digital link", "https://brand.example/01/9506000134352/21/S1?17=261231", KindDigitalLink, gtin + "/21/S1", gtin, gtin, 3},
		{"epc urn", "urn:epc:id:sgtin:0614141.812345.6789", KindEPCURN, "https://id.gs1.org/01/80614141123458/21/6789", "https://id.gs1.org/01/80614141123458", "https://id.gs1.org/01/80614141123458", 2},
		{"gtin-13", "9506000134352", KindGTIN, gtin, "", gtin, 1},
		{"gtin-8", "96385074", KindGTIN, "https://id.gs1.org/01/00000096385074", "", "https://id.gs1.org/01/00000096385074", 1},
		{"gtin-12", "036000291452", KindGTIN, "https://id.gs1.org/01/00036000291452", "", "https://id.gs1.org/01/00036000291452", 1},
		{"gtin-14", "10614141073464", KindGTIN, "https://id.gs1.org/01/10614141073464", "", "https://id.gs1.org/01/10614141073464", 1},
		{"sscc", "106141412345678908", KindSSCC, "https://id.gs1.org/00/106141412345678908", "", "", 1},
		{"sscc element string", "(00)106141412345678908(403)R1", KindElementString, "https://id.gs1.org/00/106141412345678908", "", "", 2},
		{"no primary key", "(3103)001250(01)09506000134352", KindElementString, gtin, "", gtin, 2},
		{"itip with lot and serial", "(8006)806141411234580102(10)L1(21)S1", KindElementString, "https://id.gs1.org/8006/806141411234580102/21/S1", "https://id.gs1.org/8006/806141411234580102/10/L1", "https://id.gs1.org/01/80614141123458", 3},
		{"grai with serial", "https://example.com/8003/00614141123452400", KindDigitalLink, "https://id.gs1.org/8003/00614141123452400", "https://id.gs1.org/8003/00614141123452", "", 1},
		{"grai without serial", "(8003)00614141123452", KindElementString, "https://id.gs1.org/8003/00614141123452", "", "", 1},
		{"cpid with serial", "urn:epc:id:cpi:0614141.A%23B.1", KindEPCURN, "https://id.gs1.org/8010/0614141A%23B/8011/1", "https://id.gs1.org/8010/0614141A%23B", "", 2},
		{"gln extension", "(414)0614141123452(254)7", KindElementString, "https://id.gs1.org/414/0614141123452/254/7", "", "", 2},
		{"uscc", "91350100M000100Y43", KindChineseCode, "urn:cn:uscc:91350100M000100Y43", "", "", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if sc.Kind != tt.kind {
				t.Errorf("Kind: got %q, want %q", sc.Kind, tt.kind)
			}
			if sc.Canonical != tt.canonical {
				t.Errorf("Canonical: got %q, want %q", sc.Canonical, tt.canonical)
			}
			if sc.Class != tt.class {
				t.Errorf("Class: got %q, want %q", sc.Class, tt.class)
			}
			if sc.Product != tt.product {
				t.Errorf("Product: got %q, want %q", sc.Product, tt.product)
			}
			if len(sc.Fields) != tt.fields {
				t.Errorf("Fields: got %d, want %d: %+v", len(sc.Fields), tt.fields, sc.Fields)
			}
		})
	}
}

func TestParseScanFields(t *testing.T) {
	defer func(f func() time.Time) { dateNow = f }(dateNow)
	dateNow = func() time.Time { return time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) }
	sc, err := Parse("(01)09506000134352(17)261200(3103)001250(10)L1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Field{
		{"01", "全球贸易项目代码（GTIN，商品条码）", "GTIN", "09506000134352", "09506000134352"},
		{"17", "有效期至", "USE BY or EXPIRY", "261200", "2026-12-31"},
		{"3103", "净重（千克）", "NET WEIGHT (kg)", "001250", "1.250"},
		{"10", "批号", "BATCH/LOT", "L1", "L1"},
	}
	if len(sc.Fields) != len(want) {
		t.Fatalf("Fields: got %d, want %d", len(sc.Fields), len(want))
	}
	for i, w := range want {
		if sc.Fields[i] != w {
			t.Errorf("Fields[%d]: got %+v, want %+v", i, sc.Fields[i], w)
		}
	}
	data, err := json.Marshal(sc)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	for _, key := range []string{`"canonical":`, `"fields":`, `"titleZH":"有效期至"`, `"formatted":"2026-12-31"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("JSON %s does not contain %s", data, key)
		}
	}
}

func TestParseScanErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", " ", ErrNotURI},
		{"words", "hello", ErrNotURI},
		{"gtin check digit", "9506000134353", ErrCheckDigit},
		{"18 digits neither", "106141412345678909", ErrInvalid},
		{"element string date", "(01)09506000134352(17)261340", ErrInvalid},
		{"digital link order", "https://example.com/01/09506000134352/21/S/10/L", ErrInvalid},
		{"bad urn", "urn:epc:id:sgtin:1.2.3", ErrInvalid},
		{"bad uscc", "91350100M000100Y4Z", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q): got %+v, %v; want %v", tt.in, sc, err, tt.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics on any input, that its errors
// wrap one of the package's sentinels, and that a canonical identifier it
// returns is a fixed point of Canonical.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"(01)09506000134352(10)L1(21)S1",
		"]d2010950600013435210L1\x1d21S1",
		"https://example.com/01/09506000134352?17=261231",
		"urn:epc:id:sgtin:0614141.812345.6789",
		"9506000134352",
		"106141412345678908",
		"91350100M000100Y43",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNotURI) {
				t.Fatalf("Parse(%q): error %v wraps neither ErrInvalid nor ErrNotURI", s, err)
			}
			return
		}
		if sc.Canonical == "" {
			return
		}
		again, err := Canonical(sc.Canonical)
		if err != nil || again != sc.Canonical {
			t.Fatalf("Parse(%q).Canonical = %q, but Canonical of it = %q, %v", s, sc.Canonical, again, err)
		}
	})
}

func TestParseCompressedDigitalLink(t *testing.T) {
	scan, err := Parse("https://example.com/AQyNozPBICDEXqLoRv4")
	if err != nil {
		t.Fatal(err)
	}
	if scan.Kind != KindDigitalLink {
		t.Errorf("kind: got %s, want %s", scan.Kind, KindDigitalLink)
	}
	if want := "https://example.com/01/06901234000016/10/L1?17=271231"; scan.Uncompressed != want {
		t.Errorf("uncompressed: got %q, want %q", scan.Uncompressed, want)
	}
	plain, err := Parse("https://example.com/01/06901234000016/10/L1?17=271231")
	if err != nil {
		t.Fatal(err)
	}
	if scan.Canonical != plain.Canonical || scan.Class != plain.Class || len(scan.Fields) != len(plain.Fields) {
		t.Errorf("compressed scan %+v differs from uncompressed %+v", scan, plain)
	}
	if plain.Uncompressed != "" {
		t.Errorf("uncompressed input: Uncompressed got %q, want empty", plain.Uncompressed)
	}
}

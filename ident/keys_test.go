package ident

import (
	"errors"
	"math/rand"
	"testing"
	"testing/quick"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		digits string
		want   byte
	}{
		{"9638507", '4'},
		{"1234567", '0'},
		{"03600029145", '2'},
		{"950600013435", '2'},
		{"0950600013435", '2'},
		{"10614141234567890", '8'},
		{"0614141123456789", '0'},
		{"401234500000", '9'},
	}
	for _, tt := range tests {
		t.Run(tt.digits, func(t *testing.T) {
			got, err := CheckDigit(tt.digits)
			if err != nil {
				t.Fatalf("CheckDigit(%q): %v", tt.digits, err)
			}
			if got != tt.want {
				t.Errorf("CheckDigit(%q): got %c, want %c", tt.digits, got, tt.want)
			}
		})
	}
}

func TestCheckDigitRejectsNonDigits(t *testing.T) {
	for _, in := range []string{"", "12a4", "١٢٣"} {
		if _, err := CheckDigit(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckDigit(%q): got %v, want ErrInvalid", in, err)
		}
	}
}

func TestParseGTIN(t *testing.T) {
	tests := []struct {
		name, in, want14, short string
	}{
		{"gtin-8", "96385074", "00000096385074", "96385074"},
		{"gtin-8 check digit 0", "12345670", "00000012345670", "12345670"},
		{"gtin-12", "036000291452", "00036000291452", "036000291452"},
		{"gtin-13", "9506000134352", "09506000134352", "9506000134352"},
		{"gtin-13 leading zero", "0614141123452", "00614141123452", "614141123452"},
		{"gtin-14", "10614141073464", "10614141073464", "10614141073464"},
		{"gtin-14 padded gtin-13", "09506000134352", "09506000134352", "9506000134352"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGTIN(tt.in)
			if err != nil {
				t.Fatalf("ParseGTIN(%q): %v", tt.in, err)
			}
			if got := g.GTIN14(); got != tt.want14 {
				t.Errorf("GTIN14: got %q, want %q", got, tt.want14)
			}
			if got := g.Short(); got != tt.short {
				t.Errorf("Short: got %q, want %q", got, tt.short)
			}
		})
	}
}

func TestParseGTINErrors(t *testing.T) {
	tests := []struct {
		name, in   string
		checkDigit bool
	}{
		{"wrong check digit", "9506000134353", true},
		{"check digit should be 0", "12345671", true},
		{"length 9", "123456789", false},
		{"length 15", "106141410734640", false},
		{"letters", "95060001343A2", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseGTIN(tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseGTIN(%q): got %v, want ErrInvalid", tt.in, err)
			}
			if got := errors.Is(err, ErrCheckDigit); got != tt.checkDigit {
				t.Errorf("ParseGTIN(%q): errors.Is(ErrCheckDigit) = %v, want %v (%v)", tt.in, got, tt.checkDigit, err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		name string
		typ  KeyType
		in   string
		want string
	}{
		{"gtin padded", GTIN, "96385074", "00000096385074"},
		{"sscc", SSCC, "106141412345678908", "106141412345678908"},
		{"gln", GLN, "4012345000009", "4012345000009"},
		{"pgln", PGLN, "0614141123452", "0614141123452"},
		{"grai with serial", GRAI, "00614141123452400", "00614141123452400"},
		{"grai without serial", GRAI, "00614141123452", "00614141123452"},
		{"giai", GIAI, "0614141A/B-1", "0614141A/B-1"},
		{"gsrn", GSRN, "061414112345678902", "061414112345678902"},
		{"gsrnp", GSRNP, "061414112345678902", "061414112345678902"},
		{"gdti", GDTI, "0614141123452X1", "0614141123452X1"},
		{"ginc", GINC, "0614141xyz47/11", "0614141xyz47/11"},
		{"gsin check digit 0", GSIN, "06141411234567890", "06141411234567890"},
		{"gcn", GCN, "401234567890104711", "401234567890104711"},
		{"cpid", CPID, "0614141A#B-1/2", "0614141A#B-1/2"},
		{"itip", ITIP, "806141411234580102", "806141411234580102"},
		{"upui tpx", UPUI, "51qIgY)<&Jp3*j7'SDB", "51qIgY)<&Jp3*j7'SDB"},
		{"gmn", GMN, "1987654Ad4X4bL5ttr2310c2K", "1987654Ad4X4bL5ttr2310c2K"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.typ, tt.in)
			if err != nil {
				t.Fatalf("ParseKey(%s, %q): %v", tt.typ, tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseKey(%s, %q): got %q, want %q", tt.typ, tt.in, got, tt.want)
			}
		})
	}
}

func TestParseKeyErrors(t *testing.T) {
	tests := []struct {
		name       string
		typ        KeyType
		in         string
		checkDigit bool
	}{
		{"sscc check digit", SSCC, "106141412345678909", true},
		{"sscc short", SSCC, "10614141234567890", false},
		{"gln check digit", GLN, "4012345000008", true},
		{"grai missing leading zero", GRAI, "10614141123452", false},
		{"grai check digit", GRAI, "00614141123453400", true},
		{"gsrn letters", GSRN, "06141411234567890A", false},
		{"gdti serial too long", GDTI, "0614141123452123456789012345678", false},
		{"cpid lower case", CPID, "0614141abc", false},
		{"itip piece above total", ITIP, "806141411234580302", false},
		{"itip piece zero", ITIP, "806141411234580002", false},
		{"gmn check pair", GMN, "1987654Ad4X4bL5ttr2310c2L", true},
		{"gcn serial letters", GCN, "4012345678901A", false},
		{"unknown type", KeyType("EAN"), "9506000134352", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey(tt.typ, tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseKey(%s, %q): got %v, want ErrInvalid", tt.typ, tt.in, err)
			}
			if got := errors.Is(err, ErrCheckDigit); got != tt.checkDigit {
				t.Errorf("ParseKey(%s, %q): errors.Is(ErrCheckDigit) = %v, want %v (%v)", tt.typ, tt.in, got, tt.checkDigit, err)
			}
		})
	}
}

func TestCheckCharacterPair(t *testing.T) {
	got, err := CheckCharacterPair("1987654Ad4X4bL5ttr2310c")
	if err != nil {
		t.Fatal(err)
	}
	if got != "2K" {
		t.Errorf("CheckCharacterPair: got %q, want %q", got, "2K")
	}
}

func TestKeyTypeAI(t *testing.T) {
	for typ, ai := range keyAI {
		d, ok := LookupAI(ai)
		if !ok {
			t.Errorf("%s: AI (%s) missing from the AI table", typ, ai)
			continue
		}
		back, ok := KeyTypeOfAI(d.AI)
		if !ok || back != typ {
			t.Errorf("KeyTypeOfAI(%s): got %s, %v, want %s", ai, back, ok, typ)
		}
	}
}

func TestGTINFormat(t *testing.T) {
	tests := []struct {
		gtin string
		n    int
		want string
		ok   bool
	}{
		{"96385074", 8, "96385074", true},
		{"96385074", 13, "0000096385074", true},
		{"9506000134352", 13, "9506000134352", true},
		{"9506000134352", 12, "", false},
		{"036000291452", 12, "036000291452", true},
		{"10614141073464", 13, "", false},
		{"10614141073464", 9, "", false},
	}
	for _, tt := range tests {
		g, err := ParseGTIN(tt.gtin)
		if err != nil {
			t.Fatalf("ParseGTIN(%q): %v", tt.gtin, err)
		}
		got, err := g.Format(tt.n)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Format(%s, %d): got %q, %v; want %q, ok=%v", tt.gtin, tt.n, got, err, tt.want, tt.ok)
		}
	}
}

// TestCheckDigitProperty checks on random keys that a computed check digit
// validates and every other digit in its place fails.
func TestCheckDigitProperty(t *testing.T) {
	property := func(seed int64, length uint8) bool {
		r := rand.New(rand.NewSource(seed))
		n := 7 + int(length)%11
		body := randomDigits(r, n)
		key, err := withCheckDigit(body)
		if err != nil || verifyCheckDigit("key", key) != nil {
			return false
		}
		for d := byte('0'); d <= '9'; d++ {
			if d == key[len(key)-1] {
				continue
			}
			if err := verifyCheckDigit("key", body+string(d)); !errors.Is(err, ErrCheckDigit) {
				return false
			}
		}
		return true
	}
	if err := quick.Check(property, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}

package cncode

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// validCodes lists one valid code of each form Parse accepts, with the
// scheme Parse must detect.
var validCodes = []struct {
	in     string
	scheme Scheme
}{
	{"91350100M000100Y43", SchemeUSCC},
	{"914403001922038216", SchemeUSCC},
	{"urn:cn:uscc:9144030071526726XG", SchemeUSCC},
	{"URN:CN:USCC:9144030071526726XG", SchemeUSCC},
	{"81234560000000011234", SchemeDrug},
	{"urn:cn:nmpa:drug:81234560000000011234", SchemeDrug},
	{"urn:cn:nmpa:drugclass:8123456", SchemeDrugClass},
	{"10800011001000000000000000012345", SchemePesticide},
	{"urn:cn:moa:pesticide:10800011001000000000000000012345", SchemePesticide},
	{"urn:cn:moa:pesticideclass:10800011001", SchemePesticideClass},
	{"202306154400112345678901", SchemeVetDrug},
	{"urn:cn:moa:vetdrug:202306154400112345678901", SchemeVetDrug},
	{"SC10644030500017", SchemeFoodLicence},
	{"urn:cn:samr:sc:SC10644030500017", SchemeFoodLicence},
	{"MA.156.M0.100274.13360111.S12.E270101", SchemeIDcode},
	{"MA.156.1003.1629/10.46100000.demo", SchemeIDcode},
	{"urn:cn:idcode:MA.156.M0.100274.13360111", SchemeIDcode},
	{"https://trace.example.cn/MA.156.M0.100274.13360111.S12", SchemeIDcode},
	{"http://trace.example.cn/q?code=MA.156.M0.100274.13360111.L7", SchemeIDcode},
	{"http://pesticide.example.cn/t/10800011001000000000000000012345", SchemePesticide},
	{"https://pesticide.example.cn/t?id=10800011001000000000000000012345", SchemePesticide},
}

func TestParseDetectsScheme(t *testing.T) {
	for _, tt := range validCodes {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if c.Scheme != tt.scheme {
				t.Errorf("Scheme: got %q, want %q", c.Scheme, tt.scheme)
			}
		})
	}
}

func TestParseURIRoundTrip(t *testing.T) {
	for _, tt := range validCodes {
		t.Run(tt.in, func(t *testing.T) {
			c, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			again, err := Parse(c.URI())
			if err != nil {
				t.Fatalf("Parse(URI %q): %v", c.URI(), err)
			}
			if again.URI() != c.URI() {
				t.Errorf("URI after round trip: got %q, want %q", again.URI(), c.URI())
			}
			if again.Scheme != c.Scheme {
				t.Errorf("Scheme after round trip: got %q, want %q", again.Scheme, c.Scheme)
			}
			if c.ClassURI() == "" {
				return
			}
			class, err := Parse(c.ClassURI())
			if err != nil {
				t.Fatalf("Parse(class URI %q): %v", c.ClassURI(), err)
			}
			if class.URI() != c.ClassURI() {
				t.Errorf("class URI after round trip: got %q, want %q", class.URI(), c.ClassURI())
			}
		})
	}
}

func TestParseSchemeErrors(t *testing.T) {
	tests := []struct {
		name, in   string
		wantScheme Scheme
		wantPos    int
	}{
		{"18 characters go to USCC", "91350100M000100Y44", SchemeUSCC, 18},
		{"20 digits go to drug", "61234560000000011234", SchemeDrug, 1},
		{"24 digits go to veterinary drug", "202313154400112345678901", SchemeVetDrug, 1},
		{"32 digits go to pesticide", "90800011001000000000000000012345", SchemePesticide, 1},
		{"SC prefix goes to food licence", "SC10699030500017", SchemeFoodLicence, 6},
		{"MA prefix goes to IDcode", "MA.156.M0.1", SchemeIDcode, 0},
		{"URN prefix fixes the scheme", "urn:cn:nmpa:drug:8123", SchemeDrug, 0},
		{"URL with bad MA code", "https://x.example.cn/MA.156.M0.12345.13360111", SchemeIDcode, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q): got %v, want *Error", tt.in, err)
			}
			if e.Scheme != tt.wantScheme {
				t.Errorf("scheme: got %q, want %q", e.Scheme, tt.wantScheme)
			}
			if e.Position != tt.wantPos {
				t.Errorf("position: got %d, want %d", e.Position, tt.wantPos)
			}
		})
	}
}

func TestParseUnknownScheme(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"blank", "   "},
		{"GTIN", "09506000134352"},
		{"21 digits", "812345600000000112345"},
		{"EPC URN", "urn:epc:id:sgtin:9506000.013435.1"},
		{"GS1 Digital Link with 20-digit serial", "https://id.gs1.org/01/09506000134352/21/81234560000000011234"},
		{"URL without code", "https://example.cn/trace?id=42"},
		{"URL with MA-like page name", "https://example.cn/MA.html"},
		{"URL with MA-like query", "https://example.cn/p?f=MA.pdf"},
		{"too long", strings.Repeat("9", 600)},
		{"other URN", "urn:cn:other:123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.in)
			if !errors.Is(err, ErrUnknownScheme) {
				t.Fatalf("Parse(%q): got (%v, %v), want ErrUnknownScheme", tt.in, c, err)
			}
			if errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q): error wraps ErrInvalid as well", tt.in)
			}
		})
	}
}

func TestSchemeTitles(t *testing.T) {
	for _, s := range []Scheme{SchemeUSCC, SchemeDrug, SchemeDrugClass, SchemePesticide, SchemePesticideClass, SchemeVetDrug, SchemeFoodLicence, SchemeIDcode} {
		if s.TitleZH() == "" || s.TitleEN() == "" {
			t.Errorf("scheme %q: TitleZH %q, TitleEN %q, want both set", s, s.TitleZH(), s.TitleEN())
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range validCodes {
		f.Add(tt.in)
	}
	f.Add("91350100M000100Y4Z")
	f.Add("MA.156.M0..")
	f.Add("http://%zz")
	f.Add("sc")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				if e.Position < 0 || e.Position > utf8.RuneCountInString(e.Value)+1 {
					t.Errorf("Parse(%q): position %d outside the value %q", s, e.Position, e.Value)
				}
				if e.Error() == "" || e.MessageZH() == "" {
					t.Errorf("Parse(%q): empty message", s)
				}
			} else if !errors.Is(err, ErrUnknownScheme) {
				t.Errorf("Parse(%q): error %v is neither *Error nor ErrUnknownScheme", s, err)
			}
			return
		}
		again, err := Parse(c.URI())
		if err != nil {
			t.Fatalf("Parse(%q) gave URI %q that does not parse: %v", s, c.URI(), err)
		}
		if again.URI() != c.URI() {
			t.Errorf("Parse(%q): URI %q parses back to %q", s, c.URI(), again.URI())
		}
	})
}

func BenchmarkParse(b *testing.B) {
	inputs := []string{
		"9144030071526726XG",
		"81234560000000011234",
		"10800011001000000000000000012345",
		"MA.156.M0.100761.21234561.Sx00008.M220117.L20220117.E220130",
		"urn:cn:samr:sc:SC10644030500017",
	}
	for _, in := range inputs {
		b.Run(in[:8], func(b *testing.B) {
			for b.Loop() {
				if _, err := Parse(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

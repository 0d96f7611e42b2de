package ident

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseElementString(t *testing.T) {
	gtin := Element{"01", "09506000134352"}
	tests := []struct {
		name string
		in   string
		want []Element
	}{
		{"bracketed", "(01)09506000134352(17)261231(10)ABC123", []Element{gtin, {"17", "261231"}, {"10", "ABC123"}}},
		{"bracketed with spaces", "(01) 09506000134352 (10) ABC123", []Element{gtin, {"10", "ABC123"}}},
		{"bracketed escaped paren", `(01)09506000134352(10)AB\(C)`, []Element{gtin, {"10", "AB(C)"}}},
		{"raw predefined then variable", "010950600013435210ABC123\x1d21S1", []Element{gtin, {"10", "ABC123"}, {"21", "S1"}}},
		{"raw gs1-128 symbology id", "]C1010950600013435217261231", []Element{gtin, {"17", "261231"}}},
		{"raw datamatrix symbology id", "]d2010950600013435210L1\x1d17261231", []Element{gtin, {"10", "L1"}, {"17", "261231"}}},
		{"raw qr symbology id", "]Q30109506000134352", []Element{gtin}},
		{"raw databar symbology id", "]e00109506000134352", []Element{gtin}},
		{"raw leading fnc1", "\x1d0109506000134352", []Element{gtin}},
		{"raw gs after predefined", "0109506000134352\x1d17261231", []Element{gtin, {"17", "261231"}}},
		{"ean-13 symbology id", "]E09506000134352", []Element{gtin}},
		{"day zero", "(01)09506000134352(17)261200", []Element{gtin, {"17", "261200"}}},
		{"net weight", "(01)09506000134352(3103)001250", []Element{gtin, {"3103", "001250"}}},
		{"sscc with route", "(00)106141412345678908(403)ROUTE1", []Element{{"00", "106141412345678908"}, {"403", "ROUTE1"}}},
		{"gln with extension", "(414)0614141123452(254)A1", []Element{{"414", "0614141123452"}, {"254", "A1"}}},
		{"country of origin", "(01)09506000134352(422)156", []Element{gtin, {"422", "156"}}},
		{"amount with currency", "(8020)REF1(415)0614141123452(3912)156001250", []Element{{"8020", "REF1"}, {"415", "0614141123452"}, {"3912", "156001250"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseElementString(tt.in)
			if err != nil {
				t.Fatalf("ParseElementString(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseElementString(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseElementStringErrors(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		ai         string
		position   int
		rule       string
		checkDigit bool
	}{
		{"wrong check digit", "(01)09506000134353", "01", 18, "invalid check digit 3, want 2", true},
		{"unknown ai", "(01)09506000134352(23)5", "23", 20, "unknown Application Identifier", false},
		{"unknown raw ai", "0109506000134352239", "239", 17, "unknown Application Identifier", false},
		{"value too long", "(01)09506000134352(10)123456789012345678901", "10", 43, "value too long: 21 characters, maximum 20", false},
		{"raw value too long", "0109506000134352" + "10123456789012345678901", "10", 39, "value too long", false},
		{"month 13", "(01)09506000134352(17)241340", "17", 25, "invalid date, month 13", false},
		{"day 31 in april", "(01)09506000134352(11)260431", "11", 27, "invalid date, day 31 in 2026-04", false},
		{"day zero not allowed", "(00)106141412345678908(4326)260400", "4326", 0, "invalid date, day 00", false},
		{"missing companion", "(10)ABC", "10", 0, "missing companion AI: needs (01) or (02) or (03) or (8006) or (8026)", false},
		{"missing pair companion", "(01)09506000134352(250)X", "250", 0, "needs (01)+(21) or (03)+(21) or (8006)+(21)", false},
		{"excluded pair", "(02)09506000134352(01)09506000134352(37)1", "02", 0, "must not appear together with AI (01)", false},
		{"excluded pattern", "(01)09506000134352(3103)000100(3102)000100", "3103", 0, "must not appear together with AI (3102)", false},
		{"duplicate different", "(01)09506000134352(10)A(10)B", "10", 0, "appears twice with different values", false},
		{"letters in numeric", "(01)0950600013435A", "01", 18, "not allowed, want numeric", false},
		{"too short fixed", "(01)0950600013435", "01", 0, "value too short", false},
		{"bad country", "(01)09506000134352(422)999", "422", 24, "999 is not a valid ISO 3166-1 numeric country code", false},
		{"character outside cset 82", "(01)09506000134352(10)AB C", "10", 25, "character ' ' is not allowed", false},
		{"position after spaces", "(01) 09506000134353", "01", 19, "invalid check digit", true},
		{"not a paren", "(01)09506000134352x", "01", 0, "", false},
		{"unclosed paren", "(01", "", 1, "unclosed (", false},
		{"empty", "", "", 0, "empty element string", false},
		{"other symbology", "]A0123", "", 1, "does not carry GS1 element strings", false},
		{"fnc1 inside predefined", "01095060\x1d00134352", "01", 9, "FNC1 inside a value", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseElementString(tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseElementString(%q): got %v, want ErrInvalid", tt.in, err)
			}
			if got := errors.Is(err, ErrCheckDigit); got != tt.checkDigit {
				t.Errorf("errors.Is(ErrCheckDigit): got %v, want %v", got, tt.checkDigit)
			}
			var ee *ElementError
			if !errors.As(err, &ee) {
				t.Fatalf("ParseElementString(%q): error %v is not an *ElementError", tt.in, err)
			}
			if ee.AI != tt.ai {
				t.Errorf("AI: got %q, want %q (%v)", ee.AI, tt.ai, err)
			}
			if tt.position != 0 && ee.Position != tt.position {
				t.Errorf("Position: got %d, want %d (%v)", ee.Position, tt.position, err)
			}
			if !strings.Contains(ee.Rule, tt.rule) {
				t.Errorf("Rule: got %q, want it to contain %q", ee.Rule, tt.rule)
			}
		})
	}
}

func TestElementErrorMessage(t *testing.T) {
	_, err := ParseElementString("(01)09506000134352(17)241340")
	want := `AI (17) value "241340": invalid date, month 13 (at position 25)`
	if err == nil || err.Error() != want {
		t.Errorf("error: got %v, want %s", err, want)
	}
}

func TestExpandYear(t *testing.T) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct{ yy, want int }{
		{26, 2026}, {0, 2000}, {76, 2076}, {77, 1977}, {99, 1999}, {75, 2075},
	}
	for _, tt := range tests {
		if got := ExpandYear(tt.yy, now); got != tt.want {
			t.Errorf("ExpandYear(%02d) in 2026: got %d, want %d", tt.yy, got, tt.want)
		}
	}
	late := time.Date(2080, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := ExpandYear(30, late); got != 2130 {
		t.Errorf("ExpandYear(30) in 2080: got %d, want 2130", got)
	}
	if got := ExpandYear(31, late); got != 2031 {
		t.Errorf("ExpandYear(31) in 2080: got %d, want 2031", got)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	tests := []struct {
		name, bracketed, raw string
	}{
		{"gtin lot serial", "(01)09506000134352(10)AB(1(21)S/2", "]d2010950600013435210AB(1\x1d21S/2"},
		{"sscc", "(00)106141412345678908", "]d200106141412345678908"},
		{"predefined in middle", "(10)L1(01)09506000134352(17)261231(21)X", "]d210L1\x1d01095060001343521726123121X"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			elems, err := ParseElementString(strings.ReplaceAll(tt.bracketed, "B(1", `B\(1`))
			if err != nil {
				t.Fatalf("parse bracketed: %v", err)
			}
			raw := FormatRaw("]d2", elems)
			if raw != tt.raw {
				t.Errorf("FormatRaw: got %q, want %q", raw, tt.raw)
			}
			back, err := ParseElementString(raw)
			if err != nil {
				t.Fatalf("parse raw %q: %v", raw, err)
			}
			if !reflect.DeepEqual(back, elems) {
				t.Errorf("raw round trip: got %v, want %v", back, elems)
			}
			again, err := ParseElementString(FormatBracketed(elems))
			if err != nil {
				t.Fatalf("parse FormatBracketed output: %v", err)
			}
			if !reflect.DeepEqual(again, elems) {
				t.Errorf("bracketed round trip: got %v, want %v", again, elems)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	defer func(f func() time.Time) { dateNow = f }(dateNow)
	dateNow = func() time.Time { return time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) }
	tests := []struct{ ai, value, want string }{
		{"17", "261231", "2026-12-31"},
		{"15", "270200", "2027-02-28"},
		{"11", "991231", "1999-12-31"},
		{"3103", "001250", "1.250"},
		{"3100", "000042", "42"},
		{"3925", "1999", "0.01999"},
		{"3912", "156001250", "156 12.50"},
		{"7003", "2612311430", "2026-12-31 14:30"},
		{"8008", "26123114", "2026-12-31 14"},
		{"8008", "261231143059", "2026-12-31 14:30:59"},
		{"7007", "260101260131", "2026-01-01 – 2026-01-31"},
		{"7250", "19991231", "1999-12-31"},
		{"10", "ABC", "ABC"},
		{"17", "261340", "261340"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.ai, tt.value); got != tt.want {
			t.Errorf("FormatValue(%s, %s): got %q, want %q", tt.ai, tt.value, got, tt.want)
		}
	}
}

// FuzzElementString checks that parsing never panics and that whatever
// parses survives a round trip through both output forms.
func FuzzElementString(f *testing.F) {
	for _, seed := range []string{
		"(01)09506000134352(17)261231(10)ABC123",
		"]d2010950600013435210ABC\x1d21X",
		`(01)09506000134352(10)A\(B`,
		"(00)106141412345678908",
		"]E09506000134352",
		"(8003)00614141123452400",
		"(17)241340",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		elems, err := ParseElementString(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		for _, form := range []string{FormatBracketed(elems), FormatRaw("]C1", elems)} {
			back, err := ParseElementString(form)
			if err != nil {
				t.Fatalf("reparse %q of %q: %v", form, s, err)
			}
			if !reflect.DeepEqual(back, elems) {
				t.Fatalf("round trip of %q via %q: got %v, want %v", s, form, back, elems)
			}
		}
	})
}

package cncode

import (
	"errors"
	"testing"
)

// makeUSCC completes the first 17 characters of a unified social credit
// code with its check character.
func makeUSCC(t *testing.T, first17 string) string {
	t.Helper()
	c, err := USCCCheckChar(first17)
	if err != nil {
		t.Fatalf("USCCCheckChar(%q): %v", first17, err)
	}
	return first17 + string(c)
}

// makeOrgCode completes an organisation code body with its GB 11714 check
// character.
func makeOrgCode(t *testing.T, first8 string) string {
	t.Helper()
	c, err := OrgCodeCheckChar(first8)
	if err != nil {
		t.Fatalf("OrgCodeCheckChar(%q): %v", first8, err)
	}
	return first8 + string(c)
}

func TestUSCCCheckCharStandardExample(t *testing.T) {
	// GB 32100-2015 works its check character example on 91350100M000100Y4:
	// the weighted sum is 1640, 1640 mod 31 = 28, and 31 - 28 = 3.
	got, err := USCCCheckChar("91350100M000100Y4")
	if err != nil {
		t.Fatalf("USCCCheckChar: %v", err)
	}
	if got != '3' {
		t.Errorf("USCCCheckChar(91350100M000100Y4): got %c, want 3", got)
	}
}

func TestUSCCCheckCharRejects(t *testing.T) {
	tests := []struct {
		name, in string
		wantPos  int
	}{
		{"too short", "91350100M000100Y", 0},
		{"too long", "91350100M000100Y43", 0},
		{"letter I", "9135010IM000100Y4", 8},
		{"letter O", "91350100O000100Y4", 9},
		{"letter S", "S1350100M000100Y4", 1},
		{"symbol", "913501-0M000100Y4", 7},
		{"non-ASCII", "913501００M000100Y4", 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := USCCCheckChar(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("USCCCheckChar(%q): got error %v, want *Error", tt.in, err)
			}
			if e.Position != tt.wantPos {
				t.Errorf("USCCCheckChar(%q) position: got %d, want %d", tt.in, e.Position, tt.wantPos)
			}
		})
	}
}

func TestUSCCCheckCharCoversCharset(t *testing.T) {
	// Every check value 0-30 must be reachable, so that every character of
	// the set appears as a check character for some body.
	seen := map[byte]bool{}
	body := []byte("91440300MA5H8REU0")
	for _, c := range []byte(usccCharset) {
		body[16] = c
		for _, d := range []byte(usccCharset) {
			body[15] = d
			got, err := USCCCheckChar(string(body))
			if err != nil {
				t.Fatalf("USCCCheckChar(%s): %v", body, err)
			}
			seen[got] = true
		}
	}
	if len(seen) != 31 {
		t.Errorf("distinct check characters: got %d, want 31", len(seen))
	}
}

func TestOrgCodeCheckChar(t *testing.T) {
	tests := []struct {
		body string
		want byte
	}{
		{"M000100Y", '4'}, // organisation code inside the GB 32100 example
		{"71526726", 'X'}, // remainder 1 gives 10, written X
		{"19220382", '1'},
		{"MA5H8REU", '3'},
		{"00000000", '0'}, // remainder 0 gives 11, written 0
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			got, err := OrgCodeCheckChar(tt.body)
			if err != nil {
				t.Fatalf("OrgCodeCheckChar(%q): %v", tt.body, err)
			}
			if got != tt.want {
				t.Errorf("OrgCodeCheckChar(%q): got %c, want %c", tt.body, got, tt.want)
			}
		})
	}
	if _, err := OrgCodeCheckChar("M000100"); !errors.Is(err, ErrInvalid) {
		t.Errorf("OrgCodeCheckChar(7 characters): got %v, want ErrInvalid", err)
	}
	if _, err := OrgCodeCheckChar("m000100y"); !errors.Is(err, ErrInvalid) {
		t.Errorf("OrgCodeCheckChar(lower case): got %v, want ErrInvalid", err)
	}
}

func TestParseUSCCValid(t *testing.T) {
	tests := []struct {
		name, in, wantValue string
		wantDivisionZH      string
		wantTypeEN          string
	}{
		{"standard example", "91350100M000100Y43", "91350100M000100Y43", "福建省", "enterprise"},
		{"published Shenzhen enterprise", "9144030071526726XG", "9144030071526726XG", "广东省深圳市", "enterprise"},
		{"published all-digit code", "914403001922038216", "914403001922038216", "广东省深圳市", "enterprise"},
		{"published MA-series code", "91440300MA5H8REU3K", "91440300MA5H8REU3K", "广东省深圳市", "enterprise"},
		{"lower case", "91440300ma5h8reu3k", "91440300MA5H8REU3K", "广东省深圳市", "enterprise"},
		{"URN form", "urn:cn:uscc:91350100M000100Y43", "91350100M000100Y43", "福建省", "enterprise"},
		{"surrounding spaces", "  91350100M000100Y43\n", "91350100M000100Y43", "福建省", "enterprise"},
		{"generated individual business Guangzhou", makeUSCC(t, "92440101"+makeOrgCode(t, "L1234567")), "", "广东省广州市", "individual business"},
		{"generated social organisation", makeUSCC(t, "51440000"+makeOrgCode(t, "50000123")), "", "广东省", "social organisation"},
		{"generated national public institution", makeUSCC(t, "12100000"+makeOrgCode(t, "40000062")), "", "全国（国家级登记管理机关）", "public institution"},
		{"generated village collective", makeUSCC(t, "N2445300"+makeOrgCode(t, "A1B2C3D4")), "", "广东省云浮市", "village-level collective economic organisation"},
		{"generated other authority", makeUSCC(t, "Y1320500"+makeOrgCode(t, "12345678")), "", "江苏省", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseUSCC(tt.in)
			if err != nil {
				t.Fatalf("ParseUSCC(%q): %v", tt.in, err)
			}
			want := tt.wantValue
			if want == "" {
				want = tt.in
			}
			if c.Value != want {
				t.Errorf("Value: got %q, want %q", c.Value, want)
			}
			if c.URI() != PrefixUSCC+want {
				t.Errorf("URI: got %q, want %q", c.URI(), PrefixUSCC+want)
			}
			if c.ClassURI() != "" {
				t.Errorf("ClassURI: got %q, want empty", c.ClassURI())
			}
			if len(c.Fields) != 5 {
				t.Fatalf("Fields: got %d, want 5", len(c.Fields))
			}
			if got := c.Fields[2].TextZH; got != tt.wantDivisionZH {
				t.Errorf("division TextZH: got %q, want %q", got, tt.wantDivisionZH)
			}
			if got := c.Fields[1].TextEN; got != tt.wantTypeEN {
				t.Errorf("organisation type TextEN: got %q, want %q", got, tt.wantTypeEN)
			}
			if got := c.Field("organisationCode"); got != want[8:17] {
				t.Errorf("organisationCode: got %q, want %q", got, want[8:17])
			}
		})
	}
}

func TestParseUSCCInvalid(t *testing.T) {
	tests := []struct {
		name, in   string
		wantPos    int
		wantReason string
	}{
		{"empty", "", 0, "has 0 characters, must have 18"},
		{"17 characters", "91350100M000100Y4", 0, "has 17 characters, must have 18"},
		{"19 characters", "91350100M000100Y433", 0, "has 19 characters, must have 18"},
		{"wrong check character", "91350100M000100Y44", 18, "check character must be 3"},
		{"excluded letter as check", "91350100M000100Y4Z", 18, `"Z" is not a code character (digits and upper-case letters except I, O, Z, S, V)`},
		{"excluded letter in body", "91350100M0001O0Y43", 14, `"O" is not a code character (digits and upper-case letters except I, O, Z, S, V)`},
		{"full-width digit", "9135010０M000100Y43", 8, `"０" is not a code character (digits and upper-case letters except I, O, Z, S, V)`},
		{"unknown authority", makeUSCC(t, "B1440300"+makeOrgCode(t, "12345678")), 1, "registration authority code B is not allocated (known: 1-9, A, N, Y)"},
		{"type not of authority", makeUSCC(t, "94440300"+makeOrgCode(t, "12345678")), 2, "organisation type code 4 is not allocated to registration authority 9 (market regulation (industry and commerce)); allowed: 1, 2, 3"},
		{"letter in division", makeUSCC(t, "9144A300"+makeOrgCode(t, "12345678")), 5, "administrative division code 44A300 must be 6 digits"},
		{"unknown province", makeUSCC(t, "91990300"+makeOrgCode(t, "12345678")), 3, "province code 99 is not in GB/T 2260"},
		{"unknown Guangdong prefecture", makeUSCC(t, "91441000"+makeOrgCode(t, "12345678")), 5, "Guangdong prefecture code 10 is not in GB/T 2260"},
		{"wrong organisation code check", makeUSCC(t, "91440300123456780"), 17, "organisation code check character must be 8 (GB 11714)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUSCC(tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseUSCC(%q): got %v, want ErrInvalid", tt.in, err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseUSCC(%q): error %T is not *Error", tt.in, err)
			}
			if e.Position != tt.wantPos {
				t.Errorf("position: got %d, want %d", e.Position, tt.wantPos)
			}
			if e.Reason != tt.wantReason {
				t.Errorf("reason: got %q, want %q", e.Reason, tt.wantReason)
			}
			if e.Scheme != SchemeUSCC {
				t.Errorf("scheme: got %q, want %q", e.Scheme, SchemeUSCC)
			}
		})
	}
}

func TestUSCCErrorMessages(t *testing.T) {
	_, err := ParseUSCC("91350100M000100Y44")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("ParseUSCC: got %v, want *Error", err)
	}
	wantEN := `invalid unified social credit code "91350100M000100Y44": position 18: check character must be 3`
	if got := e.Error(); got != wantEN {
		t.Errorf("Error(): got %q, want %q", got, wantEN)
	}
	wantZH := `统一社会信用代码 "91350100M000100Y44" 无效：第 18 位校验码应为 3`
	if got := e.MessageZH(); got != wantZH {
		t.Errorf("MessageZH(): got %q, want %q", got, wantZH)
	}
}

func TestParseUSCCDetectsEverySingleCharacterChange(t *testing.T) {
	// GB 32100's mod-31 check catches every substitution of one character.
	valid := "9144030071526726XG"
	for i := 0; i < 18; i++ {
		for _, c := range []byte(usccCharset) {
			if c == valid[i] {
				continue
			}
			changed := valid[:i] + string(c) + valid[i+1:]
			if _, err := ParseUSCC(changed); err == nil {
				t.Errorf("ParseUSCC(%s) accepted a code with position %d changed", changed, i+1)
			}
		}
	}
}

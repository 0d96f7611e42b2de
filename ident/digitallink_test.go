package ident

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestParseDigitalLink(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		host       string
		prefix     string
		key        Element
		qualifiers []Element
		attributes []Element
		params     []QueryParam
		str        string
	}{
		{
			name: "gtin only", in: "https://id.gs1.org/01/09506000134352",
			host: "id.gs1.org", key: Element{"01", "09506000134352"},
			str: "https://id.gs1.org/01/09506000134352",
		},
		{
			name: "gtin-13 padded", in: "https://example.com/01/9506000134352",
			host: "example.com", key: Element{"01", "09506000134352"},
			str: "https://example.com/01/09506000134352",
		},
		{
			name: "path prefix and qualifiers", in: "https://brand.example.cn:8443/shop/p/01/09506000134352/10/L%2F1/21/12+3",
			host: "brand.example.cn:8443", prefix: "/shop/p", key: Element{"01", "09506000134352"},
			qualifiers: []Element{{"10", "L/1"}, {"21", "12+3"}},
			str:        "https://brand.example.cn:8443/shop/p/01/09506000134352/10/L%2F1/21/12%2B3",
		},
		{
			name: "query attributes and params", in: "https://example.com/01/09506000134352/21/S1?17=261231&linkType=gs1:pip&3103=001250",
			host: "example.com", key: Element{"01", "09506000134352"},
			qualifiers: []Element{{"21", "S1"}},
			attributes: []Element{{"17", "261231"}, {"3103", "001250"}},
			params:     []QueryParam{{"linkType", "gs1:pip"}},
			str:        "https://example.com/01/09506000134352/21/S1?17=261231&3103=001250&linkType=gs1:pip",
		},
		{
			name: "cpv lot serial", in: "https://example.com/01/09506000134352/22/V1/10/L1/21/S1",
			host: "example.com", key: Element{"01", "09506000134352"},
			qualifiers: []Element{{"22", "V1"}, {"10", "L1"}, {"21", "S1"}},
			str:        "https://example.com/01/09506000134352/22/V1/10/L1/21/S1",
		},
		{
			name: "tpx", in: "https://example.com/01/09506000134352/235/T%3C1",
			host: "example.com", key: Element{"01", "09506000134352"},
			qualifiers: []Element{{"235", "T<1"}},
			str:        "https://example.com/01/09506000134352/235/T%3C1",
		},
		{
			name: "gln extension", in: "http://example.com/414/0614141123452/254/A1",
			host: "example.com", key: Element{"414", "0614141123452"},
			qualifiers: []Element{{"254", "A1"}},
			str:        "http://example.com/414/0614141123452/254/A1",
		},
		{
			name: "deprecated short names", in: "https://example.com/gtin/09506000134352/lot/L1/ser/S1",
			host: "example.com", key: Element{"01", "09506000134352"},
			qualifiers: []Element{{"10", "L1"}, {"21", "S1"}},
			str:        "https://example.com/01/09506000134352/10/L1/21/S1",
		},
		{
			name: "cpid serial", in: "https://example.com/8010/0614141A%23B/8011/12",
			host: "example.com", key: Element{"8010", "0614141A#B"},
			qualifiers: []Element{{"8011", "12"}},
			str:        "https://example.com/8010/0614141A%23B/8011/12",
		},
		{
			name: "sscc trailing slash", in: "https://example.com/00/106141412345678908/",
			host: "example.com", key: Element{"00", "106141412345678908"},
			str: "https://example.com/00/106141412345678908",
		},
		{
			name: "prefix segment looking like ai", in: "https://example.com/01/x/01/09506000134352",
			host: "example.com", prefix: "/01/x", key: Element{"01", "09506000134352"},
			str: "https://example.com/01/x/01/09506000134352",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dl, err := ParseDigitalLink(tt.in)
			if err != nil {
				t.Fatalf("ParseDigitalLink(%q): %v", tt.in, err)
			}
			if dl.Host != tt.host {
				t.Errorf("Host: got %q, want %q", dl.Host, tt.host)
			}
			if dl.PathPrefix != tt.prefix {
				t.Errorf("PathPrefix: got %q, want %q", dl.PathPrefix, tt.prefix)
			}
			if dl.Key != tt.key {
				t.Errorf("Key: got %v, want %v", dl.Key, tt.key)
			}
			if !reflect.DeepEqual(dl.Qualifiers, tt.qualifiers) {
				t.Errorf("Qualifiers: got %v, want %v", dl.Qualifiers, tt.qualifiers)
			}
			if !reflect.DeepEqual(dl.Attributes, tt.attributes) {
				t.Errorf("Attributes: got %v, want %v", dl.Attributes, tt.attributes)
			}
			if !reflect.DeepEqual(dl.Params, tt.params) {
				t.Errorf("Params: got %v, want %v", dl.Params, tt.params)
			}
			if got := dl.String(); got != tt.str {
				t.Errorf("String: got %q, want %q", got, tt.str)
			}
		})
	}
}

func TestParseDigitalLinkErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lot after serial", "https://example.com/01/09506000134352/21/S1/10/L1", "AI (10) must come before AI (21)"},
		{"cpv after lot", "https://example.com/01/09506000134352/10/L1/22/V", "AI (22) must come before AI (10)"},
		{"mixed alternatives", "https://example.com/01/09506000134352/21/S1/235/T1", "AI (235) is not a key qualifier"},
		{"foreign qualifier", "https://example.com/01/09506000134352/254/A", "AI (254) is not a key qualifier of AI (01)"},
		{"key takes no qualifier", "https://example.com/00/106141412345678908/21/1", "takes no key qualifiers"},
		{"wrong check digit", "https://example.com/01/09506000134353", "check digit"},
		{"bad escape", "https://example.com/01/09506000134352/21/A%2", "invalid URL escape"},
		{"no key", "https://example.com/about/us", "no GS1 Digital Link"},
		{"not http", "ftp://example.com/01/09506000134352", "must start with https://"},
		{"no host", "https:///01/09506000134352", "has no host"},
		{"serial in query", "https://example.com/01/09506000134352?21=S1", "not allowed as a data attribute"},
		{"key in query", "https://example.com/01/09506000134352?00=106141412345678908", "belongs in the path"},
		{"bad query date", "https://example.com/01/09506000134352?17=261340", "invalid date, month 13"},
		{"duplicate query ai", "https://example.com/01/09506000134352?17=261231&17=261230", "appears twice"},
		{"attribute without companion", "https://example.com/414/0614141123452?17=261231", "missing companion AI"},
		{"serial too long", "https://example.com/01/09506000134352/21/123456789012345678901", "value too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDigitalLink(tt.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseDigitalLink(%q): got %v, want ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseDigitalLink(%q): error %q does not contain %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestDigitalLinkCanonicalURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.com/shop/01/9506000134352/22/V/10/L/21/S?17=261231", "https://id.gs1.org/01/09506000134352/21/S"},
		{"https://example.com/01/09506000134352/22/V/10/L", "https://id.gs1.org/01/09506000134352/10/L"},
		{"https://example.com/01/96385074", "https://id.gs1.org/01/00000096385074"},
		{"https://example.com/414/0614141123452/254/0", "https://id.gs1.org/414/0614141123452/254/0"},
	}
	for _, tt := range tests {
		dl, err := ParseDigitalLink(tt.in)
		if err != nil {
			t.Fatalf("ParseDigitalLink(%q): %v", tt.in, err)
		}
		if got := dl.CanonicalURI(); got != tt.want {
			t.Errorf("CanonicalURI(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// testPrefixes returns a table with the company prefixes used by the round-trip tests.
func testPrefixes(t testing.TB) *PrefixLengths {
	t.Helper()
	p := &PrefixLengths{}
	err := p.Load(strings.NewReader(`# company prefixes of the test keys
0614141
4012345 7
950600013435 12
`))
	if err != nil {
		t.Fatalf("load prefixes: %v", err)
	}
	return p
}

func TestURNDigitalLinkRoundTrip(t *testing.T) {
	urns := []string{
		"urn:epc:id:sgtin:0614141.812345.6789",
		"urn:epc:id:sgtin:0614141.812345.A%2FB%25C%26D%22E%3F!()*+,:;=",
		"urn:epc:id:sgtin:950600013435.0.1",
		"urn:epc:id:sscc:0614141.1234567890",
		"urn:epc:id:sgln:0614141.12345.0",
		"urn:epc:id:sgln:0614141.12345.400",
		"urn:epc:id:sgln:950600013435..7",
		"urn:epc:id:grai:0614141.12345.400",
		"urn:epc:id:giai:0614141.12345400",
		"urn:epc:id:giai:0614141.A%2FB",
		"urn:epc:id:gsrn:0614141.1234567890",
		"urn:epc:id:gsrnp:0614141.1234567890",
		"urn:epc:id:gdti:0614141.12345.400",
		"urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345",
		"urn:epc:id:cpi:0614141.A%23B.1",
		"urn:epc:id:sgcn:4012345.67890.04711",
		"urn:epc:id:ginc:0614141.xyz47%2F11",
		"urn:epc:id:gsin:0614141.123456789",
		"urn:epc:id:itip:0614141.812345.01.02.6789",
		"urn:epc:id:upui:0614141.812345.A%3CB",
		"urn:epc:id:pgln:0614141.12345",
		"urn:epc:class:lgtin:4012345.012345.998877",
		"urn:epc:idpat:sgtin:4012345.012345.*",
		"urn:epc:idpat:grai:0614141.12345.*",
		"urn:epc:idpat:gdti:0614141.12345.*",
		"urn:epc:idpat:sgcn:4012345.67890.*",
		"urn:epc:idpat:cpi:0614141.123ABC.*",
		"urn:epc:idpat:itip:0614141.812345.01.02.*",
	}
	prefixes := testPrefixes(t)
	for _, urn := range urns {
		t.Run(urn, func(t *testing.T) {
			dl, err := URNToDigitalLink(urn)
			if err != nil {
				t.Fatalf("URNToDigitalLink: %v", err)
			}
			back, err := DigitalLinkToURN(dl, prefixes)
			if err != nil {
				t.Fatalf("DigitalLinkToURN(%q): %v", dl, err)
			}
			if back != urn {
				t.Errorf("round trip via %q: got %q, want %q", dl, back, urn)
			}
		})
	}
}

func TestDigitalLinkToURNErrors(t *testing.T) {
	prefixes := testPrefixes(t)
	tests := []struct {
		name, in string
		want     error
	}{
		{"unknown prefix", "https://id.gs1.org/01/04006381333931/21/1", ErrUnknownPrefixLength},
		{"unknown prefix sscc", "https://id.gs1.org/00/340063810000000018", ErrUnknownPrefixLength},
		{"gmn has no urn", "https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K", ErrNoEPCURN},
		{"not a digital link", "https://example.com/about", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DigitalLinkToURN(tt.in, prefixes)
			if !errors.Is(err, tt.want) {
				t.Errorf("DigitalLinkToURN(%q): got %v, want %v", tt.in, err, tt.want)
			}
		})
	}
	if _, err := DigitalLinkToURN("https://id.gs1.org/01/80614141123458/21/1", nil); !errors.Is(err, ErrUnknownPrefixLength) {
		t.Errorf("DigitalLinkToURN with nil table: got %v, want ErrUnknownPrefixLength", err)
	}
}

func TestPrefixLengths(t *testing.T) {
	p := &PrefixLengths{}
	if err := p.Add("958", 9); err != nil {
		t.Fatal(err)
	}
	if err := p.AddCompanyPrefix("9580001"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want int
		ok   bool
	}{
		{"958000112345", 7, true},
		{"958123456789", 9, true},
		{"959000000000", 0, false},
		{"95", 0, false},
	}
	for _, tt := range tests {
		got, ok := p.PrefixLength(tt.key)
		if got != tt.want || ok != tt.ok {
			t.Errorf("PrefixLength(%q): got %d, %v, want %d, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
	for _, bad := range []string{"12345678901234 5", "abc 7", "0614141 3", "0614141 x", "1 2 3"} {
		if err := (&PrefixLengths{}).Load(strings.NewReader(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Load(%q): got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestPrefixLengthsConcurrent(t *testing.T) {
	p := &PrefixLengths{}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			prefix := "95800" + string(rune('0'+i)) + "0"
			if err := p.AddCompanyPrefix(prefix); err != nil {
				t.Error(err)
			}
			p.PrefixLength(prefix + "12345")
		}(i)
	}
	wg.Wait()
	if p.Len() != 8 {
		t.Errorf("Len: got %d, want 8", p.Len())
	}
}

// FuzzDigitalLink checks that parsing never panics, that errors wrap
// ErrInvalid, and that String output parses back to the same link.
func FuzzDigitalLink(f *testing.F) {
	for _, seed := range []string{
		"https://id.gs1.org/01/09506000134352/10/L%2F1/21/12+3?17=261231&linkType=x",
		"https://example.com/p/414/0614141123452/254/1",
		"https://example.com/8010/0614141A%23B/8011/12",
		"https://example.com/00/106141412345678908",
		"http://a/01/96385074",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dl, err := ParseDigitalLink(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		out := dl.String()
		again, err := ParseDigitalLink(out)
		if err != nil {
			t.Fatalf("reparse %q of %q: %v", out, s, err)
		}
		if again.Key != dl.Key || !reflect.DeepEqual(again.Qualifiers, dl.Qualifiers) || !reflect.DeepEqual(again.Attributes, dl.Attributes) {
			t.Fatalf("round trip of %q via %q: got %+v, want %+v", s, out, again, dl)
		}
		if _, err := Canonical(s); err != nil {
			t.Fatalf("Canonical(%q) of a valid Digital Link: %v", s, err)
		}
	})
}

// FuzzEPCURN checks that URN conversion never panics and that a converted
// URN comes back from its Digital Link when the company prefix is known.
func FuzzEPCURN(f *testing.F) {
	for _, seed := range []string{
		"urn:epc:id:sgtin:0614141.812345.6789",
		"urn:epc:id:sgln:0614141.12345.0",
		"urn:epc:id:cpi:0614141.A%23B.1",
		"urn:epc:class:lgtin:4012345.012345.998877",
		"urn:epc:idpat:itip:0614141.812345.01.02.*",
		"urn:epc:id:giai:0614141.A%2FB",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dl, err := URNToDigitalLink(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrNoDigitalLink) {
				t.Fatalf("error %v wraps neither ErrInvalid nor ErrNoDigitalLink", err)
			}
			return
		}
		u, err := ParseEPCURN(s)
		if err != nil {
			t.Fatalf("ParseEPCURN(%q) after successful conversion: %v", s, err)
		}
		prefixes := &PrefixLengths{}
		if err := prefixes.AddCompanyPrefix(u.Fields[0]); err != nil {
			t.Fatalf("AddCompanyPrefix(%q): %v", u.Fields[0], err)
		}
		back, err := DigitalLinkToURN(dl, prefixes)
		if err != nil {
			t.Fatalf("DigitalLinkToURN(%q) of %q: %v", dl, s, err)
		}
		again, err := URNToDigitalLink(back)
		if err != nil || again != dl {
			t.Fatalf("URN %q -> %q -> %q -> %q, %v", s, dl, back, again, err)
		}
	})
}

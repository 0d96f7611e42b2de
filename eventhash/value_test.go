package eventhash

import (
	"strconv"
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"2020-03-04T11:00:30+01:00", "2020-03-04T10:00:30.000Z"},
		{"2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"},
		{"2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"},
		{"2023-02-12T11:04:03.1007Z", "2023-02-12T11:04:03.101Z"},
		{"2023-02-12T11:04:03.1425Z", "2023-02-12T11:04:03.143Z"},
		{"2019-12-31T23:59:59.9996Z", "2020-01-01T00:00:00.000Z"},
		{"2005-04-03T20:33:31.116000-06:00", "2005-04-04T02:33:31.116Z"},
		{"2019-10-21T00:05:00-06:00", "2019-10-21T06:05:00.000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tm, err := time.Parse(time.RFC3339Nano, tt.in)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if got := formatTime(tm); got != tt.want {
				t.Errorf("formatTime(%s): got %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonicalNumber(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		number bool
	}{
		{"600.0", "600", true},
		{"26.10", "26.1", true},
		{"+5", "5", true},
		{"-0", "0", true},
		{"-0.0", "0", true},
		{"007", "7", true},
		{".5", "0.5", true},
		{"5.", "5", true},
		{"1e3", "1000", true},
		{"2.5E-1", "0.25", true},
		{"0.0001", "0.0001", true},
		{"0.00001", "1e-05", true},
		{"-0.000012", "-1.2e-05", true},
		{"1_000.5", "1000.5", true},
		{"123456789012.5", "123456789012.5", true},
		{"1e16", "10000000000000000", true},
		{"1e22", "10000000000000000000000", true},
		{"111100001111000011110000", "111100001111000003641344", true},
		{"1e-400", "0", true},
		{"", "", false},
		{"+", "", false},
		{".", "", false},
		{"e5", "", false},
		{"1e", "", false},
		{"1__0", "", false},
		{"_1", "", false},
		{"1_", "", false},
		{"1_.5", "", false},
		{"0x10", "", false},
		{"inf", "", false},
		{"NaN", "", false},
		{"1e400", "", false},
		{"2023-10-09", "", false},
		{"+01:00", "", false},
		{"12 ", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := canonicalNumber(tt.in)
			if ok != tt.number {
				t.Fatalf("canonicalNumber(%q): number %v, want %v", tt.in, ok, tt.number)
			}
			if got != tt.want {
				t.Errorf("canonicalNumber(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatNumberRoundTrips(t *testing.T) {
	for _, f := range []float64{0.1, 12.7, -3.25, 1e-7, 123.456e-10, 9007199254740993, 0.30000000000000004} {
		s := formatNumber(f)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != f {
			t.Errorf("formatNumber(%v) = %q, which reads back as %v (%v)", f, s, back, err)
		}
	}
}

func TestCanonicalValue(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"  padded text ", "padded text"},
		{"urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping"},
		{"urn:epcglobal:cbv:disp:in_transit", "https://ref.gs1.org/cbv/Disp-in_transit"},
		{"urn:epcglobal:cbv:btt:po", "https://ref.gs1.org/cbv/BTT-po"},
		{"urn:epcglobal:cbv:sdt:owning_party", "https://ref.gs1.org/cbv/SDT-owning_party"},
		{"urn:epcglobal:cbv:er:incorrect_data", "https://ref.gs1.org/cbv/ER-incorrect_data"},
		{"urn:epcglobal:cbv:bt:4012345000009:ASN1099", "urn:epcglobal:cbv:bt:4012345000009:ASN1099"},
		{"gs1:Temperature", "https://gs1.org/voc/Temperature"},
		{"cbv:Comp-x", "https://ref.gs1.org/cbv/Comp-x"},
		{"example:x", "example:x"},
		{"4711", "4711"},
		{"urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789"},
		{"urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"},
		{"urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"},
		{"urn:epc:id:sgtin:bad", "urn:epc:id:sgtin:bad"},
		{"https://example.org/8004/401234599999", "https://id.gs1.org/8004/401234599999"},
		{"http://transaction.acme.com/po/12345678", "http://transaction.acme.com/po/12345678"},
		{"geo:50.947573340894124,6.922120147375441", "geo:50.947573340894124,6.922120147375441"},
		{"(414)4023333000017 (254)12", "(414)4023333000017 (254)12"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := canonicalValue(tt.in); got != tt.want {
				t.Errorf("canonicalValue(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestConstrainDigitalLink(t *testing.T) {
	tests := []struct {
		in   string
		want string // empty: not constrained, the caller keeps the input
	}{
		{"https://id.gs1.org/01/09780345418913/21/765tz", "https://id.gs1.org/01/09780345418913/21/765tz"},
		{"https://example.com/gtin/09780345418913/21/765tz?abc=211121", "https://id.gs1.org/01/09780345418913/21/765tz"},
		{"https://id.gs1.org/gtin/9780345418913", "https://id.gs1.org/01/09780345418913"},
		{"https://id.gs1.org/01/614141123452", "https://id.gs1.org/01/00614141123452"},
		{"https://id.gs1.org/01/12345670", "https://id.gs1.org/01/00000012345670"},
		{"http://id.gs1.de/00/040123451111111110", "https://id.gs1.org/00/040123451111111110"},
		{"https://shop.example.com/products/01/09506000134352/10/ABC/21/12345", "https://id.gs1.org/01/09506000134352/21/12345"},
		{"https://id.gs1.org/01/09506000134352/22/2A", "https://id.gs1.org/01/09506000134352"},
		{"https://id.gs1.org/01/09506000134352/cpv/2A/10/ABC", "https://id.gs1.org/01/09506000134352/10/ABC"},
		{"https://id.gs1.org/01/09506000134352/lot/ABC", "https://id.gs1.org/01/09506000134352/10/ABC"},
		{"https://id.gs1.org/414/4012345000115/254/987", "https://id.gs1.org/414/4012345000115/254/987"},
		{"https://id.example.com/253/4012345000054987", "https://id.gs1.org/253/4012345000054987"},
		{"https://id.gs1.org/8010/4012345ABC/8011/123", "https://id.gs1.org/8010/4012345ABC/8011/123"},
		{"https://id.gs1.org/01/04012345111118/21/98%22", ""},
		{"https://id.gs1.org/01/04012345111118/21/9876#frag", ""},
		{"https://id.gs1.org/01/0401", ""},
		{"https://ns.example.com/epcis/field", ""},
		{"urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8", ""},
		{"ftp://id.gs1.org/01/09780345418913", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := constrainDigitalLink(tt.in)
			if ok != (tt.want != "") {
				t.Fatalf("constrainDigitalLink(%q): ok %v, want %v (result %q)", tt.in, ok, tt.want != "", got)
			}
			if got != tt.want {
				t.Errorf("constrainDigitalLink(%q): got %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzCanonicalValue(f *testing.F) {
	for _, s := range []string{
		"600.0", "1_000", "urn:epc:id:sgtin:0614141.812345.6789", "https://example.com/gtin/09780345418913/21/765tz?abc=1",
		"https://id.gs1.org/01/09506000134352/22/2A/10/ABC/21/1", "gs1:Temperature", "urn:epcglobal:cbv:disp:", " \t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := canonicalValue(s)
		if again := canonicalValue(got); again != got {
			t.Errorf("canonicalValue is not idempotent: %q -> %q -> %q", s, got, again)
		}
		if n, ok := canonicalNumber(s); ok {
			if _, err := strconv.ParseFloat(n, 64); err != nil {
				t.Errorf("canonicalNumber(%q) = %q, which does not parse: %v", s, n, err)
			}
		}
	})
}

func FuzzConstrainDigitalLink(f *testing.F) {
	for _, s := range []string{
		"https://example.com/gtin/09780345418913/21/765tz?abc=1",
		"https://id.gs1.org/01/09506000134352/22/2A/10/ABC/21/1",
		"http://id.gs1.de/00/040123451111111110",
		"https:///8010/4012345ABC/8011/123",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := constrainDigitalLink(s)
		if !ok {
			return
		}
		if !constrainedForms.MatchString(got) {
			t.Errorf("constrainDigitalLink(%q) = %q, which is not a constrained form", s, got)
		}
		if again, ok := constrainDigitalLink(got); !ok || again != got {
			t.Errorf("constrainDigitalLink is not idempotent: %q -> %q -> %q (%v)", s, got, again, ok)
		}
	})
}

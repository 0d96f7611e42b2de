package cncode

import (
	"errors"
	"strings"
	"testing"
)

// invalidCase is one rejected input with the position and reason expected
// in the *Error.
type invalidCase struct {
	name, in   string
	wantPos    int
	wantReason string
}

func checkInvalid(t *testing.T, parse func(string) (*Code, error), scheme Scheme, tests []invalidCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(tt.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("parse(%q): got %v, want *Error", tt.in, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("parse(%q): error does not wrap ErrInvalid", tt.in)
			}
			if e.Scheme != scheme {
				t.Errorf("scheme: got %q, want %q", e.Scheme, scheme)
			}
			if e.Position != tt.wantPos {
				t.Errorf("position: got %d, want %d", e.Position, tt.wantPos)
			}
			if e.Reason != tt.wantReason {
				t.Errorf("reason: got %q, want %q", e.Reason, tt.wantReason)
			}
			if e.ReasonZH == "" {
				t.Errorf("ReasonZH is empty")
			}
		})
	}
}

func TestParseDrugValid(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "81234560000000011234", "81234560000000011234"},
		{"URN", "urn:cn:nmpa:drug:81234560000000011234", "81234560000000011234"},
		{"spaces", " 83065420012345678905 ", "83065420012345678905"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseDrug(tt.in)
			if err != nil {
				t.Fatalf("ParseDrug(%q): %v", tt.in, err)
			}
			if c.Value != tt.want {
				t.Errorf("Value: got %q, want %q", c.Value, tt.want)
			}
			if got, want := c.URI(), "urn:cn:nmpa:drug:"+tt.want; got != want {
				t.Errorf("URI: got %q, want %q", got, want)
			}
			if got, want := c.ClassURI(), "urn:cn:nmpa:drugclass:"+tt.want[:7]; got != want {
				t.Errorf("ClassURI: got %q, want %q", got, want)
			}
			if got := c.Field("serial"); got != tt.want[7:16] {
				t.Errorf("serial: got %q, want %q", got, tt.want[7:16])
			}
			if got := c.Field("check"); got != tt.want[16:] {
				t.Errorf("check: got %q, want %q", got, tt.want[16:])
			}
		})
	}
}

func TestParseDrugInvalid(t *testing.T) {
	checkInvalid(t, ParseDrug, SchemeDrug, []invalidCase{
		{"19 digits", "8123456000000001123", 0, "has 19 digits, must have 20"},
		{"21 digits", "812345600000000112345", 0, "has 21 digits, must have 20"},
		{"letter", "81234560000A00011234", 12, `"A" is not a digit (the code has 20 digits)`},
		{"leading 6", "61234560000000011234", 1, "must be 8 (20-digit drug traceability codes start with 8)"},
		{"full-width digit", "8123456000000001123４", 20, `"４" is not a digit (the code has 20 digits)`},
	})
}

func TestParseDrugClassURI(t *testing.T) {
	c, err := Parse("urn:cn:nmpa:drugclass:8123456")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if c.Scheme != SchemeDrugClass {
		t.Errorf("Scheme: got %q, want %q", c.Scheme, SchemeDrugClass)
	}
	if c.URI() != "urn:cn:nmpa:drugclass:8123456" || c.ClassURI() != c.URI() {
		t.Errorf("URI, ClassURI: got %q, %q, want both urn:cn:nmpa:drugclass:8123456", c.URI(), c.ClassURI())
	}
	checkInvalid(t, func(s string) (*Code, error) { return Parse(s) }, SchemeDrugClass, []invalidCase{
		{"6 digits", "urn:cn:nmpa:drugclass:812345", 0, "has 6 digits, must have 7"},
		{"leading 1", "urn:cn:nmpa:drugclass:1234567", 1, "must be 8 (drug product codes start with 8)"},
	})
}

func TestParsePesticideValid(t *testing.T) {
	tests := []struct {
		name, in, wantRegType, wantProdType string
	}{
		{"PD own production", "10800011001000000000000000012345", "PD (full registration)", "made by the registration holder"},
		{"WP entrusted processing", "21234562250987654321098765432109", "WP (public health pesticide registration)", "entrusted processing"},
		{"temporary repackaging", "30000013999000000000000000000001", "temporary registration (LS)", "entrusted repackaging"},
		{"URN", "urn:cn:moa:pesticide:10800011001000000000000000012345", "PD (full registration)", "made by the registration holder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParsePesticide(tt.in)
			if err != nil {
				t.Fatalf("ParsePesticide(%q): %v", tt.in, err)
			}
			v := strings.TrimPrefix(tt.in, PrefixPesticide)
			if c.URI() != PrefixPesticide+v {
				t.Errorf("URI: got %q, want %q", c.URI(), PrefixPesticide+v)
			}
			if c.ClassURI() != PrefixPesticideClass+v[:11] {
				t.Errorf("ClassURI: got %q, want %q", c.ClassURI(), PrefixPesticideClass+v[:11])
			}
			if got := c.Fields[0].TextEN; got != tt.wantRegType {
				t.Errorf("registration type: got %q, want %q", got, tt.wantRegType)
			}
			if got := c.Fields[2].TextEN; got != tt.wantProdType {
				t.Errorf("production type: got %q, want %q", got, tt.wantProdType)
			}
			if got := c.Field("registrationNumber"); got != v[1:7] {
				t.Errorf("registrationNumber: got %q, want %q", got, v[1:7])
			}
			if got := c.Field("specification"); got != v[8:11] {
				t.Errorf("specification: got %q, want %q", got, v[8:11])
			}
			if got := c.Field("random"); got != v[11:] {
				t.Errorf("random: got %q, want %q", got, v[11:])
			}
		})
	}
}

func TestParsePesticideInvalid(t *testing.T) {
	checkInvalid(t, ParsePesticide, SchemePesticide, []invalidCase{
		{"31 digits", "1080001100100000000000000001234", 0, "has 31 digits, must have 32"},
		{"letter", "1080001100100000000000000001234X", 32, `"X" is not a digit (the code has 32 digits)`},
		{"registration type 0", "00800011001000000000000000012345", 1, "registration type 0 must be 1 (PD), 2 (WP) or 3 (temporary)"},
		{"registration type 4", "40800011001000000000000000012345", 1, "registration type 4 must be 1 (PD), 2 (WP) or 3 (temporary)"},
		{"production type 4", "10800014001000000000000000012345", 8, "production type 4 must be 1 (registration holder), 2 (entrusted processing) or 3 (entrusted repackaging)"},
	})
	checkInvalid(t, func(s string) (*Code, error) { return Parse(s) }, SchemePesticideClass, []invalidCase{
		{"class production type 0", "urn:cn:moa:pesticideclass:10800010001", 8, "production type 0 must be 1 (registration holder), 2 (entrusted processing) or 3 (entrusted repackaging)"},
	})
}

func TestParseVetDrug(t *testing.T) {
	c, err := ParseVetDrug("202306154400112345678901")
	if err != nil {
		t.Fatalf("ParseVetDrug: %v", err)
	}
	if c.URI() != "urn:cn:moa:vetdrug:202306154400112345678901" {
		t.Errorf("URI: got %q", c.URI())
	}
	if c.ClassURI() != "" {
		t.Errorf("ClassURI: got %q, want empty", c.ClassURI())
	}
	if got := c.Field("applicationDate"); got != "20230615" {
		t.Errorf("applicationDate: got %q, want 20230615", got)
	}
	if got := c.Fields[0].TextEN; got != "2023-06-15" {
		t.Errorf("applicationDate TextEN: got %q, want 2023-06-15", got)
	}
	if got := c.Field("enterprise"); got != "44001" {
		t.Errorf("enterprise: got %q, want 44001", got)
	}
	if got := c.Field("random"); got != "12345678901" {
		t.Errorf("random: got %q, want 12345678901", got)
	}
	checkInvalid(t, ParseVetDrug, SchemeVetDrug, []invalidCase{
		{"23 digits", "20230615440011234567890", 0, "has 23 digits, must have 24"},
		{"month 13", "202313154400112345678901", 1, "application date 20231315 is not a calendar date (YYYYMMDD)"},
		{"30 February", "202302304400112345678901", 1, "application date 20230230 is not a calendar date (YYYYMMDD)"},
		{"space inside", "20230615 400112345678901", 9, `" " is not a digit (the code has 24 digits)`},
	})
}

func TestParseFoodLicenceValid(t *testing.T) {
	tests := []struct {
		name, in, want, wantCategory, wantProvince, wantPrefecture string
	}{
		{"Shenzhen beverages", "SC10644030500017", "SC10644030500017", "食品：饮料", "广东省", "深圳市"},
		{"Guangdong province level", "SC12744000000012", "SC12744000000012", "食品：保健食品", "广东省", "省级"},
		{"Zhejiang additive", "SC20233010200025", "SC20233010200025", "食品添加剂：食品用香精", "浙江省", ""},
		{"lower case prefix", "sc10144190000013", "SC10144190000013", "食品：粮食加工品", "广东省", "东莞市"},
		{"URN", "urn:cn:samr:sc:SC13144200100019", "SC13144200100019", "食品：其他食品", "广东省", "中山市"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseFoodLicence(tt.in)
			if err != nil {
				t.Fatalf("ParseFoodLicence(%q): %v", tt.in, err)
			}
			if c.Value != tt.want {
				t.Errorf("Value: got %q, want %q", c.Value, tt.want)
			}
			if c.URI() != PrefixFoodLicence+tt.want {
				t.Errorf("URI: got %q, want %q", c.URI(), PrefixFoodLicence+tt.want)
			}
			if got := c.Fields[0].TextZH; got != tt.wantCategory {
				t.Errorf("category: got %q, want %q", got, tt.wantCategory)
			}
			if got := c.Fields[1].TextZH; got != tt.wantProvince {
				t.Errorf("province: got %q, want %q", got, tt.wantProvince)
			}
			if got := c.Fields[2].TextZH; got != tt.wantPrefecture {
				t.Errorf("prefecture: got %q, want %q", got, tt.wantPrefecture)
			}
			if got := c.Field("sequence"); got != tt.want[11:15] {
				t.Errorf("sequence: got %q, want %q", got, tt.want[11:15])
			}
		})
	}
}

func TestParseFoodLicenceInvalid(t *testing.T) {
	checkInvalid(t, ParseFoodLicence, SchemeFoodLicence, []invalidCase{
		{"QS prefix", "QS10644030500017", 1, `must start with "SC"`},
		{"empty", "", 1, `must start with "SC"`},
		{"13 digits", "SC1064403050001", 0, "has 13 digits after SC, must have 14"},
		{"letter", "SC106440305000A7", 15, `"A" is not a digit (SC is followed by 14 digits)`},
		{"licence type 3", "SC30644030500017", 3, "licence type 3 must be 1 (food) or 2 (food additive)"},
		{"food category 32", "SC13244030500017", 4, "category 32 is not a food category"},
		{"additive category 04", "SC20444030500017", 4, "category 04 is not a food additive category"},
		{"province 00", "SC10600030500017", 6, "province code 00 is not in GB/T 2260"},
		{"Guangdong prefecture 10", "SC10644100500017", 8, "Guangdong prefecture code 10 is not in GB/T 2260"},
	})
}

func TestParseIDcodeMedical(t *testing.T) {
	tests := []struct {
		name, in, wantValue, wantURI, wantClass string
		wantFields                              map[string]string
	}{
		{
			name:      "device identifier only",
			in:        "MA.156.M0.100274.13360111",
			wantValue: "MA.156.M0.100274.13360111",
			wantURI:   "urn:cn:idcode:MA.156.M0.100274.13360111",
			wantClass: "urn:cn:idcode:MA.156.M0.100274.13360111",
			wantFields: map[string]string{
				"registrant": "100274", "packagingLevel": "1", "item": "336011", "productCheck": "1",
			},
		},
		{
			name:      "every data unit",
			in:        "MA.156.M0.100761.21234561.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3",
			wantValue: "MA.156.M0.100761.21234561.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3",
			wantURI:   "urn:cn:idcode:MA.156.M0.100761.21234561.Sx00008",
			wantClass: "urn:cn:idcode:MA.156.M0.100761.21234561.L20220117",
			wantFields: map[string]string{
				"serial": "x00008", "lot": "20220117", "productionDate": "220117", "sterilisationLot": "20220118",
				"expiryDate": "220130", "validUntilDate": "220117", "unitC": "3",
			},
		},
		{
			name:       "lot only, eight-digit date, slash and lower case",
			in:         "ma.156.m0/123456.10000015.l2024A7.e20261231",
			wantValue:  "MA.156.M0.123456.10000015.L2024A7.E20261231",
			wantURI:    "urn:cn:idcode:MA.156.M0.123456.10000015.L2024A7",
			wantClass:  "urn:cn:idcode:MA.156.M0.123456.10000015.L2024A7",
			wantFields: map[string]string{"lot": "2024A7", "expiryDate": "20261231"},
		},
		{
			name:       "URN form",
			in:         "urn:cn:idcode:MA.156.M0.100274.13360111.S12",
			wantValue:  "MA.156.M0.100274.13360111.S12",
			wantURI:    "urn:cn:idcode:MA.156.M0.100274.13360111.S12",
			wantClass:  "urn:cn:idcode:MA.156.M0.100274.13360111",
			wantFields: map[string]string{"serial": "12"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseIDcode(tt.in)
			if err != nil {
				t.Fatalf("ParseIDcode(%q): %v", tt.in, err)
			}
			if c.Value != tt.wantValue {
				t.Errorf("Value: got %q, want %q", c.Value, tt.wantValue)
			}
			if c.URI() != tt.wantURI {
				t.Errorf("URI: got %q, want %q", c.URI(), tt.wantURI)
			}
			if c.ClassURI() != tt.wantClass {
				t.Errorf("ClassURI: got %q, want %q", c.ClassURI(), tt.wantClass)
			}
			for name, want := range tt.wantFields {
				if got := c.Field(name); got != want {
					t.Errorf("field %s: got %q, want %q", name, got, want)
				}
			}
		})
	}
}

func TestParseIDcodeGeneral(t *testing.T) {
	c, err := ParseIDcode("MA.156.1003.1629/10.46100000.demo")
	if err != nil {
		t.Fatalf("ParseIDcode: %v", err)
	}
	if c.URI() != "urn:cn:idcode:MA.156.1003.1629/10.46100000.demo" {
		t.Errorf("URI: got %q", c.URI())
	}
	if c.ClassURI() != "" {
		t.Errorf("ClassURI: got %q, want empty", c.ClassURI())
	}
	want := map[string]string{"country": "156", "industry": "1003", "user": "1629", "object": "10.46100000.demo"}
	for name, w := range want {
		if got := c.Field(name); got != w {
			t.Errorf("field %s: got %q, want %q", name, got, w)
		}
	}
	c, err = ParseIDcode("MA.156.44.1234")
	if err != nil {
		t.Fatalf("ParseIDcode(user root only): %v", err)
	}
	if c.Field("object") != "" || len(c.Fields) != 4 {
		t.Errorf("user root only: got %d fields, want 4 without object", len(c.Fields))
	}
}

func TestParseIDcodeInvalid(t *testing.T) {
	checkInvalid(t, ParseIDcode, SchemeIDcode, []invalidCase{
		{"empty", "", 0, "is empty"},
		{"other agency", "MB.234.M0.123456.01234567", 1, `must start with the issuing agency code "MA"`},
		{"three nodes", "MA.156.M0", 0, "has 3 nodes, the user root alone has 4 (MA.country.industry.user)"},
		{"country letters", "MA.CN.M0.100274.13360111", 4, "country code CN must be 3 digits (ISO 3166-1 numeric, 156 for China)"},
		{"double dot", "MA.156..M0.100274", 8, "empty node (two separators in a row, or a separator at the start or end)"},
		{"trailing dot", "MA.156.M0.100274.13360111.", 26, "empty node (two separators in a row, or a separator at the start or end)"},
		{"hyphen", "MA.156.M0.100274.13360111.L24-01", 30, `"-" is not allowed (nodes are letters and digits separated by ".")`},
		{"medical without product", "MA.156.M0.100274", 0, "medical device code (M0) needs the registrant code and the product code: MA.156.M0.{6 digits}.{8 digits}"},
		{"registrant 5 digits", "MA.156.M0.10027.13360111", 11, "registrant code 10027 must be 6 digits"},
		{"product 7 digits", "MA.156.M0.100274.1336011", 18, "product code 1336011 must be 8 digits (packaging level, 6-digit item, check digit)"},
		{"unit without letter", "MA.156.M0.100274.13360111.123", 27, "data unit 123 must start with a letter (L, S, M, D, V, E)"},
		{"unit twice", "MA.156.M0.100274.13360111.L1.L2", 30, "data unit L appears twice"},
		{"unit without value", "MA.156.M0.100274.13360111.S", 27, "data unit S has no value"},
		{"bad expiry", "MA.156.M0.100274.13360111.E221341", 28, "expiry date 221341 is not a date (YYMMDD or YYYYMMDD)"},
		{"seven-digit date", "MA.156.M0.100274.13360111.M2201170", 28, "production date 2201170 is not a date (YYMMDD or YYYYMMDD)"},
	})
}

package party

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

var now = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func validEnterprise() store.Party {
	return store.Party{Kind: store.PartyEnterprise, NameZH: "甲乳业有限公司", USCC: "914401010812345618", Region: "440106"}
}

func TestNormalizePartyErrors(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(p *store.Party)
		wantField string
		wantText  string
	}{
		{"USCC wrong check character", func(p *store.Party) { p.USCC = "914401010812345619" }, "uscc", "position 18"},
		{"USCC too short", func(p *store.Party) { p.USCC = "91440101081234561" }, "uscc", "17 characters"},
		{"enterprise without USCC", func(p *store.Party) { p.USCC = "" }, "uscc", "unified social credit code"},
		{"unknown kind", func(p *store.Party) { p.Kind = "factory" }, "kind", "enterprise, regulator or operator"},
		{"missing name", func(p *store.Party) { p.NameZH = " " }, "nameZH", "required"},
		{"region not 6 digits", func(p *store.Party) { p.Region = "4401" }, "region", "6 digits"},
		{"region of no province", func(p *store.Party) { p.Region = "990101" }, "region", "province code 99"},
		{"company prefix too short", func(p *store.Party) { p.CompanyPrefixes = []string{"690"} }, "companyPrefixes[0]", "4 to 12 digits"},
		{"code prefix of no scheme", func(p *store.Party) { p.CodePrefixes = []string{"urn:cn:foo:1"} }, "codePrefixes[0]", "scheme URI prefix"},
		{"GLN check digit", func(p *store.Party) { p.GLN = "6901234000018" }, "gln", "check digit"},
		{"unknown licence kind", func(p *store.Party) { p.Licences = []store.Licence{{Kind: "magic", Number: "1"}} }, "licences[0].kind", "unknown licence kind"},
		{"licence ends before it starts", func(p *store.Party) {
			p.Licences = []store.Licence{{Kind: "drug-distribution", Number: "粤AA0200001", ValidFrom: now, ValidUntil: now.AddDate(-1, 0, 0)}}
		}, "licences[0].validUntil", "ends before"},
		{"jurisdiction on an enterprise", func(p *store.Party) { p.Jurisdiction = "44" }, "jurisdiction", "only regulators"},
		{"bad ID", func(p *store.Party) { p.ID = "a b" }, "id", "letters, digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validEnterprise()
			tt.edit(&p)
			_, err := NormalizeParty(p, now)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("NormalizeParty: got %v, want a *FieldError", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("NormalizeParty error does not wrap ErrInvalid")
			}
			if fe.Field != tt.wantField {
				t.Errorf("field: got %q, want %q", fe.Field, tt.wantField)
			}
			if !strings.Contains(fe.Error(), tt.wantText) {
				t.Errorf("message %q does not contain %q", fe.Error(), tt.wantText)
			}
		})
	}
}

func TestNormalizePartyUSCCPositionZH(t *testing.T) {
	p := validEnterprise()
	p.USCC = "914401010812345619"
	_, err := NormalizeParty(p, now)
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("NormalizeParty: got %v, want a *FieldError", err)
	}
	if !strings.Contains(fe.MessageZH, "第 18 位") {
		t.Errorf("Chinese message %q does not name position 18", fe.MessageZH)
	}
}

func TestNormalizePartyCanonicalForms(t *testing.T) {
	p := validEnterprise()
	p.USCC = "urn:cn:uscc:914401010812345618"
	p.GLN = "urn:epc:id:pgln:6901234.00000"
	p.CompanyPrefixes = []string{"6901234", " 6901234 "}
	p.CodePrefixes = []string{"nmpa:drugclass:8100001"}
	got, err := NormalizeParty(p, now)
	if err != nil {
		t.Fatalf("NormalizeParty: %v", err)
	}
	if got.USCC != "914401010812345618" {
		t.Errorf("USCC: got %q, want the plain form", got.USCC)
	}
	if !strings.HasPrefix(got.GLN, "https://id.gs1.org/417/6901234") {
		t.Errorf("GLN: got %q, want a Digital Link of AI 417", got.GLN)
	}
	if len(got.CompanyPrefixes) != 1 {
		t.Errorf("company prefixes: got %v, want one after trimming and deduplication", got.CompanyPrefixes)
	}
	if len(got.CodePrefixes) != 1 || got.CodePrefixes[0] != "urn:cn:nmpa:drug:8100001" {
		t.Errorf("code prefixes: got %v, want the instance-level URI prefix", got.CodePrefixes)
	}
	if got.ID == "" || !got.CreatedAt.Equal(now) {
		t.Errorf("ID and creation time: got %q %v", got.ID, got.CreatedAt)
	}
}

func TestNormalizeRegulator(t *testing.T) {
	reg := store.Party{Kind: store.PartyRegulator, NameZH: "广州市市场监督管理局", Department: "食品处", Jurisdiction: "4401"}
	if _, err := NormalizeParty(reg, now); err != nil {
		t.Errorf("NormalizeParty(regulator): %v", err)
	}
	reg.Jurisdiction = "441"
	if _, err := NormalizeParty(reg, now); err == nil {
		t.Errorf("NormalizeParty(regulator with a 3-digit jurisdiction): got nil error")
	}
}

func TestOwns(t *testing.T) {
	p := store.Party{CompanyPrefixes: []string{"6901234"}, CodePrefixes: []string{"urn:cn:nmpa:drug:8100001"}}
	tests := []struct {
		id   string
		want bool
	}{
		{"https://id.gs1.org/01/06901234123456/21/1", true},
		{"https://id.gs1.org/01/16901234123453", true},
		{"https://id.gs1.org/01/06905678123454/21/1", false},
		{"https://id.gs1.org/00/069012340000000016", true},
		{"https://id.gs1.org/414/6901234000016", true},
		{"urn:cn:nmpa:drug:81000010000000000001", true},
		{"urn:cn:nmpa:drugclass:8100001", true},
		{"urn:cn:nmpa:drug:81000020000000000001", false},
		{"https://example.com/item/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := Owns(p, tt.id); got != tt.want {
				t.Errorf("Owns(%s): got %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestPassword(t *testing.T) {
	hash, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=3,p=4$") {
		t.Errorf("hash %q is not an argon2id PHC string with the RFC 9106 parameters", hash)
	}
	if err := CheckPassword(hash, "correct horse battery"); err != nil {
		t.Errorf("CheckPassword(right): %v", err)
	}
	if err := CheckPassword(hash, "correct horse battery!"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("CheckPassword(wrong): got %v, want ErrPasswordMismatch", err)
	}
	if err := CheckPassword("$md5$abc", "x"); err == nil || errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("CheckPassword(malformed hash): got %v, want a format error", err)
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrInvalid) {
		t.Errorf("HashPassword(short): got %v, want ErrInvalid", err)
	}
}

func TestParseScopes(t *testing.T) {
	got, err := ParseScopes("capture, query,capture")
	if err != nil || len(got) != 2 {
		t.Errorf("ParseScopes: got %v, %v; want capture and query", got, err)
	}
	for _, bad := range []string{"", "root", "query,write"} {
		if _, err := ParseScopes(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseScopes(%q): got %v, want ErrInvalid", bad, err)
		}
	}
}

func TestParseCSV(t *testing.T) {
	file := "type,id,name_zh,uscc,region,company_prefixes,licences,contacts,party_id,location_id,division\n" +
		"enterprise,pa,甲公司,914401010812345618,440106,6901234,food-production|SC10644010600017|dairy|2024-01-01|2029-01-01,王五|质量负责人|020-1234,,,\n" +
		"location,,甲公司工厂,,,,,,pa,urn:epc:id:sgln:6901234.00001.0,440106\n"
	parties, locations, err := ParseCSV(strings.NewReader(file), now, func(string) (bool, error) { return false, nil })
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	if len(parties) != 1 || len(locations) != 1 {
		t.Fatalf("ParseCSV: got %d parties, %d locations; want 1 and 1", len(parties), len(locations))
	}
	lic := parties[0].Licences[0]
	if lic.Kind != "food-production" || lic.Categories[0] != "dairy" || lic.ValidUntil.Year() != 2029 {
		t.Errorf("licence: got %+v", lic)
	}
	if parties[0].Contacts[0].Role != "质量负责人" {
		t.Errorf("contact: got %+v", parties[0].Contacts[0])
	}
	if !strings.HasPrefix(locations[0].ID, "https://id.gs1.org/414/") {
		t.Errorf("location ID: got %q, want its canonical form", locations[0].ID)
	}
}

func TestParseCSVLineErrors(t *testing.T) {
	file := "type,id,name_zh,uscc,region,company_prefixes,party_id,location_id,division\n" +
		"enterprise,pa,甲公司,914401010812345618,440106,6901234,,,\n" +
		"enterprise,pb,乙公司,914403000812345619,440305,,,,\n" +
		"enterprise,pc,丙公司,914403001812345773,440305,6901234,,,\n" +
		"location,,仓库,,,,px,urn:epc:id:sgln:6905678.00001.0,440305\n"
	_, _, err := ParseCSV(strings.NewReader(file), now, func(string) (bool, error) { return false, nil })
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("ParseCSV: got %v, want *ImportError", err)
	}
	want := []struct {
		line int
		text string
	}{
		{3, "position 18"},
		{4, "already given on line 2"},
		{5, "neither registered nor in the file"},
	}
	if len(ie.Errors) != len(want) {
		t.Fatalf("errors: got %v, want %d", ie.Errors, len(want))
	}
	for i, w := range want {
		if ie.Errors[i].Line != w.line || !strings.Contains(ie.Errors[i].Error(), w.text) {
			t.Errorf("error %d: got %v, want line %d containing %q", i, ie.Errors[i], w.line, w.text)
		}
	}
}

func TestParseCSVHeaderErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"empty", "", "empty"},
		{"unknown column", "type,price\n", `unknown column "price"`},
		{"no type", "id,name_zh\n", `no "type" column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseCSV(strings.NewReader(tt.file), now, func(string) (bool, error) { return false, nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseCSV: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("type,id,name_zh,uscc,region\nenterprise,pa,甲,914401010812345618,440106\n")
	f.Add("type,licences\nenterprise,a|b|c|d|e|f\n")
	f.Add("type,party_id,location_id,division\nlocation,pa,urn:epc:id:sgln:6901234.00001.0,440106\n")
	f.Fuzz(func(t *testing.T, file string) {
		parties, locations, err := ParseCSV(strings.NewReader(file), now, func(string) (bool, error) { return true, nil })
		if err != nil && (parties != nil || locations != nil) {
			t.Errorf("ParseCSV returned records with an error")
		}
		for _, p := range parties {
			if _, err := NormalizeParty(p, now); err != nil {
				t.Errorf("ParseCSV returned a party that NormalizeParty rejects: %v", err)
			}
		}
	})
}

func TestProjectPerAudience(t *testing.T) {
	price := epcis.Element{Space: "https://example.com/ns/", Local: "price", Value: "9.99"}
	e := &epcis.Event{
		Type: epcis.ObjectEvent, Action: epcis.ActionObserve,
		EventTime: time.Date(2026, 3, 1, 17, 0, 0, 0, time.UTC), EventTimeZoneOffset: "+08:00",
		EPCList:            []string{"urn:epc:id:sgtin:6901234.012345.1"},
		QuantityList:       []epcis.QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L7", Quantity: 20, HasQuantity: true}},
		BizStep:            "urn:epcglobal:cbv:bizstep:shipping",
		Disposition:        "urn:epcglobal:cbv:disp:recalled",
		BizTransactionList: []epcis.BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:example:po:1"}},
		DestinationList:    []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:owning_party", Value: "urn:epc:id:pgln:6905678.00000"}},
		CertificationInfo:  []string{"https://cert.example.com/organic/1"},
		Extensions:         []epcis.Element{price},
	}
	owner := &store.Party{NameZH: "甲乳业有限公司", NameEN: "A Dairy"}
	place := &store.Location{Division: "440106"}
	tests := []struct {
		name     string
		audience AudienceKind
		relation Relation
		wantOK   bool
		check    func(t *testing.T, p Projection)
	}{
		{"administrator", Administrator, Unrelated, true, func(t *testing.T, p Projection) {
			if p.Event != e {
				t.Errorf("administrator projection is not the whole event")
			}
		}},
		{"regulator in jurisdiction", Regulator, InJurisdiction, true, nil},
		{"regulator elsewhere", Regulator, Unrelated, false, nil},
		{"enterprise member", Enterprise, Member, true, func(t *testing.T, p Projection) {
			if len(p.Event.BizTransactionList) != 1 {
				t.Errorf("member projection lost the business transaction")
			}
		}},
		{"enterprise upstream", Enterprise, Upstream, true, func(t *testing.T, p Projection) {
			if len(p.Event.BizTransactionList) != 0 || len(p.Event.DestinationList) != 0 || len(p.Event.Extensions) != 0 {
				t.Errorf("upstream projection keeps transactions, destinations or extensions: %+v", p.Event)
			}
			if len(e.BizTransactionList) != 1 {
				t.Errorf("Project modified its input")
			}
		}},
		{"enterprise unrelated", Enterprise, Unrelated, false, nil},
		{"public", Public, Unrelated, true, func(t *testing.T, p Projection) {
			c := p.Consumer
			if c == nil || p.Event != nil {
				t.Fatalf("public projection: got %+v, want a consumer step only", p)
			}
			if c.Date != "2026-03-02" || c.Time != "01:00" {
				t.Errorf("date and time: got %q %q, want the local 2026-03-02 01:00", c.Date, c.Time)
			}
			if c.City != "440100" || c.Enterprise != "甲乳业有限公司" || !c.Recalled || c.Step != "shipping" {
				t.Errorf("consumer step: got %+v", c)
			}
			if len(c.Products) != 1 || c.Products[0] != "https://id.gs1.org/01/06901234123456" || len(c.Lots) != 1 || c.Lots[0] != "L7" {
				t.Errorf("products and lots: got %v %v", c.Products, c.Lots)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Project(tt.audience, View{Event: e, Relation: tt.relation, Place: place, Owner: owner})
			if ok != tt.wantOK {
				t.Fatalf("Project: ok %v, want %v", ok, tt.wantOK)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

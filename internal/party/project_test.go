package party

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

func ptr(f float64) *float64 { return &f }

// publicEvent is a shipping of a chilled lot at 23:40 UTC on 1 March,
// which is 07:40 on 2 March in its own offset.
func publicEvent() *epcis.Event {
	return &epcis.Event{
		Type: epcis.ObjectEvent, Action: epcis.ActionObserve,
		EventTime: time.Date(2026, 3, 1, 23, 40, 0, 0, time.UTC), EventTimeZoneOffset: "+08:00",
		QuantityList: []epcis.QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.L7", Quantity: 812.5, HasQuantity: true, UOM: "KGM"}},
		BizStep:      "urn:epcglobal:cbv:bizstep:shipping",
		Disposition:  "urn:epcglobal:cbv:disp:in_transit",
	}
}

func temperatureReport(exception string, uom string, values ...float64) epcis.SensorElement {
	r := epcis.SensorReport{Type: "https://gs1.org/voc/Temperature", Exception: exception, UOM: uom}
	switch len(values) {
	case 1:
		r.Value = ptr(values[0])
	case 3:
		r.MinValue, r.MaxValue, r.MeanValue = ptr(values[0]), ptr(values[1]), ptr(values[2])
	}
	return epcis.SensorElement{Reports: []epcis.SensorReport{r}}
}

func TestProjectPublicTimeOfDay(t *testing.T) {
	tests := []struct {
		name, offset            string
		wantDate, wantTime, off string
	}{
		{"China Standard Time", "+08:00", "2026-03-02", "07:40", "+08:00"},
		{"negative offset", "-05:00", "2026-03-01", "18:40", "-05:00"},
		{"missing offset read as UTC", "", "2026-03-01", "23:40", "+00:00"},
		{"malformed offset read as UTC", "8h", "2026-03-01", "23:40", "+00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.EventTimeZoneOffset = tt.offset
			p, _ := Project(Public, View{Event: e})
			c := p.Consumer
			if c.Date != tt.wantDate || c.Time != tt.wantTime || c.TimeZoneOffset != tt.off {
				t.Errorf("date, time, offset: got %s %s %s, want %s %s %s", c.Date, c.Time, c.TimeZoneOffset, tt.wantDate, tt.wantTime, tt.off)
			}
		})
	}
}

func TestProjectPublicILMDDates(t *testing.T) {
	mda := func(local, value string) epcis.Element {
		return epcis.Element{Space: "urn:epcglobal:cbv:mda:", Prefix: "cbvmda", Local: local, Value: value}
	}
	tests := []struct {
		name                   string
		ilmd                   []epcis.Element
		wantProduced, wantExps string
	}{
		{"production and expiry dates", []epcis.Element{mda("productionDate", "2026-02-27"), mda("itemExpirationDate", "2026-03-04")}, "2026-02-27", "2026-03-04"},
		{"dateTime values cut to dates", []epcis.Element{mda("productionDate", "2026-02-27T06:00:00+08:00"), mda("bestBeforeDate", "2026-03-05T00:00:00Z")}, "2026-02-27", "2026-03-05"},
		{"best before when no expiry date", []epcis.Element{mda("sellByDate", "2026-03-03"), mda("bestBeforeDate", "2026-03-06")}, "", "2026-03-06"},
		{"sell by as the last choice", []epcis.Element{mda("sellByDate", "2026-03-03")}, "", "2026-03-03"},
		{"expiry date before best before", []epcis.Element{mda("bestBeforeDate", "2026-03-06"), mda("itemExpirationDate", "2026-03-04")}, "", "2026-03-04"},
		{"platform production date field", []epcis.Element{{Space: SuyuanNS, Local: "productionDate", Value: "2026-02-26"}}, "2026-02-26", ""},
		{"https master data namespace", []epcis.Element{{Space: "https://ref.gs1.org/cbv/mda#", Local: "itemExpirationDate", Value: "2026-03-04"}}, "", "2026-03-04"},
		{"other namespace ignored", []epcis.Element{{Space: "https://example.com/ns/", Local: "itemExpirationDate", Value: "2026-03-04"}}, "", ""},
		{"not a date dropped", []epcis.Element{mda("productionDate", "yesterday"), mda("itemExpirationDate", "2026-02-30")}, "", ""},
		{"trailing text dropped", []epcis.Element{mda("itemExpirationDate", "2026-03-04 (lot 7)")}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.ILMD = tt.ilmd
			p, _ := Project(Public, View{Event: e})
			if p.Consumer.ProductionDate != tt.wantProduced || p.Consumer.ExpiryDate != tt.wantExps {
				t.Errorf("production, expiry: got %q %q, want %q %q", p.Consumer.ProductionDate, p.Consumer.ExpiryDate, tt.wantProduced, tt.wantExps)
			}
		})
	}
}

func TestProjectPublicRecall(t *testing.T) {
	sy := func(local, value string) epcis.Element {
		return epcis.Element{Space: SuyuanNS, Prefix: "sy", Local: local, Value: value}
	}
	recallExt := []epcis.Element{
		sy("recallReasonZH", "抽检检出盐酸克伦特罗"), sy("recallReasonEN", "clenbuterol found in a spot check"),
		sy("recallNotice", "粤食召〔2026〕017号"), sy("buyerPrice", "PRICE-SECRET"),
		{Space: "https://example.com/ns/", Local: "recallNotice", Value: "OTHER-NS-NOTICE"},
	}
	tests := []struct {
		name                       string
		disposition                string
		persistent                 bool
		ext                        []epcis.Element
		wantReason, wantEN, notice string
	}{
		{"recall event", "recalled", false, recallExt, "抽检检出盐酸克伦特罗", "clenbuterol found in a spot check", "粤食召〔2026〕017号"},
		{"persistent recall", "in_progress", true, recallExt, "抽检检出盐酸克伦特罗", "clenbuterol found in a spot check", "粤食召〔2026〕017号"},
		{"not a recall", "in_progress", false, recallExt, "", "", ""},
		{"notice in another namespace", "recalled", false, recallExt[4:], "", "", ""},
		{"long reason cut", "recalled", false, []epcis.Element{sy("recallReasonEN", strings.Repeat("x", 600))}, "", strings.Repeat("x", maxPublicText), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.Disposition = "urn:epcglobal:cbv:disp:" + tt.disposition
			if tt.persistent {
				e.PersistentDisposition = &epcis.PersistentDisposition{Set: []string{"urn:epcglobal:cbv:disp:recalled"}}
			}
			e.Extensions = tt.ext
			p, _ := Project(Public, View{Event: e})
			c := p.Consumer
			if c.RecallReason != tt.wantReason || c.RecallReasonEN != tt.wantEN || c.RecallNotice != tt.notice {
				t.Errorf("recall: got %q %q %q, want %q %q %q", c.RecallReason, c.RecallReasonEN, c.RecallNotice, tt.wantReason, tt.wantEN, tt.notice)
			}
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"PRICE-SECRET", "OTHER-NS-NOTICE", "buyerPrice"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("public step releases %q: %s", secret, b)
				}
			}
		})
	}
}

func TestProjectPublicColdChain(t *testing.T) {
	humidity := epcis.SensorElement{Reports: []epcis.SensorReport{{Type: "https://gs1.org/voc/RelativeHumidity", Exception: "https://gs1.org/voc/ALARM_CONDITION", Value: ptr(99), UOM: "P1"}}}
	tests := []struct {
		name     string
		sensors  []epcis.SensorElement
		rules    ProductRules
		wantWarn bool
		wantPeak float64 // -999 for no peak
	}{
		{"within limit", []epcis.SensorElement{temperatureReport("", "CEL", 0.8, 3.1, 2)}, ProductRules{MaxCelsius: ptr(4)}, false, -999},
		{"above limit", []epcis.SensorElement{temperatureReport("", "CEL", 0.8, 9.6, 5.2)}, ProductRules{MaxCelsius: ptr(4)}, true, 9.6},
		{"highest of several reports", []epcis.SensorElement{temperatureReport("", "CEL", 5.5), temperatureReport("", "CEL", 7.25)}, ProductRules{MaxCelsius: ptr(4)}, true, 7.25},
		{"alarm without limits", []epcis.SensorElement{temperatureReport("https://gs1.org/voc/ALARM_CONDITION", "CEL", 1, 9.6, 5)}, ProductRules{}, true, 9.6},
		{"alarm without readings", []epcis.SensorElement{temperatureReport("gs1:ALARM_CONDITION", "")}, ProductRules{}, true, -999},
		{"below lower limit", []epcis.SensorElement{temperatureReport("", "CEL", -3.5, 2, 0)}, ProductRules{MinCelsius: ptr(-1), MaxCelsius: ptr(4)}, true, -3.5},
		{"Fahrenheit converted", []epcis.SensorElement{temperatureReport("", "FAH", 50)}, ProductRules{MaxCelsius: ptr(4)}, true, 10},
		{"Kelvin within limit", []epcis.SensorElement{temperatureReport("", "KEL", 275.15)}, ProductRules{MaxCelsius: ptr(4)}, false, -999},
		{"no limits no alarm", []epcis.SensorElement{temperatureReport("", "CEL", 47.25)}, ProductRules{}, false, -999},
		{"humidity alarm is not cold chain", []epcis.SensorElement{humidity}, ProductRules{MaxCelsius: ptr(4)}, false, -999},
		{"no sensors", nil, ProductRules{MaxCelsius: ptr(4)}, false, -999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.SensorElementList = tt.sensors
			p, _ := Project(Public, View{Event: e, Rules: tt.rules})
			c := p.Consumer
			if c.ColdChainWarning != tt.wantWarn {
				t.Errorf("warning: got %v, want %v", c.ColdChainWarning, tt.wantWarn)
			}
			switch {
			case tt.wantPeak == -999 && c.PeakTemperature != nil:
				t.Errorf("peak: got %v, want none", *c.PeakTemperature)
			case tt.wantPeak != -999 && (c.PeakTemperature == nil || *c.PeakTemperature != tt.wantPeak || c.TemperatureUnit != "CEL"):
				t.Errorf("peak: got %v %q, want %v CEL", c.PeakTemperature, c.TemperatureUnit, tt.wantPeak)
			}
		})
	}
}

func TestProjectPublicMassBalance(t *testing.T) {
	q := func(class string, n float64, uom string) epcis.QuantityElement {
		return epcis.QuantityElement{EPCClass: "urn:epc:class:lgtin:6901234.012345." + class, Quantity: n, HasQuantity: true, UOM: uom}
	}
	tests := []struct {
		name    string
		typ     epcis.EventType
		in, out []epcis.QuantityElement
		inEPCs  []string
		want    bool
	}{
		{"output exceeds input", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 30000, "KGM")}, []epcis.QuantityElement{q("OX", 36000, "KGM")}, nil, true},
		{"normal yield", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 30000, "KGM")}, []epcis.QuantityElement{q("OX", 9000, "KGM")}, nil, false},
		{"tonnes against kilograms", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 3, "TNE")}, []epcis.QuantityElement{q("OX", 3100, "KGM")}, nil, true},
		{"equal masses", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 2, "TNE")}, []epcis.QuantityElement{q("OX", 2000, "KGM")}, nil, false},
		{"input in heads not compared", epcis.TransformationEvent, []epcis.QuantityElement{q("PIG", 20, "H87")}, []epcis.QuantityElement{q("PORK", 1500, "KGM")}, nil, false},
		{"partly counted input not compared", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 10, "KGM"), q("PIG", 20, "H87")}, []epcis.QuantityElement{q("OX", 1500, "KGM")}, nil, false},
		{"input EPCs not compared", epcis.TransformationEvent, []epcis.QuantityElement{q("ORE", 10, "KGM")}, []epcis.QuantityElement{q("OX", 1500, "KGM")}, []string{"urn:epc:id:sgtin:6901234.012345.1"}, false},
		{"not a transformation", epcis.ObjectEvent, []epcis.QuantityElement{q("ORE", 1, "KGM")}, []epcis.QuantityElement{q("OX", 2, "KGM")}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.Type, e.InputQuantityList, e.OutputQuantityList, e.InputEPCList = tt.typ, tt.in, tt.out, tt.inEPCs
			p, _ := Project(Public, View{Event: e})
			if p.Consumer.OutputExceedsInput != tt.want {
				t.Errorf("output exceeds input: got %v, want %v", p.Consumer.OutputExceedsInput, tt.want)
			}
		})
	}
}

func TestProjectPublicUnlicensedConsignee(t *testing.T) {
	const buyer = "urn:epc:id:pgln:6905678.00000"
	day := func(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	hazchem := func(from, until time.Time) *store.Party {
		return &store.Party{NameZH: "丁化工贸易有限公司", Licences: []store.Licence{{Kind: "hazardous-chemical", Number: "粤危化经字〔2025〕0001", ValidFrom: from, ValidUntil: until}}}
	}
	tests := []struct {
		name     string
		required string
		buyer    *store.Party
		destType string
		want     bool
	}{
		{"licensed consignee", "hazardous-chemical", hazchem(day(1, 1), time.Time{}), "owning_party", false},
		{"licence of another kind", "hazardous-chemical", &store.Party{NameZH: "丁化工贸易有限公司", Licences: []store.Licence{{Kind: "food-distribution"}}}, "owning_party", true},
		{"no licence", "hazardous-chemical", &store.Party{NameZH: "丁化工贸易有限公司"}, "urn:epcglobal:cbv:sdt:owning_party", true},
		{"licence expired before the event", "hazardous-chemical", hazchem(day(1, 1), day(2, 28)), "owning_party", true},
		{"licence valid to the event day", "hazardous-chemical", hazchem(day(1, 1), day(3, 1)), "owning_party", false},
		{"licence not yet valid", "hazardous-chemical", hazchem(day(3, 5), time.Time{}), "owning_party", true},
		{"unknown consignee not judged", "hazardous-chemical", nil, "owning_party", false},
		{"possessing party not judged", "hazardous-chemical", &store.Party{NameZH: "丁化工贸易有限公司"}, "possessing_party", false},
		{"no licence required", "", &store.Party{NameZH: "丁化工贸易有限公司"}, "owning_party", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := publicEvent()
			e.DestinationList = []epcis.SourceDest{{Type: tt.destType, Value: buyer}}
			v := View{Event: e, Rules: ProductRules{RequiredLicence: tt.required}}
			if tt.buyer != nil {
				v.Consignees = map[string]*store.Party{buyer: tt.buyer}
			}
			p, _ := Project(Public, v)
			if p.Consumer.UnlicensedConsignee != tt.want {
				t.Errorf("unlicensed consignee: got %v, want %v", p.Consumer.UnlicensedConsignee, tt.want)
			}
			b, err := json.Marshal(p.Consumer)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"丁化工", "6905678", "粤危化经字", "812.5", "KGM"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("public step releases %q: %s", secret, b)
				}
			}
		})
	}
}

// TestProjectPublicNoSecrets checks the whole public step
// of an event carrying every kind of field the projection must hold back.
func TestProjectPublicNoSecrets(t *testing.T) {
	e := publicEvent()
	e.Type = epcis.TransformationEvent
	e.InputQuantityList = []epcis.QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.ORE", Quantity: 30017, HasQuantity: true, UOM: "KGM"}}
	e.OutputQuantityList = []epcis.QuantityElement{{EPCClass: "urn:epc:class:lgtin:6901234.012345.OX", Quantity: 36019, HasQuantity: true, UOM: "KGM"}}
	e.BizTransactionList = []epcis.BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:example:po:PO-SECRET-4711"}}
	e.SourceList = []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:owning_party", Value: "urn:epc:id:pgln:6901111.00000"}}
	e.DestinationList = []epcis.SourceDest{{Type: "urn:epcglobal:cbv:sdt:owning_party", Value: "urn:epc:id:pgln:6905678.00000"}}
	e.SensorElementList = []epcis.SensorElement{temperatureReport("", "CEL", 1.13, 9.61, 4.37)}
	e.Extensions = []epcis.Element{{Space: "https://example.com/ns/", Local: "price", Value: "88.80"}}
	e.ILMD = []epcis.Element{{Space: "https://example.com/ns/", Local: "recipe", Value: "RECIPE-SECRET"}}
	v := View{Event: e, Rules: ProductRules{MaxCelsius: ptr(4), RequiredLicence: "hazardous-chemical"},
		Consignees: map[string]*store.Party{"urn:epc:id:pgln:6905678.00000": {NameZH: "隐秘客户", NameEN: "Hidden Customer"}}}
	p, _ := Project(Public, v)
	c := p.Consumer
	if !c.ColdChainWarning {
		t.Errorf("cold-chain warning: got false, want true")
	}
	if c.PeakTemperature == nil || *c.PeakTemperature != 9.61 {
		t.Errorf("peak temperature: got %v, want 9.61", c.PeakTemperature)
	}
	if !c.OutputExceedsInput {
		t.Errorf("output exceeds input: got false, want true")
	}
	if !c.UnlicensedConsignee {
		t.Errorf("unlicensed consignee: got false, want true")
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"30017", "36019", "KGM", "PO-SECRET", "6901111", "6905678", "隐秘客户", "Hidden Customer",
		"1.13", "4.37", "88.80", "price", "RECIPE-SECRET"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("public step releases %q: %s", secret, b)
		}
	}
}

func FuzzDateOnly(f *testing.F) {
	for _, seed := range []string{"2026-03-04", "2026-03-04T08:00:00+08:00", "2026-03-04Z", "2026-03-04+08:00", "2026-02-30", "", "2026-03-04 (lot 7)"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d := dateOnly(v)
		if d == "" {
			return
		}
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			t.Errorf("dateOnly(%q) = %q, not a date: %v", v, d, err)
		}
		if !strings.HasPrefix(strings.TrimSpace(v), d) {
			t.Errorf("dateOnly(%q) = %q, not the start of the value", v, d)
		}
	})
}

package party

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// View is an event with the registry facts about it for one caller.
type View struct {
	Event    *epcis.Event
	Relation Relation
	// Place is the event's registered location and Owner the party owning
	// it; both nil when the location is not registered.
	Place *store.Location
	Owner *store.Party
	// Rules are the limits and licence rule of the event's products, from
	// product master data. The public projection checks the event against
	// them and releases the outcome, never the readings or parties behind
	// it.
	Rules ProductRules
	// Consignees maps each owning_party value of the event's
	// destinationList to its registered party, for the licence check of
	// Rules.RequiredLicence. A party missing from the map is not checked.
	Consignees map[string]*store.Party
}

// ProductRules are the conditions product master data states for the
// handling of a product, which the public projection checks events
// against.
type ProductRules struct {
	// MinCelsius and MaxCelsius are the lowest and highest temperatures
	// allowed in storage and transport, in degrees Celsius, or nil.
	MinCelsius, MaxCelsius *float64
	// RequiredLicence is the licence kind (as in store.Licence.Kind, such
	// as "hazardous-chemical") every consignee of the product must hold,
	// or empty.
	RequiredLicence string
}

// Projection is the part of an event released to one audience: an EPCIS
// event for enterprises, regulators and administrators, a consumer step for
// the public.
type Projection struct {
	Event    *epcis.Event
	Consumer *ConsumerStep
}

// ConsumerStep is one step of a product's history as released to the public:
// product, place at city level, the enterprise's name, date and time of
// day, production and expiry dates, certifications, recall status with
// the recall's reason and notice, and warning flags. It never carries
// prices, transaction documents, quantities, raw sensor readings or the
// identities of downstream customers.
type ConsumerStep struct {
	// Date is the event date in the event's own time zone (YYYY-MM-DD).
	Date string `json:"date"`
	// Time is the event's time of day in its own time zone (HH:MM), and
	// TimeZoneOffset that zone's offset from UTC, such as "+08:00".
	Time           string `json:"time"`
	TimeZoneOffset string `json:"timeZoneOffset"`
	// Step is the CBV bizStep as a bare word, such as "commissioning".
	Step string `json:"step,omitempty"`
	// Products lists the GTINs or Chinese product codes concerned, at
	// product level (no serial numbers).
	Products []string `json:"products,omitempty"`
	// Lots lists batch/lot numbers (GS1 AI 10).
	Lots         []string `json:"lots,omitempty"`
	Enterprise   string   `json:"enterprise,omitempty"`
	EnterpriseEN string   `json:"enterpriseEN,omitempty"`
	// City is the GB/T 2260 code of the city (prefecture level, such as
	// 440100) where the step took place.
	City           string   `json:"city,omitempty"`
	Certifications []string `json:"certifications,omitempty"`
	Disposition    string   `json:"disposition,omitempty"`
	// ProductionDate and ExpiryDate are dates (YYYY-MM-DD) from the
	// event's ilmd (EPCIS 2.0 section 7.3.6): cbvmda:productionDate, and
	// cbvmda:itemExpirationDate, else bestBeforeDate, else sellByDate
	// (CBV 2.0 master data attributes).
	ProductionDate string `json:"productionDate,omitempty"`
	ExpiryDate     string `json:"expiryDate,omitempty"`
	// Recalled is set when the event's disposition or persistent
	// disposition is CBV recalled.
	Recalled bool `json:"recalled"`
	// RecallReason and RecallReasonEN (Chinese and English) and
	// RecallNotice (the number of the official recall notice) are the
	// SuyuanNS extension fields recallReasonZH, recallReasonEN and
	// recallNotice of a recall event. No other extension field is
	// released.
	RecallReason   string `json:"recallReason,omitempty"`
	RecallReasonEN string `json:"recallReasonEN,omitempty"`
	RecallNotice   string `json:"recallNotice,omitempty"`
	// ColdChainWarning is set when a temperature report of the event's
	// sensorElementList carries an exception (such as gs1:ALARM_CONDITION)
	// or a reading outside the limits of View.Rules. PeakTemperature is
	// then the highest reading (the lowest when only the lower limit was
	// crossed) in TemperatureUnit, always "CEL" (degrees Celsius). It is
	// nil when the reports carry no reading. No other reading is
	// released.
	ColdChainWarning bool     `json:"coldChainWarning"`
	PeakTemperature  *float64 `json:"peakTemperature,omitempty"`
	TemperatureUnit  string   `json:"temperatureUnit,omitempty"`
	// OutputExceedsInput is set on a TransformationEvent whose outputs
	// weigh more than its inputs, both given in full as masses. The
	// masses themselves are not released.
	OutputExceedsInput bool `json:"outputExceedsInput"`
	// UnlicensedConsignee is set when an owning party of the event's
	// destinationList is registered without a licence of the kind
	// View.Rules.RequiredLicence valid at the event time. The consignee
	// is not named.
	UnlicensedConsignee bool `json:"unlicensedConsignee"`
	// Corrected is set when the event was declared erroneous.
	Corrected bool `json:"corrected"`
}

// Project returns what the audience may see of the event, and false when
// it may see nothing. It is the one function that decides which fields
// leave the platform:
//
//   - Administrator: the whole event.
//   - Regulator: the whole event when it is in its jurisdiction.
//   - Enterprise: the whole event when it is a member; an upstream event
//     without bizTransactionList, sourceList, destinationList and user
//     extensions, so that prices, documents and other customers stay
//     hidden.
//   - Public: a ConsumerStep.
//
// Project does not modify v.Event.
func Project(a AudienceKind, v View) (Projection, bool) {
	if v.Event == nil {
		return Projection{}, false
	}
	switch a {
	case Administrator:
		return Projection{Event: v.Event}, true
	case Regulator:
		if v.Relation >= InJurisdiction {
			return Projection{Event: v.Event}, true
		}
	case Enterprise:
		switch v.Relation {
		case Member, Everything:
			return Projection{Event: v.Event}, true
		case Upstream:
			return Projection{Event: upstreamEvent(v.Event)}, true
		}
	case Public:
		return Projection{Consumer: consumerStep(v)}, true
	}
	return Projection{}, false
}

// upstreamEvent returns a copy of e without the fields that reveal a
// supplier's business with others.
func upstreamEvent(e *epcis.Event) *epcis.Event {
	c := *e
	c.BizTransactionList = nil
	c.SourceList = nil
	c.DestinationList = nil
	c.Extensions = nil
	if c.ReadPoint != nil {
		c.ReadPoint = &epcis.Location{ID: c.ReadPoint.ID}
	}
	if c.BizLocation != nil {
		c.BizLocation = &epcis.Location{ID: c.BizLocation.ID}
	}
	return &c
}

const (
	cbvRecalled    = "urn:epcglobal:cbv:disp:recalled"
	bizStepPrefix  = "urn:epcglobal:cbv:bizstep:"
	dispositionPfx = "urn:epcglobal:cbv:disp:"
)

// SuyuanNS is the namespace of the platform's own EPCIS extension fields,
// such as the reason and notice number of a recall.
const SuyuanNS = "https://ns.suyuan-trace.org/epcis/"

// maxPublicText is the length in characters at which the public
// projection cuts a recall reason or notice.
const maxPublicText = 500

func consumerStep(v View) *ConsumerStep {
	e := v.Event
	s := &ConsumerStep{
		Step:           strings.TrimPrefix(e.BizStep, bizStepPrefix),
		Disposition:    strings.TrimPrefix(e.Disposition, dispositionPfx),
		Certifications: slices.Clone(e.CertificationInfo),
		Corrected:      e.ErrorDeclaration != nil,
	}
	local := localTime(e)
	s.Date, s.Time = local.Format(time.DateOnly), local.Format("15:04")
	s.TimeZoneOffset = local.Format("-07:00")

	s.Recalled = e.Disposition == cbvRecalled
	if pd := e.PersistentDisposition; pd != nil && slices.Contains(pd.Set, cbvRecalled) {
		s.Recalled = true
	}
	if s.Recalled {
		s.RecallReason = extensionText(e, "recallReasonZH")
		s.RecallReasonEN = extensionText(e, "recallReasonEN")
		s.RecallNotice = extensionText(e, "recallNotice")
	}
	s.ProductionDate, s.ExpiryDate = ilmdDates(e.ILMD)

	if v.Owner != nil {
		s.Enterprise, s.EnterpriseEN = v.Owner.NameZH, v.Owner.NameEN
	}
	if v.Place != nil && len(v.Place.Division) == 6 {
		s.City = v.Place.Division[:4] + "00"
	}

	var ids []string
	ids = append(ids, e.EPCList...)
	ids = append(ids, e.ChildEPCs...)
	ids = append(ids, e.OutputEPCList...)
	ids = append(ids, e.InputEPCList...)
	for _, list := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range list {
			ids = append(ids, q.EPCClass)
		}
	}
	for _, id := range ids {
		product, lot := productOf(id)
		if product != "" && !slices.Contains(s.Products, product) {
			s.Products = append(s.Products, product)
		}
		if lot != "" && !slices.Contains(s.Lots, lot) {
			s.Lots = append(s.Lots, lot)
		}
	}

	s.ColdChainWarning, s.PeakTemperature = coldChain(e.SensorElementList, v.Rules)
	if s.ColdChainWarning && s.PeakTemperature != nil {
		s.TemperatureUnit = "CEL"
	}
	s.OutputExceedsInput = outputExceedsInput(e)
	s.UnlicensedConsignee = unlicensedConsignee(e, v)
	return s
}

// localTime returns the event's time in its own time zone offset, or in
// UTC when the offset is missing or malformed.
func localTime(e *epcis.Event) time.Time {
	t := e.EventTime.UTC()
	if off, err := time.Parse("-07:00", e.EventTimeZoneOffset); err == nil {
		_, secs := off.Zone()
		t = t.In(time.FixedZone(e.EventTimeZoneOffset, secs))
	}
	return t
}

// extensionText returns the text of the event's SuyuanNS extension field
// local, trimmed and cut to maxPublicText characters, or "".
func extensionText(e *epcis.Event, local string) string {
	for _, el := range e.Extensions {
		if el.Local != local || el.Space != SuyuanNS || el.Kind != epcis.KindString {
			continue
		}
		v := strings.TrimSpace(el.Value)
		if r := []rune(v); len(r) > maxPublicText {
			v = string(r[:maxPublicText])
		}
		return v
	}
	return ""
}

// ilmdDates returns the production date and the expiry date of an ilmd
// as YYYY-MM-DD, each "" when absent or not a date. The production date
// is also read from the SuyuanNS productionDate field. The expiry date is
// itemExpirationDate, else bestBeforeDate, else sellByDate.
func ilmdDates(ilmd []epcis.Element) (produced, expires string) {
	field := func(local string, spaces func(string) bool) string {
		for _, el := range ilmd {
			if el.Local == local && el.Kind == epcis.KindString && spaces(el.Space) {
				if d := dateOnly(el.Value); d != "" {
					return d
				}
			}
		}
		return ""
	}
	produced = field("productionDate", isMDASpace)
	if produced == "" {
		produced = field("productionDate", func(s string) bool { return s == SuyuanNS })
	}
	for _, local := range []string{"itemExpirationDate", "bestBeforeDate", "sellByDate"} {
		if expires = field(local, isMDASpace); expires != "" {
			break
		}
	}
	return produced, expires
}

// isMDASpace reports whether space is the CBV master data namespace
// (urn:epcglobal:cbv:mda, its https form, or the GS1 Web Vocabulary).
func isMDASpace(space string) bool {
	s := strings.TrimRight(space, "#/:")
	return s == "urn:epcglobal:cbv:mda" || strings.HasSuffix(s, "/cbv/mda") || s == "https://gs1.org/voc"
}

// dateOnly returns the date part (YYYY-MM-DD) of an xsd:date or
// xsd:dateTime value, or "" when v is neither.
func dateOnly(v string) string {
	v = strings.TrimSpace(v)
	if len(v) < len(time.DateOnly) {
		return ""
	}
	d := v[:len(time.DateOnly)]
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return ""
	}
	switch rest := v[len(d):]; {
	case rest == "", rest == "Z":
	case rest[0] == 'T':
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			if _, err := time.Parse("2006-01-02T15:04:05", v); err != nil {
				return ""
			}
		}
	case rest[0] == '+' || rest[0] == '-':
		if _, err := time.Parse("-07:00", rest); err != nil {
			return ""
		}
	default:
		return ""
	}
	return d
}

// coldChain checks the temperature reports of a sensorElementList (EPCIS
// 2.0 section 7.3.7) against rules. warn is set when a report carries an
// exception or a reading outside the limits. peak is then the highest
// reading in degrees Celsius, or the lowest when only the lower limit was
// crossed. It is nil when no report carries a reading.
func coldChain(sensors []epcis.SensorElement, rules ProductRules) (warn bool, peak *float64) {
	exception, found := false, false
	high, low := math.Inf(-1), math.Inf(1)
	for _, se := range sensors {
		for _, r := range se.Reports {
			toCelsius, ok := temperatureUnit(r)
			if !ok {
				continue
			}
			if r.Exception != "" {
				exception = true
			}
			for _, p := range []*float64{r.Value, r.MinValue, r.MaxValue, r.MeanValue, r.PercValue} {
				if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
					continue
				}
				c := toCelsius(*p)
				found = true
				high, low = max(high, c), min(low, c)
			}
		}
	}
	above := found && rules.MaxCelsius != nil && high > *rules.MaxCelsius
	below := found && rules.MinCelsius != nil && low < *rules.MinCelsius
	if !exception && !above && !below {
		return false, nil
	}
	if !found {
		return true, nil
	}
	p := high
	if below && !above {
		p = low
	}
	p = math.Round(p*100) / 100
	return true, &p
}

// temperatureUnit returns the conversion of a temperature report's
// readings to degrees Celsius, and false when r is not a temperature
// report: its type is not gs1:Temperature and its uom is not a
// temperature unit (UN/ECE Recommendation 20: CEL, FAH, KEL). A
// temperature report without a uom is read in degrees Celsius.
func temperatureUnit(r epcis.SensorReport) (func(float64) float64, bool) {
	typ := r.Type
	if i := strings.LastIndexAny(typ, "/:#"); i >= 0 {
		typ = typ[i+1:]
	}
	switch r.UOM {
	case "CEL":
		return func(c float64) float64 { return c }, true
	case "FAH":
		return func(f float64) float64 { return (f - 32) * 5 / 9 }, true
	case "KEL":
		return func(k float64) float64 { return k - 273.15 }, true
	case "":
		if typ == "Temperature" {
			return func(c float64) float64 { return c }, true
		}
	}
	return nil, false
}

// massUnits gives the kilograms of one unit of each UN/ECE Recommendation
// 20 mass unit the mass-balance check reads.
var massUnits = map[string]float64{"KGM": 1, "GRM": 1e-3, "MGM": 1e-6, "TNE": 1000, "LBR": 0.45359237}

// outputExceedsInput reports whether a TransformationEvent's outputs weigh
// more than its inputs. It reports false unless the inputs are given in
// full as masses (no input EPCs, every input quantity in a mass unit) and
// the outputs have at least one mass.
func outputExceedsInput(e *epcis.Event) bool {
	if e.Type != epcis.TransformationEvent || len(e.InputEPCList) > 0 {
		return false
	}
	in, inOK := kilograms(e.InputQuantityList, true)
	out, outOK := kilograms(e.OutputQuantityList, false)
	return inOK && outOK && out > in*(1+1e-9)
}

// kilograms sums the masses of qs and reports whether there was one. With
// all set, it reports false unless every element has a mass.
func kilograms(qs []epcis.QuantityElement, all bool) (float64, bool) {
	sum, n := 0.0, 0
	for _, q := range qs {
		k, ok := massUnits[q.UOM]
		if !ok || !q.HasQuantity || q.Quantity < 0 || math.IsNaN(q.Quantity) || math.IsInf(q.Quantity, 0) {
			if all {
				return 0, false
			}
			continue
		}
		sum += q.Quantity * k
		n++
	}
	return sum, n > 0
}

// unlicensedConsignee reports whether an owning party in the event's
// destinationList (CBV 2.0 source/destination type owning_party) is
// registered in v.Consignees without a licence of the kind
// v.Rules.RequiredLicence valid on the event's date.
func unlicensedConsignee(e *epcis.Event, v View) bool {
	if v.Rules.RequiredLicence == "" {
		return false
	}
	for _, d := range e.DestinationList {
		if strings.TrimPrefix(d.Type, "urn:epcglobal:cbv:sdt:") != "owning_party" {
			continue
		}
		p := v.Consignees[d.Value]
		if p != nil && !holdsLicence(p, v.Rules.RequiredLicence, e.EventTime) {
			return true
		}
	}
	return false
}

// holdsLicence reports whether p holds a licence of kind valid at t. A
// licence is valid from the start of ValidFrom to the end of ValidUntil
// (UTC dates); zero dates leave that end open.
func holdsLicence(p *store.Party, kind string, t time.Time) bool {
	for _, l := range p.Licences {
		if l.Kind != kind {
			continue
		}
		if !l.ValidFrom.IsZero() && t.Before(l.ValidFrom) {
			continue
		}
		if !l.ValidUntil.IsZero() && !t.Before(l.ValidUntil.AddDate(0, 0, 1)) {
			continue
		}
		return true
	}
	return false
}

// productOf returns the product-level identifier of id (a GTIN Digital
// Link without serial, or a Chinese product code URI) and its lot.
func productOf(id string) (product, lot string) {
	c, err := ident.Canonical(id)
	if err != nil {
		return "", ""
	}
	if strings.HasPrefix(c, "urn:cn:") {
		code, err := cncode.Parse(c)
		if err != nil || code.ClassURI() == "" {
			return "", ""
		}
		return code.ClassURI(), code.Field("batch")
	}
	dl, err := ident.ParseDigitalLink(c)
	if err != nil || dl.Key.AI != "01" {
		return "", ""
	}
	for _, q := range dl.Qualifiers {
		if q.AI == "10" {
			lot = q.Value
		}
	}
	return "https://id.gs1.org/01/" + dl.Key.Value, lot
}

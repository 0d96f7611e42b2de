package party

import (
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
}

// Projection is the part of an event released to one audience: an EPCIS
// event for enterprises, regulators and administrators, a consumer step for
// the public.
type Projection struct {
	Event    *epcis.Event
	Consumer *ConsumerStep
}

// ConsumerStep is one step of a product's history as the public sees it:
// product, place at city level, the enterprise's name, date,
// certifications and recall status. It never carries prices, transaction
// documents, quantities or the identities of downstream customers.
type ConsumerStep struct {
	// Date is the event date in the event's own time zone (YYYY-MM-DD).
	Date string `json:"date"`
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
	// Recalled is set when the event's disposition or persistent
	// disposition is CBV recalled.
	Recalled bool `json:"recalled"`
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

func consumerStep(v View) *ConsumerStep {
	e := v.Event
	s := &ConsumerStep{
		Step:           strings.TrimPrefix(e.BizStep, bizStepPrefix),
		Disposition:    strings.TrimPrefix(e.Disposition, dispositionPfx),
		Certifications: slices.Clone(e.CertificationInfo),
		Corrected:      e.ErrorDeclaration != nil,
	}
	s.Date = eventDate(e)
	s.Recalled = e.Disposition == cbvRecalled
	if pd := e.PersistentDisposition; pd != nil && slices.Contains(pd.Set, cbvRecalled) {
		s.Recalled = true
	}
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
	return s
}

// eventDate returns the event's date in its own time zone offset.
func eventDate(e *epcis.Event) string {
	t := e.EventTime
	if off, err := time.Parse("-07:00", e.EventTimeZoneOffset); err == nil {
		_, secs := off.Zone()
		t = t.In(time.FixedZone(e.EventTimeZoneOffset, secs))
	}
	return t.Format(time.DateOnly)
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

package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// Namespaces of the extension and master-data fields the demo writes.
const (
	// NSCBVMDA is the CBV master data namespace, bound to "cbvmda" in the
	// EPCIS 2.0 JSON-LD context.
	NSCBVMDA = "urn:epcglobal:cbv:mda:"
	// NSSuyuan is the namespace of Suyuan's own extension fields, such as
	// the recall notice on a recall event.
	NSSuyuan = "https://ns.suyuan-trace.org/epcis/"
)

// Extension field names in NSSuyuan.
const (
	FieldProductionDate     = "productionDate"
	FieldRecallReasonZH     = "recallReasonZH"
	FieldRecallReasonEN     = "recallReasonEN"
	FieldRecallNotice       = "recallNotice"
	FieldNextInspectionDate = "nextInspectionDate"
	FieldInspectionResult   = "inspectionResult"
)

// FillingBizStep is the business step of filling a gas cylinder. CBV 2.0
// has no filling step, so the demo uses its own URI, as CBV 2.0 section
// 7.1 allows for steps outside the standard vocabulary.
const FillingBizStep = "https://ns.suyuan-trace.org/voc/bizstep-filling"

const (
	cbvBizStep = "urn:epcglobal:cbv:bizstep:"
	cbvDisp    = "urn:epcglobal:cbv:disp:"
	cbvBTT     = "urn:epcglobal:cbv:btt:"
	cbvSDT     = "urn:epcglobal:cbv:sdt:"
	gs1Voc     = "https://gs1.org/voc/"
)

// cst is China Standard Time, the offset of every Chinese site.
var cst = time.FixedZone("CST", 8*3600)

// site is where an event happens: a party's location.
type site struct {
	party *Party
	n     int // index into party.Sites
}

func (s site) id() string { return s.party.Sites[s.n] }

// event starts an event of type t at time at and site s. The event's time
// zone offset is that of at.
func event(t epcis.EventType, at time.Time, s site) *epcis.Event {
	_, off := at.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	e := &epcis.Event{
		Type:                t,
		EventTime:           at,
		EventTimeZoneOffset: fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60),
	}
	if s.party != nil && len(s.party.Sites) > 0 {
		loc := s.id()
		e.ReadPoint = &epcis.Location{ID: loc}
		e.BizLocation = &epcis.Location{ID: loc}
	}
	return e
}

// step sets the business step and disposition by their CBV short names.
func step(e *epcis.Event, bizStep, disposition string) *epcis.Event {
	if bizStep != "" {
		if bizStep[0] == 'h' && len(bizStep) > 8 && bizStep[:8] == "https://" {
			e.BizStep = bizStep
		} else {
			e.BizStep = cbvBizStep + bizStep
		}
	}
	if disposition != "" {
		e.Disposition = cbvDisp + disposition
	}
	return e
}

// qty returns a quantity element.
func qty(class string, q float64, uom string) epcis.QuantityElement {
	return epcis.QuantityElement{EPCClass: class, Quantity: q, HasQuantity: true, UOM: uom}
}

// transfer adds the owning parties of a change of ownership, and the
// locations it goes from and to, as source and destination lists.
func transfer(e *epcis.Event, from, to site) {
	e.SourceList = append(e.SourceList,
		epcis.SourceDest{Type: cbvSDT + "owning_party", Value: from.party.ID},
		epcis.SourceDest{Type: cbvSDT + "location", Value: from.id()})
	e.DestinationList = append(e.DestinationList,
		epcis.SourceDest{Type: cbvSDT + "owning_party", Value: to.party.ID})
	if len(to.party.Sites) > 0 {
		e.DestinationList = append(e.DestinationList, epcis.SourceDest{Type: cbvSDT + "location", Value: to.id()})
	}
}

// bizTx adds a business transaction reference of a CBV type.
func bizTx(e *epcis.Event, typ, value string) {
	e.BizTransactionList = append(e.BizTransactionList, epcis.BizTransaction{Type: cbvBTT + typ, Value: value})
}

// mda returns a CBV master data ILMD element.
func mda(local, value string) epcis.Element {
	return epcis.Element{Space: NSCBVMDA, Prefix: "cbvmda", Local: local, Kind: epcis.KindString, Value: value}
}

// ext returns a Suyuan extension element.
func ext(local, value string) epcis.Element {
	return epcis.Element{Space: NSSuyuan, Prefix: "sy", Local: local, Kind: epcis.KindString, Value: value}
}

// lotILMD returns the ILMD of a new lot: lot number, production and
// expiry dates and country of origin (ISO 3166-1 alpha-2).
func lotILMD(lot string, produced, expires time.Time, country string) []epcis.Element {
	els := []epcis.Element{mda("lotNumber", lot)}
	if !expires.IsZero() {
		els = append(els, mda("itemExpirationDate", expires.Format(time.DateOnly)))
	}
	if country != "" {
		els = append(els, mda("countryOfOrigin", country))
	}
	return append(els, ext(FieldProductionDate, produced.Format(time.DateOnly)))
}

// temperature returns a sensor element with one temperature report of a
// transport leg: its minimum, maximum and mean in degrees Celsius. alarm
// marks the report as an ALARM_CONDITION (GS1 web vocabulary
// gs1:SensorAlertType).
func temperature(device string, start, end time.Time, lo, hi, mean float64, alarm bool) epcis.SensorElement {
	r := epcis.SensorReport{Type: gs1Voc + "Temperature", MinValue: &lo, MaxValue: &hi, MeanValue: &mean, UOM: "CEL"}
	if alarm {
		r.Exception = gs1Voc + "ALARM_CONDITION"
	}
	return epcis.SensorElement{
		Metadata: &epcis.SensorMetadata{StartTime: start, EndTime: end, DeviceID: device},
		Reports:  []epcis.SensorReport{r},
	}
}

// digits returns n pseudo-random decimal digits.
func (g *roundGen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b)
}

// minutes returns a jitter of up to n minutes.
func (g *roundGen) minutes(n int) time.Duration {
	return time.Duration(g.rng.IntN(n+1)) * time.Minute
}

// round2 rounds a quantity to two decimals, as scales print weights.
func round2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// Package epcis owns the EPCIS 2.0 event model: the five event types with
// every standard field, user extensions kept with their namespace IRIs, the
// JSON-LD and XML codecs (EPCIS 2.0, and EPCIS 1.2 XML on input) and the
// structural and semantic validation of events.
//
// The package imports nothing of the Suyuan platform, so other Go programs
// can use it as a library. Field names follow the EPCIS 2.0 standard
// (GS1, 2022) spelling: bizStep, readPoint, ilmd, eventTimeZoneOffset.
package epcis

import "time"

// EventType is the EPCIS event type name, as written in the JSON "type"
// member and as the XML element name.
type EventType string

// The five event types of EPCIS 2.0 section 7.4.
const (
	ObjectEvent         EventType = "ObjectEvent"
	AggregationEvent    EventType = "AggregationEvent"
	TransactionEvent    EventType = "TransactionEvent"
	TransformationEvent EventType = "TransformationEvent"
	AssociationEvent    EventType = "AssociationEvent"
)

// EventTypes lists the event types in the order EPCIS 2.0 defines them.
var EventTypes = []EventType{ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent}

// Valid reports whether t is one of the five EPCIS 2.0 event types.
func (t EventType) Valid() bool {
	for _, known := range EventTypes {
		if t == known {
			return true
		}
	}
	return false
}

// Action is the EPCIS action of an event: ADD, OBSERVE or DELETE
// (EPCIS 2.0 section 7.3.2). TransformationEvent has no action.
type Action string

// The three actions.
const (
	ActionAdd     Action = "ADD"
	ActionObserve Action = "OBSERVE"
	ActionDelete  Action = "DELETE"
)

// Event is one EPCIS event of any of the five types. Fields that do not
// belong to the event's type stay empty; Validate reports any that are set.
//
// Identifiers (EPCs, EPC classes, locations, parties) hold the value exactly
// as the client sent it. CBV vocabulary values (bizStep, disposition,
// bizTransaction and source/destination types, error reasons, sensor
// measurement types) hold the canonical full URI form, for example
// "urn:epcglobal:cbv:bizstep:shipping"; the codecs convert from and to the
// short JSON form ("shipping").
type Event struct {
	Type EventType

	// EventID is an absolute URI; for CBV 2.0 hash IDs it has the form
	// "ni:///sha-256;…?ver=CBV2.0". Empty when the client sent none.
	EventID string

	// EventTime is when the event took place; EventTimeZoneOffset is the
	// offset in force where it took place, in the form "+08:00".
	EventTime           time.Time
	EventTimeZoneOffset string

	// RecordTime is assigned by the repository when the event is stored.
	// It is the zero time on input unless the document carried one.
	RecordTime time.Time

	CertificationInfo []string
	ErrorDeclaration  *ErrorDeclaration

	Action Action

	// ParentID is the parent of an AggregationEvent, or an optional parent
	// of a TransactionEvent or AssociationEvent.
	ParentID string

	EPCList       []string // ObjectEvent, TransactionEvent
	ChildEPCs     []string // AggregationEvent, AssociationEvent
	InputEPCList  []string // TransformationEvent
	OutputEPCList []string // TransformationEvent

	QuantityList       []QuantityElement // ObjectEvent, TransactionEvent
	ChildQuantityList  []QuantityElement // AggregationEvent, AssociationEvent
	InputQuantityList  []QuantityElement // TransformationEvent
	OutputQuantityList []QuantityElement // TransformationEvent

	TransformationID string

	BizStep               string
	Disposition           string
	PersistentDisposition *PersistentDisposition

	ReadPoint   *Location
	BizLocation *Location

	BizTransactionList []BizTransaction
	SourceList         []SourceDest
	DestinationList    []SourceDest

	SensorElementList []SensorElement

	// ILMD holds instance/lot master data (EPCIS 2.0 section 7.3.6), which
	// is made only of user extensions. Nil when the event has none; an
	// empty non-nil slice records an empty ilmd element.
	ILMD []Element

	// Extensions holds the event's user extension fields in document order.
	Extensions []Element
}

// QuantityElement is one entry of a quantity list: an EPC class with an
// optional quantity and unit of measure (UN/CEFACT Recommendation 20 code).
type QuantityElement struct {
	EPCClass string
	// Quantity is the decimal quantity as written. HasQuantity reports
	// whether the element carried a quantity at all.
	Quantity    float64
	HasQuantity bool
	UOM         string
}

// PersistentDisposition lists the dispositions that the event sets and
// unsets on its objects until a later event changes them.
type PersistentDisposition struct {
	Set   []string
	Unset []string
}

// Location is a read point or business location: an identifier (an SGLN
// EPC URN or another URI) plus any user extensions inside it.
type Location struct {
	ID         string
	Extensions []Element
}

// BizTransaction is a business transaction reference such as a purchase
// order. Type is a CBV bizTransaction type URI, or empty.
type BizTransaction struct {
	Type  string
	Value string
}

// SourceDest is one entry of a source or destination list. Type is a CBV
// source/destination type URI (owning_party, possessing_party, location).
type SourceDest struct {
	Type  string
	Value string
}

// ErrorDeclaration marks an earlier event as erroneous (EPCIS 2.0 section
// 7.4.1.2). It arrives as an event carrying the eventID of the event it
// declares erroneous.
type ErrorDeclaration struct {
	DeclarationTime    time.Time
	Reason             string
	CorrectiveEventIDs []string
	Extensions         []Element
}

// SensorElement is one entry of sensorElementList: metadata about the
// sensor and its reports.
type SensorElement struct {
	Metadata   *SensorMetadata
	Reports    []SensorReport
	Extensions []Element
}

// SensorMetadata is the sensorMetadata of a sensor element. Time fields are
// zero when absent.
type SensorMetadata struct {
	Time                 time.Time
	StartTime            time.Time
	EndTime              time.Time
	DeviceID             string
	DeviceMetadata       string
	RawData              string
	DataProcessingMethod string
	BizRules             string
	// Extensions holds user attributes (XML) or namespaced members (JSON).
	Extensions []Element
}

// SensorReport is one sensorReport. Decimal fields are pointers so that an
// absent value differs from zero; Type holds the measurement type URI
// (for example "gs1:Temperature" expanded to
// "https://gs1.org/voc/Temperature").
type SensorReport struct {
	Type                      string
	Exception                 string
	DeviceID                  string
	DeviceMetadata            string
	RawData                   string
	DataProcessingMethod      string
	BizRules                  string
	Time                      time.Time
	Microorganism             string
	ChemicalSubstance         string
	CoordinateReferenceSystem string
	Value                     *float64
	Component                 string
	StringValue               string
	BooleanValue              *bool
	HexBinaryValue            string
	URIValue                  string
	MinValue                  *float64
	MaxValue                  *float64
	MeanValue                 *float64
	SDev                      *float64
	PercRank                  *float64
	PercValue                 *float64
	UOM                       string
	Extensions                []Element
}

// ValueKind is the type an extension element's value had in the source
// document, kept so that JSON output keeps numbers, booleans and nulls.
// XML input gives only KindString and KindObject.
type ValueKind uint8

// Value kinds of an extension Element.
const (
	KindString ValueKind = iota
	KindNumber
	KindBool
	KindNull
	KindObject // Children holds the members
)

// Element is a user extension: a field outside the EPCIS namespace,
// identified by its namespace IRI and local name. Elements nest, so an
// extension can hold structured data. A JSON array of values becomes
// consecutive Elements with the same name and InArray set.
type Element struct {
	// Space is the namespace IRI, for example "https://ns.example.com/epcis/".
	Space string
	// Prefix is the prefix the source document bound to Space; encoders
	// reuse it where they can. It is not part of the element's identity.
	Prefix string
	Local  string

	Kind ValueKind
	// Value is the text of a leaf element: the string, or the decimal,
	// boolean or null literal as written.
	Value    string
	Children []Element
	// Attrs holds XML attributes of the element, in document order.
	Attrs []Attr
	// InArray marks an element that came from a JSON array, so that an
	// array of one value is encoded as an array again.
	InArray bool
}

// Attr is an XML attribute on an extension element.
type Attr struct {
	Space, Prefix, Local, Value string
}

package epcis

import (
	"testing"
	"time"
)

// validEvent returns a minimal valid event of type t.
func validEvent(t EventType) *Event {
	e := &Event{
		Type:                t,
		EventTime:           time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC),
		EventTimeZoneOffset: "+08:00",
		Action:              ActionObserve,
	}
	switch t {
	case ObjectEvent:
		e.EPCList = []string{"urn:epc:id:sgtin:6923456.078901.A1"}
	case AggregationEvent, AssociationEvent:
		e.ParentID = "urn:epc:id:sscc:6923456.0000000001"
		e.ChildEPCs = []string{"urn:epc:id:sgtin:6923456.078901.A1"}
	case TransactionEvent:
		e.EPCList = []string{"urn:epc:id:sgtin:6923456.078901.A1"}
		e.BizTransactionList = []BizTransaction{{Type: "urn:epcglobal:cbv:btt:po", Value: "urn:epcglobal:cbv:bt:6923456000001:1"}}
	case TransformationEvent:
		e.Action = ""
		e.InputEPCList = []string{"urn:epc:id:sgtin:6923456.078901.A1"}
		e.OutputEPCList = []string{"urn:epc:id:sgtin:6923456.078901.A2"}
	}
	return e
}

func TestValidateAcceptsValidEvents(t *testing.T) {
	for _, typ := range EventTypes {
		t.Run(string(typ), func(t *testing.T) {
			if errs := Validate(validEvent(typ), 0); len(errs) != 0 {
				t.Errorf("got %v, want no errors", errs)
			}
		})
	}
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name    string
		typ     EventType
		change  func(e *Event)
		pointer string
		rule    string // empty when the event must stay valid
	}{
		{"offset with seconds", ObjectEvent, func(e *Event) { e.EventTimeZoneOffset = "+08:00:00" }, "/eventTimeZoneOffset", "eventTimeZoneOffset format ±hh:mm"},
		{"offset minus fourteen", ObjectEvent, func(e *Event) { e.EventTimeZoneOffset = "-14:00" }, "", ""},
		{"offset fourteen and a half", ObjectEvent, func(e *Event) { e.EventTimeZoneOffset = "+14:30" }, "/eventTimeZoneOffset", "eventTimeZoneOffset range -14:00 to +14:00"},
		{"missing offset", ObjectEvent, func(e *Event) { e.EventTimeZoneOffset = "" }, "/eventTimeZoneOffset", "eventTimeZoneOffset required"},
		{"association without parent", AssociationEvent, func(e *Event) { e.ParentID = "" }, "/parentID", "parentID required"},
		{"aggregation OBSERVE without parent", AggregationEvent, func(e *Event) { e.ParentID = "" }, "", ""},
		{"aggregation DELETE without parent", AggregationEvent, func(e *Event) { e.ParentID, e.Action = "", ActionDelete }, "/parentID", "parentID required for ADD and DELETE"},
		{"aggregation without children", AggregationEvent, func(e *Event) { e.ChildEPCs = nil }, "/childEPCs", "AggregationEvent children"},
		{"aggregation DELETE without children", AggregationEvent, func(e *Event) { e.ChildEPCs, e.Action = nil, ActionDelete }, "", ""},
		{"transaction without bizTransaction", TransactionEvent, func(e *Event) { e.BizTransactionList = nil }, "/bizTransactionList", "bizTransactionList required"},
		{"transformation with output only", TransformationEvent, func(e *Event) { e.InputEPCList = nil }, "/inputEPCList", "TransformationEvent inputs and outputs"},
		{"transformation output and ID", TransformationEvent, func(e *Event) {
			e.InputEPCList, e.TransformationID = nil, "urn:epc:id:gdti:6923456.00000.1"
		}, "", ""},
		{"object without objects", ObjectEvent, func(e *Event) { e.EPCList = nil }, "/epcList", "ObjectEvent objects"},
		{"object with empty epcList", ObjectEvent, func(e *Event) { e.EPCList = []string{} }, "", ""},
		{"object sensor only", ObjectEvent, func(e *Event) {
			e.EPCList = nil
			e.ReadPoint = &Location{ID: "urn:epc:id:sgln:6923456.00001.0"}
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Type: "https://gs1.org/voc/Temperature"}}}}
		}, "", ""},
		{"ilmd with OBSERVE", ObjectEvent, func(e *Event) { e.ILMD = []Element{} }, "/ilmd", "ilmd only with action ADD"},
		{"duplicate EPC", ObjectEvent, func(e *Event) { e.EPCList = append(e.EPCList, e.EPCList[0]) }, "/epcList/1", "unique EPCs"},
		{"private bizStep URI", ObjectEvent, func(e *Event) { e.BizStep = "https://steps.example.cn/grading" }, "", ""},
		{"bizStep not URI", ObjectEvent, func(e *Event) { e.BizStep = "my step:x y" }, "/bizStep", "absolute URI"},
		{"unknown btt URN", TransactionEvent, func(e *Event) { e.BizTransactionList[0].Type = "urn:epcglobal:cbv:btt:packevent" }, "/bizTransactionList/0/type", "CBV bizTransaction type vocabulary"},
		{"source without type", ObjectEvent, func(e *Event) { e.SourceList = []SourceDest{{Value: "urn:epc:id:pgln:6923456.00000"}} }, "/sourceList/0/type", "source type required"},
		{"readPoint without id", ObjectEvent, func(e *Event) { e.ReadPoint = &Location{} }, "/readPoint/id", "readPoint id required"},
		{"exception-only sensor report", ObjectEvent, func(e *Event) {
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Exception: "https://gs1.org/voc/ALARM_CONDITION"}}}}
		}, "", ""},
		{"new GS1 measurement type", ObjectEvent, func(e *Event) {
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Type: "https://gs1.org/voc/EffectiveDoseRate"}}}}
		}, "", ""},
		{"unknown alert type", ObjectEvent, func(e *Event) {
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Type: "https://gs1.org/voc/Temperature", Exception: "https://gs1.org/voc/WARNING"}}}}
		}, "/sensorElementList/0/sensorReport/0/exception", "CBV sensorReport exception vocabulary"},
		{"sensor element without reports", ObjectEvent, func(e *Event) { e.SensorElementList = []SensorElement{{}} }, "/sensorElementList/0/sensorReport", "sensorReport required"},
		{"bad hexBinary", ObjectEvent, func(e *Event) {
			e.SensorElementList = []SensorElement{{Reports: []SensorReport{{Type: "https://gs1.org/voc/Count", HexBinaryValue: "0xZZ"}}}}
		}, "/sensorElementList/0/sensorReport/0/hexBinaryValue", "hexBinary"},
		{"sensor interval reversed", ObjectEvent, func(e *Event) {
			e.SensorElementList = []SensorElement{{
				Metadata: &SensorMetadata{StartTime: e.EventTime, EndTime: e.EventTime.Add(-time.Minute)},
				Reports:  []SensorReport{{Type: "https://gs1.org/voc/Count"}},
			}}
		}, "/sensorElementList/0/sensorMetadata/endTime", "startTime not after endTime"},
		{"persistentDisposition empty", ObjectEvent, func(e *Event) { e.PersistentDisposition = &PersistentDisposition{} }, "/persistentDisposition", "persistentDisposition set or unset"},
		{"persistentDisposition unknown", AggregationEvent, func(e *Event) {
			e.PersistentDisposition = &PersistentDisposition{Set: []string{"broken"}}
		}, "/persistentDisposition/set/0", "CBV disposition vocabulary"},
		{"error reason unknown", ObjectEvent, func(e *Event) {
			e.ErrorDeclaration = &ErrorDeclaration{DeclarationTime: e.EventTime, Reason: "typo"}
		}, "/errorDeclaration/reason", "CBV errorDeclaration reason vocabulary"},
		{"certificationInfo not URI", ObjectEvent, func(e *Event) { e.CertificationInfo = []string{"cert 1"} }, "/certificationInfo/0", "absolute URI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := validEvent(tt.typ)
			tt.change(e)
			errs := Validate(e, 7)
			if tt.rule == "" {
				if len(errs) != 0 {
					t.Errorf("got %v, want no errors", errs)
				}
				return
			}
			if len(errs) == 0 {
				t.Fatalf("got no errors, want rule %q", tt.rule)
			}
			fe := errs[0]
			if fe.Rule != tt.rule {
				t.Errorf("Rule: got %q, want %q (all: %v)", fe.Rule, tt.rule, errs)
			}
			if fe.Pointer != tt.pointer {
				t.Errorf("Pointer: got %q, want %q", fe.Pointer, tt.pointer)
			}
			if fe.EventIndex != 7 {
				t.Errorf("EventIndex: got %d, want 7", fe.EventIndex)
			}
			if fe.Message == "" {
				t.Error("Message is empty")
			}
		})
	}
}

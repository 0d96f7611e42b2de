package epcis

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	// timeZoneOffsetPattern is the ±hh:mm form of eventTimeZoneOffset
	// that EPCIS 2.0 prescribes.
	timeZoneOffsetPattern = regexp.MustCompile(`^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$`)
	// uomPattern is the shape of a UN/CEFACT Recommendation 20 unit code,
	// as the EPCIS 2.0 JSON schema checks it.
	uomPattern = regexp.MustCompile(`^[A-Z0-9]{2,3}$`)
	hexPattern = regexp.MustCompile(`^[A-Fa-f0-9]+$`)
)

// Validate applies the semantic rules of EPCIS 2.0 and CBV 2.0 to one
// event and returns every violation found, or nil. index is the event's
// position in its document and is copied to FieldError.EventIndex.
//
// Pointers are JSON pointers relative to the event object, built from the
// EPCIS field names ("/bizStep", "/quantityList/0/uom",
// "/sensorElementList/0/sensorReport/1/type"). Decoders prefix them with
// the event's own location. Values are shown in canonical form.
//
// The rules: the type is one of the five event types; eventTime and
// eventTimeZoneOffset are present and the offset is ±hh:mm within
// ±14:00; action is present and valid for every type but
// TransformationEvent, which must not have one; fields that do not belong
// to the type are absent; the required content of each type is present
// (objects for ObjectEvent, parentID for AggregationEvent with ADD or
// DELETE and for AssociationEvent, bizTransactionList for
// TransactionEvent, inputs and outputs or a transformationID for
// TransformationEvent); CBV values are standard values or URIs outside
// the CBV namespaces; identifiers are absolute URIs; units of measure are
// UN/CEFACT Recommendation 20 codes; errorDeclaration has a
// declarationTime; every sensorReport has a type. Checks of identifier
// syntax beyond URI form (GS1 keys, check digits) are not done here.
func Validate(e *Event, index int) []FieldError {
	v := &validator{index: index}
	v.event(e)
	return v.errs
}

type validator struct {
	index int
	errs  []FieldError
}

func (v *validator) add(ptr, value, rule, msg string) {
	v.errs = append(v.errs, FieldError{EventIndex: v.index, Pointer: ptr, Value: TruncateValue(value), Rule: rule, Message: msg})
}

// fieldsOf lists, per event type, the type-specific fields it may carry,
// following the EPCIS 2.0 XML schema (EPCglobal-epcis-2_0.xsd), which
// allows persistentDisposition in every type.
//
// NOTE: the EPCIS 2.0 JSON schema lists persistentDisposition only for
// ObjectEvent and TransformationEvent, so JSON written for other types with
// it fails that schema while it matches the XML schema.
var fieldsOf = map[EventType]map[string]bool{
	ObjectEvent: set("action", "epcList", "quantityList", "bizStep", "disposition", "persistentDisposition",
		"readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList", "ilmd"),
	AggregationEvent: set("action", "parentID", "childEPCs", "childQuantityList", "bizStep", "disposition",
		"persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList"),
	TransactionEvent: set("action", "parentID", "epcList", "quantityList", "bizStep", "disposition",
		"persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList"),
	TransformationEvent: set("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList",
		"transformationID", "bizStep", "disposition", "persistentDisposition", "readPoint", "bizLocation",
		"bizTransactionList", "sourceList", "destinationList", "sensorElementList", "ilmd"),
	AssociationEvent: set("action", "parentID", "childEPCs", "childQuantityList", "bizStep", "disposition",
		"persistentDisposition", "readPoint", "bizLocation", "bizTransactionList", "sourceList", "destinationList", "sensorElementList"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// presentFields returns the type-specific fields that e sets, by EPCIS
// name.
func presentFields(e *Event) []string {
	var out []string
	check := func(name string, present bool) {
		if present {
			out = append(out, name)
		}
	}
	check("action", e.Action != "")
	check("parentID", e.ParentID != "")
	check("epcList", e.EPCList != nil)
	check("childEPCs", e.ChildEPCs != nil)
	check("inputEPCList", e.InputEPCList != nil)
	check("outputEPCList", e.OutputEPCList != nil)
	check("quantityList", e.QuantityList != nil)
	check("childQuantityList", e.ChildQuantityList != nil)
	check("inputQuantityList", e.InputQuantityList != nil)
	check("outputQuantityList", e.OutputQuantityList != nil)
	check("transformationID", e.TransformationID != "")
	check("bizStep", e.BizStep != "")
	check("disposition", e.Disposition != "")
	check("persistentDisposition", e.PersistentDisposition != nil)
	check("readPoint", e.ReadPoint != nil)
	check("bizLocation", e.BizLocation != nil)
	check("bizTransactionList", e.BizTransactionList != nil)
	check("sourceList", e.SourceList != nil)
	check("destinationList", e.DestinationList != nil)
	check("sensorElementList", e.SensorElementList != nil)
	check("ilmd", e.ILMD != nil)
	return out
}

func (v *validator) event(e *Event) {
	if !e.Type.Valid() {
		v.add("/type", string(e.Type), "EPCIS event type",
			"missing or unknown event type; use ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent (缺少或未知的事件类型)")
	} else {
		allowed := fieldsOf[e.Type]
		for _, name := range presentFields(e) {
			if name == "action" && e.Type == TransformationEvent {
				continue // reported below with its own rule
			}
			if !allowed[name] {
				v.add("/"+name, "", "fields of "+string(e.Type),
					name+" is not a field of "+string(e.Type)+"; remove it (该字段不属于此事件类型)")
			}
		}
	}
	v.times(e)
	v.uri("/eventID", e.EventID)
	for i, c := range e.CertificationInfo {
		v.requiredURI("/certificationInfo/"+itoa(i), c, "certificationInfo")
	}
	if e.ErrorDeclaration != nil {
		v.errorDeclaration(e.ErrorDeclaration)
	}
	v.action(e)
	v.content(e)
	v.uri("/parentID", e.ParentID)
	v.uri("/transformationID", e.TransformationID)
	v.epcs("/epcList", e.EPCList)
	v.epcs("/childEPCs", e.ChildEPCs)
	v.epcs("/inputEPCList", e.InputEPCList)
	v.epcs("/outputEPCList", e.OutputEPCList)
	v.quantities("/quantityList", e.QuantityList)
	v.quantities("/childQuantityList", e.ChildQuantityList)
	v.quantities("/inputQuantityList", e.InputQuantityList)
	v.quantities("/outputQuantityList", e.OutputQuantityList)
	v.vocab("/bizStep", VocabBizStep, e.BizStep)
	v.vocab("/disposition", VocabDisposition, e.Disposition)
	if pd := e.PersistentDisposition; pd != nil {
		v.persistentDisposition(pd)
	}
	v.location("/readPoint", e.ReadPoint)
	v.location("/bizLocation", e.BizLocation)
	for i, bt := range e.BizTransactionList {
		p := "/bizTransactionList/" + itoa(i)
		v.vocab(p+"/type", VocabBizTransactionType, bt.Type)
		v.requiredURI(p+"/bizTransaction", bt.Value, "bizTransaction")
	}
	v.sourceDests("/sourceList", "source", e.SourceList)
	v.sourceDests("/destinationList", "destination", e.DestinationList)
	for i := range e.SensorElementList {
		v.sensorElement("/sensorElementList/"+itoa(i), &e.SensorElementList[i])
	}
}

func (v *validator) times(e *Event) {
	if e.EventTime.IsZero() {
		v.add("/eventTime", "", "eventTime required",
			"missing eventTime; give the time the event took place, like 2026-01-02T15:04:05.000+08:00 (缺少事件时间 eventTime)")
	}
	switch off := e.EventTimeZoneOffset; {
	case off == "":
		v.add("/eventTimeZoneOffset", "", "eventTimeZoneOffset required",
			"missing eventTimeZoneOffset; give the local offset where the event took place, like +08:00 (缺少时区偏移 eventTimeZoneOffset)")
	case !timeZoneOffsetPattern.MatchString(off):
		v.add("/eventTimeZoneOffset", off, "eventTimeZoneOffset format ±hh:mm",
			"invalid eventTimeZoneOffset; write sign, two-digit hours and minutes, like +08:00 or -05:30 (\"Z\" and \"+5:30\" are not accepted) (时区偏移格式须为 ±hh:mm)")
	default:
		if h, _ := strconv.Atoi(off[1:3]); h*60+atoi2(off[4:6]) > 14*60 {
			v.add("/eventTimeZoneOffset", off, "eventTimeZoneOffset range -14:00 to +14:00",
				"eventTimeZoneOffset is outside -14:00 to +14:00 (时区偏移超出 ±14:00 范围)")
		}
	}
}

func atoi2(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func (v *validator) action(e *Event) {
	if e.Type == TransformationEvent {
		if e.Action != "" {
			v.add("/action", string(e.Action), "no action in TransformationEvent",
				"TransformationEvent has no action; remove it (转换事件不得包含 action)")
		}
		return
	}
	if !e.Type.Valid() {
		return
	}
	switch e.Action {
	case ActionAdd, ActionObserve, ActionDelete:
	case "":
		v.add("/action", "", "action required",
			"missing action; "+string(e.Type)+" needs ADD, OBSERVE or DELETE (缺少 action，须为 ADD、OBSERVE 或 DELETE)")
	default:
		v.add("/action", string(e.Action), "action ADD, OBSERVE or DELETE",
			"invalid action; use ADD, OBSERVE or DELETE in capitals (action 须为 ADD、OBSERVE 或 DELETE)")
	}
}

// content checks what each event type must carry, as the EPCIS 2.0 JSON
// schema states it.
func (v *validator) content(e *Event) {
	switch e.Type {
	case ObjectEvent:
		hasSensors := len(e.SensorElementList) > 0 && e.ReadPoint != nil
		if e.EPCList == nil && len(e.QuantityList) == 0 && !hasSensors {
			v.add("/epcList", "", "ObjectEvent objects",
				"ObjectEvent needs epcList, quantityList, or sensorElementList with readPoint (对象事件须含 epcList、quantityList 或带 readPoint 的传感器数据)")
		}
		if e.ILMD != nil && e.Action != ActionAdd && e.Action != "" {
			v.add("/ilmd", string(e.Action), "ilmd only with action ADD",
				"ilmd is allowed only when action is ADD (仅当 action 为 ADD 时可含 ilmd)")
		}
	case AggregationEvent:
		if e.ParentID == "" && (e.Action == ActionAdd || e.Action == ActionDelete) {
			v.add("/parentID", "", "parentID required for ADD and DELETE",
				"AggregationEvent with action "+string(e.Action)+" needs parentID (聚合事件 ADD/DELETE 须含 parentID)")
		}
		if len(e.ChildEPCs) == 0 && len(e.ChildQuantityList) == 0 && e.Action != ActionDelete {
			v.add("/childEPCs", "", "AggregationEvent children",
				"AggregationEvent needs childEPCs or childQuantityList unless action is DELETE (聚合事件须含子项)")
		}
	case AssociationEvent:
		if e.ParentID == "" {
			v.add("/parentID", "", "parentID required",
				"AssociationEvent needs parentID (关联事件须含 parentID)")
		}
		if len(e.ChildEPCs) == 0 && len(e.ChildQuantityList) == 0 && e.Action != ActionDelete {
			v.add("/childEPCs", "", "AssociationEvent children",
				"AssociationEvent needs childEPCs or childQuantityList unless action is DELETE (关联事件须含子项)")
		}
	case TransactionEvent:
		if len(e.BizTransactionList) == 0 {
			v.add("/bizTransactionList", "", "bizTransactionList required",
				"TransactionEvent needs at least one bizTransaction (交易事件须含 bizTransactionList)")
		}
		if e.EPCList == nil && len(e.QuantityList) == 0 && e.Action != ActionDelete {
			v.add("/epcList", "", "TransactionEvent objects",
				"TransactionEvent needs epcList or quantityList unless action is DELETE (交易事件须含 epcList 或 quantityList)")
		}
	case TransformationEvent:
		hasIn := len(e.InputEPCList) > 0 || len(e.InputQuantityList) > 0
		hasOut := len(e.OutputEPCList) > 0 || len(e.OutputQuantityList) > 0
		if !(hasIn && hasOut) && !((hasIn || hasOut) && e.TransformationID != "") {
			v.add("/inputEPCList", "", "TransformationEvent inputs and outputs",
				"TransformationEvent needs inputs and outputs, or at least one of them together with transformationID (转换事件须含输入与输出，或其一加 transformationID)")
		}
	}
}

// isURI reports whether s is an absolute URI: a scheme (RFC 3986 section
// 3.1), a colon and a non-empty rest without spaces or control characters.
func isURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || rest == "" || !validScheme(scheme) {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// uri checks an optional identifier.
func (v *validator) uri(ptr, s string) {
	if s != "" && !isURI(s) {
		v.add(ptr, s, "absolute URI",
			"not an absolute URI; use an EPC URN (urn:epc:id:…), a GS1 Digital Link (https://id.gs1.org/…) or another URI with a scheme (须为带协议的绝对 URI)")
	}
}

func (v *validator) requiredURI(ptr, s, name string) {
	if s == "" {
		v.add(ptr, "", name+" required", "missing "+name+"; give an absolute URI (缺少 "+name+")")
		return
	}
	v.uri(ptr, s)
}

func (v *validator) epcs(ptr string, list []string) {
	seen := make(map[string]bool, len(list))
	for i, s := range list {
		p := ptr + "/" + itoa(i)
		v.requiredURI(p, s, "EPC")
		if seen[s] {
			v.add(p, s, "unique EPCs", "EPC listed twice in the same list; list each object once (同一列表中 EPC 重复)")
		}
		seen[s] = true
	}
}

func (v *validator) quantities(ptr string, list []QuantityElement) {
	for i, q := range list {
		p := ptr + "/" + itoa(i)
		v.requiredURI(p+"/epcClass", q.EPCClass, "epcClass")
		if q.UOM != "" {
			if !q.HasQuantity {
				v.add(p+"/uom", q.UOM, "uom only with quantity",
					"uom given without quantity; add the quantity or remove uom (有 uom 时须有 quantity)")
			}
			v.uom(p+"/uom", q.UOM)
		}
	}
}

func (v *validator) uom(ptr, s string) {
	if !uomPattern.MatchString(s) {
		v.add(ptr, s, "UN/CEFACT Rec 20 unit code",
			"invalid unit of measure; use a UN/CEFACT Recommendation 20 code of 2 or 3 capitals or digits, like KGM or LTR (计量单位须为 UN/CEFACT 第20号建议代码)")
	}
}

// vocab checks a CBV value held in canonical form. Standard values pass;
// values in a CBV namespace that are not standard, and bare words, fail;
// URIs of other vocabularies pass. Terms in the GS1 web vocabulary
// namespace pass as measurement types, because that vocabulary grows
// faster than CBV releases.
func (v *validator) vocab(ptr string, vocab Vocab, value string) {
	switch {
	case value == "":
	case IsStandard(vocab, value):
	case InNamespace(vocab, value):
		if vocab == VocabSensorMeasurementType && strings.HasPrefix(value, gs1WebBase) {
			return
		}
		v.add(ptr, value, "CBV "+vocab.String()+" vocabulary",
			"unknown CBV "+vocab.String()+" value; the CBV namespace holds only the standard values, so use one of them or a URI of your own vocabulary (不是标准 CBV 值)")
	case !strings.Contains(value, ":"):
		v.add(ptr, value, "CBV "+vocab.String()+" vocabulary",
			"unknown CBV "+vocab.String()+" value "+strconv.Quote(value)+"; check the spelling against CBV 2.0, or use a full URI for a private vocabulary (未知的 CBV 值，请检查拼写或使用完整 URI)")
	case !isURI(value):
		v.add(ptr, value, "absolute URI",
			"not a CBV value nor an absolute URI (既非 CBV 值也非绝对 URI)")
	}
}

func (v *validator) persistentDisposition(pd *PersistentDisposition) {
	if len(pd.Set) == 0 && len(pd.Unset) == 0 {
		v.add("/persistentDisposition", "", "persistentDisposition set or unset",
			"persistentDisposition needs a non-empty set or unset list (persistentDisposition 须含 set 或 unset)")
	}
	for name, list := range map[string][]string{"set": pd.Set, "unset": pd.Unset} {
		seen := map[string]bool{}
		for i, d := range list {
			p := "/persistentDisposition/" + name + "/" + itoa(i)
			v.vocab(p, VocabDisposition, d)
			if seen[d] {
				v.add(p, d, "unique dispositions", "disposition listed twice; list it once (处置状态重复)")
			}
			seen[d] = true
		}
	}
}

func (v *validator) location(ptr string, loc *Location) {
	if loc == nil {
		return
	}
	v.requiredURI(ptr+"/id", loc.ID, ptr[1:]+" id")
}

func (v *validator) sourceDests(ptr, name string, list []SourceDest) {
	for i, sd := range list {
		p := ptr + "/" + itoa(i)
		if sd.Type == "" {
			v.add(p+"/type", "", name+" type required",
				"missing "+name+" type; use owning_party, possessing_party or location (缺少类型)")
		}
		v.vocab(p+"/type", VocabSourceDestType, sd.Type)
		v.requiredURI(p+"/"+name, sd.Value, name)
	}
}

func (v *validator) errorDeclaration(ed *ErrorDeclaration) {
	if ed.DeclarationTime.IsZero() {
		v.add("/errorDeclaration/declarationTime", "", "declarationTime required",
			"errorDeclaration needs declarationTime (错误声明须含 declarationTime)")
	}
	v.vocab("/errorDeclaration/reason", VocabErrorReason, ed.Reason)
	for i, id := range ed.CorrectiveEventIDs {
		v.requiredURI("/errorDeclaration/correctiveEventIDs/"+itoa(i), id, "correctiveEventID")
	}
}

func (v *validator) sensorElement(ptr string, se *SensorElement) {
	if md := se.Metadata; md != nil {
		p := ptr + "/sensorMetadata"
		v.interval(p, md.StartTime, md.EndTime)
		v.uri(p+"/deviceID", md.DeviceID)
		v.uri(p+"/deviceMetadata", md.DeviceMetadata)
		v.uri(p+"/rawData", md.RawData)
		v.uri(p+"/dataProcessingMethod", md.DataProcessingMethod)
		v.uri(p+"/bizRules", md.BizRules)
	}
	if len(se.Reports) == 0 {
		v.add(ptr+"/sensorReport", "", "sensorReport required",
			"sensorElement needs at least one sensorReport (传感器元素须含 sensorReport)")
	}
	for i := range se.Reports {
		v.sensorReport(ptr+"/sensorReport/"+itoa(i), &se.Reports[i])
	}
}

func (v *validator) interval(ptr string, start, end time.Time) {
	if !start.IsZero() && !end.IsZero() && start.After(end) {
		v.add(ptr+"/endTime", end.Format(time.RFC3339Nano), "startTime not after endTime",
			"endTime is before startTime (结束时间早于开始时间)")
	}
}

func (v *validator) sensorReport(ptr string, sr *SensorReport) {
	// The XML schema makes type optional and the JSON schema requires it.
	// A report carrying only an exception (an alarm) is accepted, as the
	// EPCIS 2.0 XML examples use it.
	if sr.Type == "" && sr.Exception == "" {
		v.add(ptr+"/type", "", "sensorReport type required",
			"sensorReport needs a type, like Temperature, or an exception (传感器报告须含 type 或 exception)")
	}
	v.vocab(ptr+"/type", VocabSensorMeasurementType, sr.Type)
	v.vocab(ptr+"/exception", VocabSensorAlertType, sr.Exception)
	v.vocab(ptr+"/component", VocabComponent, sr.Component)
	for _, f := range []struct{ name, value string }{
		{"deviceID", sr.DeviceID}, {"deviceMetadata", sr.DeviceMetadata}, {"rawData", sr.RawData},
		{"dataProcessingMethod", sr.DataProcessingMethod}, {"bizRules", sr.BizRules},
		{"microorganism", sr.Microorganism}, {"chemicalSubstance", sr.ChemicalSubstance},
		{"coordinateReferenceSystem", sr.CoordinateReferenceSystem}, {"uriValue", sr.URIValue},
	} {
		v.uri(ptr+"/"+f.name, f.value)
	}
	if sr.HexBinaryValue != "" && !hexPattern.MatchString(sr.HexBinaryValue) {
		v.add(ptr+"/hexBinaryValue", sr.HexBinaryValue, "hexBinary",
			"hexBinaryValue must contain only hexadecimal digits (须为十六进制数字)")
	}
	if sr.UOM != "" {
		v.uom(ptr+"/uom", sr.UOM)
	}
}

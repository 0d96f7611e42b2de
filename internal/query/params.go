// Package query turns EPCIS 2.0 query parameters (the SimpleEventQuery of
// EPCIS 2.0 section 8.2.7.1, as the REST binding and the CLI pass them) into
// store queries, and owns the opaque paging tokens that continue a query.
//
// Identifier values are canonicalised with package ident, so a query by EPC
// URN finds events captured with Digital Links and the other way round. CBV
// values are accepted as bare words ("shipping") or URIs.
package query

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// ErrInvalidParameter is wrapped by every *ParamError.
var ErrInvalidParameter = errors.New("invalid query parameter")

// ParamError reports a query parameter that is unknown, malformed or in
// conflict with another. The REST binding answers it with a
// QueryParameterException (HTTP 400).
type ParamError struct {
	Param string
	Value string
	// Reason says what is wrong and what to do.
	Reason string
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("query parameter %s: %s", e.Param, e.Reason)
	}
	return fmt.Sprintf("query parameter %s=%q: %s", e.Param, e.Value, e.Reason)
}

func (e *ParamError) Unwrap() error { return ErrInvalidParameter }

// matchRoles gives the identifier roles that each MATCH_ parameter searches,
// as EPCIS 2.0 section 8.2.7.1 defines them.
var matchRoles = map[string][]store.Role{
	"MATCH_epc":            {store.RoleEPC, store.RoleChild},
	"MATCH_parentID":       {store.RoleParent},
	"MATCH_inputEPC":       {store.RoleInput},
	"MATCH_outputEPC":      {store.RoleOutput},
	"MATCH_anyEPC":         {store.RoleEPC, store.RoleChild, store.RoleParent, store.RoleInput, store.RoleOutput},
	"MATCH_epcClass":       {store.RoleClass, store.RoleChildClass},
	"MATCH_inputEPCClass":  {store.RoleInputClass},
	"MATCH_outputEPCClass": {store.RoleOutputClass},
	"MATCH_anyEPCClass":    {store.RoleClass, store.RoleChildClass, store.RoleInputClass, store.RoleOutputClass},
}

// Parameters that only steer paging; they are not part of a query's
// identity, so a nextPageToken stays valid when they change.
const (
	paramPerPage       = "perPage"
	paramNextPageToken = "nextPageToken"
)

// MaxPerPage caps perPage so that one response stays a reasonable size.
const MaxPerPage = 1000

// Parse converts query parameters into a store query. A parameter may be
// given once; list values are separated by "|" (the REST binding's
// pipeDelimited style). Unknown parameters, malformed values and the
// combinations EPCIS forbids are reported as *ParamError.
func Parse(params url.Values) (store.Query, error) {
	var q store.Query
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names) // report errors in a stable order
	for _, name := range names {
		values := params[name]
		if len(values) != 1 {
			return q, &ParamError{Param: name, Reason: "given more than once; give it once and separate alternatives with |"}
		}
		if err := applyParam(&q, name, values[0]); err != nil {
			return q, err
		}
	}
	if q.EventCountLimit > 0 && params.Has("maxEventCount") {
		return q, &ParamError{Param: "eventCountLimit", Reason: "eventCountLimit and maxEventCount are mutually exclusive; give one of them"}
	}
	if params.Has("orderDirection") && !params.Has("orderBy") {
		return q, &ParamError{Param: "orderDirection", Reason: "orderDirection needs orderBy"}
	}
	if tok := params.Get(paramNextPageToken); tok != "" {
		c, err := DecodeToken(tok, Fingerprint(params))
		if err != nil {
			return q, err
		}
		q.After = &c
	}
	return q, nil
}

func applyParam(q *store.Query, name, raw string) error {
	if roles, ok := matchRoles[name]; ok {
		values, err := identifierList(name, raw)
		if err == nil && strings.HasSuffix(name, "Class") {
			values = classPatterns(values)
		}
		if err != nil {
			return err
		}
		q.Matches = append(q.Matches, store.IDMatch{Roles: roles, Values: values})
		return nil
	}
	switch {
	case strings.HasPrefix(name, "EQ_bizTransaction_"):
		return typedValues(&q.BizTransactions, name, raw, epcis.VocabBizTransactionType, false)
	case strings.HasPrefix(name, "EQ_source_"):
		return typedValues(&q.Sources, name, raw, epcis.VocabSourceDestType, true)
	case strings.HasPrefix(name, "EQ_destination_"):
		return typedValues(&q.Destinations, name, raw, epcis.VocabSourceDestType, true)
	}

	var err error
	switch name {
	case paramNextPageToken:
		// Decoded by Parse once all parameters are known.
	case "eventType":
		for _, v := range splitList(raw) {
			if !epcis.EventType(v).Valid() {
				return &ParamError{Param: name, Value: v, Reason: "unknown event type; use ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent"}
			}
			q.EventTypes = append(q.EventTypes, v)
		}
	case "GE_eventTime":
		q.GEEventTime, err = parseTime(name, raw)
	case "LT_eventTime":
		q.LTEventTime, err = parseTime(name, raw)
	case "GE_recordTime":
		q.GERecordTime, err = parseTime(name, raw)
	case "LT_recordTime":
		q.LTRecordTime, err = parseTime(name, raw)
	case "GE_errorDeclarationTime":
		q.GEErrorDeclarationTime, err = parseTime(name, raw)
	case "LT_errorDeclarationTime":
		q.LTErrorDeclarationTime, err = parseTime(name, raw)
	case "EQ_action":
		for _, v := range splitList(raw) {
			switch epcis.Action(v) {
			case epcis.ActionAdd, epcis.ActionObserve, epcis.ActionDelete:
				q.Actions = append(q.Actions, v)
			default:
				return &ParamError{Param: name, Value: v, Reason: "action must be ADD, OBSERVE or DELETE"}
			}
		}
	case "EQ_bizStep":
		q.BizSteps = vocabList(epcis.VocabBizStep, raw)
	case "EQ_disposition":
		q.Dispositions = vocabList(epcis.VocabDisposition, raw)
	case "EQ_persistentDisposition_set":
		q.PersistentDispositionSet = vocabList(epcis.VocabDisposition, raw)
	case "EQ_persistentDisposition_unset":
		q.PersistentDispositionUnset = vocabList(epcis.VocabDisposition, raw)
	case "EQ_errorReason":
		q.ErrorReasons = vocabList(epcis.VocabErrorReason, raw)
	case "EQ_readPoint":
		q.ReadPoints, err = identifierList(name, raw)
	case "WD_readPoint":
		q.ReadPointsWD, err = identifierList(name, raw)
	case "EQ_bizLocation":
		q.BizLocations, err = identifierList(name, raw)
	case "WD_bizLocation":
		q.BizLocationsWD, err = identifierList(name, raw)
	case "EQ_transformationID":
		q.TransformationIDs, err = transformationIDs(name, raw)
	case "EQ_eventID":
		q.EventIDs = splitList(raw)
	case "EQ_correctiveEventID":
		q.CorrectiveEventIDs = splitList(raw)
		if len(q.CorrectiveEventIDs) == 0 {
			err = &ParamError{Param: name, Value: raw, Reason: "needs at least one eventID"}
		}
	case "EXISTS_errorDeclaration":
		if raw != "" && raw != "true" {
			return &ParamError{Param: name, Value: raw, Reason: "takes no value (or true)"}
		}
		q.ExistsErrorDeclaration = true
	case "EQ_quantity", "GT_quantity", "GE_quantity", "LT_quantity", "LE_quantity":
		f, perr := strconv.ParseFloat(raw, 64)
		if perr != nil {
			return &ParamError{Param: name, Value: raw, Reason: "must be a decimal number"}
		}
		q.Quantity = append(q.Quantity, store.QuantityBound{Op: name[:2], Value: f})
	case "orderBy":
		if raw != "eventTime" && raw != "recordTime" {
			return &ParamError{Param: name, Value: raw, Reason: "orderBy must be eventTime or recordTime; ordering by extension fields is not supported"}
		}
		q.OrderBy = raw
	case "orderDirection":
		switch raw {
		case "ASC":
		case "DESC":
			q.Descending = true
		default:
			return &ParamError{Param: name, Value: raw, Reason: "must be ASC or DESC"}
		}
	case "eventCountLimit", "maxEventCount":
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 1 {
			return &ParamError{Param: name, Value: raw, Reason: "must be a positive integer"}
		}
		if name == "eventCountLimit" {
			q.EventCountLimit = n
		} else {
			q.MaxEventCount = n
		}
	case paramPerPage:
		n, perr := strconv.Atoi(raw)
		if perr != nil || n < 1 {
			return &ParamError{Param: name, Value: raw, Reason: "must be a positive integer"}
		}
		if n > MaxPerPage {
			return &ParamError{Param: name, Value: raw, Reason: fmt.Sprintf("must be at most %d", MaxPerPage)}
		}
		q.PerPage = n
	default:
		return unknownParam(name, raw)
	}
	return err
}

// knownParams lists the parameter names that applyParam takes, by their
// lower-case form, to suggest the right spelling of a mistyped one.
var knownParams = func() map[string]string {
	names := []string{"eventType", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime",
		"GE_errorDeclarationTime", "LT_errorDeclarationTime", "EQ_action", "EQ_bizStep", "EQ_disposition",
		"EQ_persistentDisposition_set", "EQ_persistentDisposition_unset", "EQ_errorReason", "EQ_readPoint",
		"WD_readPoint", "EQ_bizLocation", "WD_bizLocation", "EQ_transformationID", "EQ_eventID",
		"EQ_correctiveEventID", "EXISTS_errorDeclaration", "EQ_quantity", "GT_quantity", "GE_quantity",
		"LT_quantity", "LE_quantity", "orderBy", "orderDirection", "eventCountLimit", "maxEventCount",
		paramPerPage, paramNextPageToken}
	for name := range matchRoles {
		names = append(names, name)
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = n
	}
	return m
}()

func unknownParam(name, raw string) error {
	if right, ok := knownParams[strings.ToLower(name)]; ok {
		return &ParamError{Param: name, Value: raw, Reason: "unknown query parameter; parameter names are case-sensitive: did you mean " + right + "?"}
	}
	for _, prefix := range []string{"EQ_", "GT_", "GE_", "LT_", "LE_", "EXISTS_", "HASATTR_", "EQATTR_", "EQ_INNER_", "EQ_ilmd_", "EQ_value"} {
		if strings.HasPrefix(name, prefix) {
			return &ParamError{Param: name, Value: raw, Reason: "queries on extension, ilmd, master-data and sensor fields are not supported by this repository"}
		}
	}
	return &ParamError{Param: name, Value: raw, Reason: "unknown query parameter; see the EPCIS 2.0 SimpleEventQuery parameters"}
}

// splitList splits a pipeDelimited value and drops empty entries.
func splitList(raw string) []string {
	parts := strings.Split(raw, "|")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func vocabList(v epcis.Vocab, raw string) []string {
	values := splitList(raw)
	for i, s := range values {
		values[i] = epcis.ExpandCBV(v, s)
	}
	return values
}

// identifierList canonicalises each identifier of a list. A value that is
// an EPC pattern or ends in "*" becomes a prefix match.
func identifierList(name, raw string) ([]string, error) {
	values := splitList(raw)
	if len(values) == 0 {
		return nil, &ParamError{Param: name, Value: raw, Reason: "needs at least one identifier"}
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		prefix, isPattern, err := ident.CanonicalPattern(v)
		if err != nil {
			return nil, &ParamError{Param: name, Value: v, Reason: err.Error()}
		}
		if isPattern {
			out = append(out, prefix+"*")
			continue
		}
		c, err := ident.Canonical(v)
		if err != nil {
			return nil, &ParamError{Param: name, Value: v, Reason: err.Error()}
		}
		out = append(out, c)
	}
	return out, nil
}

// transformationIDs returns the values that EQ_transformationID accepts:
// each value as given and, when package ident reads it, its canonical
// form. Capture stores a transformationID in canonical form when ident
// reads it, so a GDTI given as EPC URN finds events captured with its
// Digital Link. Stores migrated from schema version 8 hold the values
// captured before as given, which the value itself matches.
// Values are exact: a trailing "*" is no pattern.
func transformationIDs(name, raw string) ([]string, error) {
	values := splitList(raw)
	if len(values) == 0 {
		return nil, &ParamError{Param: name, Value: raw, Reason: "needs at least one transformationID"}
	}
	out := make([]string, 0, 2*len(values))
	for _, v := range values {
		out = append(out, v)
		if c, err := ident.Canonical(v); err == nil && c != v {
			out = append(out, c)
		}
	}
	return out, nil
}

// classPatterns widens instance patterns for MATCH_*EPCClass: an EPC
// pattern such as urn:epc:idpat:sgtin:CP.ITEM.* names a product, so it
// matches the GTIN class itself and every lot of it (EPCIS 2.0 section
// 8.2.7.1.1), not the serials under it.
func classPatterns(values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		base, isSerialPattern := strings.CutSuffix(v, "/21/*")
		if !isSerialPattern {
			out = append(out, v)
			continue
		}
		out = append(out, base, base+"/10/*")
	}
	return out
}

// typedValues handles EQ_bizTransaction_{type}, EQ_source_{type} and
// EQ_destination_{type}, whose type is a bare CBV word or a URI.
func typedValues(dst *map[string][]string, name, raw string, v epcis.Vocab, canonicalValues bool) error {
	var typ string
	switch {
	case strings.HasPrefix(name, "EQ_bizTransaction_"):
		typ = strings.TrimPrefix(name, "EQ_bizTransaction_")
	case strings.HasPrefix(name, "EQ_source_"):
		typ = strings.TrimPrefix(name, "EQ_source_")
	case strings.HasPrefix(name, "EQ_destination_"):
		typ = strings.TrimPrefix(name, "EQ_destination_")
	}
	if typ == "" {
		return &ParamError{Param: name, Value: raw, Reason: "the parameter name must end in a type, such as EQ_bizTransaction_po"}
	}
	values := splitList(raw)
	if canonicalValues {
		for i, s := range values {
			c, err := ident.Canonical(s)
			if err != nil {
				return &ParamError{Param: name, Value: s, Reason: err.Error()}
			}
			values[i] = c
		}
	}
	if *dst == nil {
		*dst = map[string][]string{}
	}
	key := epcis.ExpandCBV(v, typ)
	(*dst)[key] = append((*dst)[key], values...)
	return nil
}

func parseTime(name, raw string) (*time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return nil, &ParamError{Param: name, Value: raw, Reason: "must be an RFC 3339 date-time with an offset, such as 2026-01-31T08:00:00+08:00 (write + as %2B in a URL)"}
	}
	return &t, nil
}

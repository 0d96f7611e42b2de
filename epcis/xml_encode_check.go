package epcis

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
	"unicode/utf8"
)

var timeType = reflect.TypeOf(time.Time{})

// checkEncodable reports what the EPCIS 2.0 XSD requires and e lacks, and
// values that XML cannot carry, so that Encode never writes a document
// that the XML decoder rejects or reads back differently.
func checkEncodable(e *Event) error {
	if !e.Type.Valid() {
		return fmt.Errorf("unknown event type %q", e.Type)
	}
	if e.EventTime.IsZero() {
		return errors.New("eventTime is missing")
	}
	if _, err := parseTimeZoneOffset(e.EventTimeZoneOffset); err != nil {
		return fmt.Errorf("eventTimeZoneOffset %q: %w", e.EventTimeZoneOffset, err)
	}
	if e.Type != TransformationEvent && e.Action == "" {
		return errors.New("action is missing")
	}

	if e.Type == TransactionEvent && len(e.BizTransactionList) == 0 {
		return errors.New("a TransactionEvent needs at least one bizTransaction")
	}
	if e.Type == AssociationEvent && e.ParentID == "" {
		return errors.New("an AssociationEvent needs a parentID")
	}
	if e.ErrorDeclaration != nil && e.ErrorDeclaration.DeclarationTime.IsZero() {
		return errors.New("errorDeclaration has no declarationTime")
	}

	for _, loc := range []*Location{e.ReadPoint, e.BizLocation} {
		if loc != nil && loc.ID == "" {
			return errors.New("readPoint or bizLocation has no id")
		}
	}

	for _, list := range [][]QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range list {
			if q.UOM != "" && !q.HasQuantity {
				return fmt.Errorf("quantityElement %s has a uom but no quantity", q.EPCClass)
			}
			if math.IsNaN(q.Quantity) || math.IsInf(q.Quantity, 0) {
				return fmt.Errorf("quantityElement %s has the quantity %v, which is not a decimal", q.EPCClass, q.Quantity)
			}
		}
	}

	for _, list := range [][]SourceDest{e.SourceList, e.DestinationList} {
		for _, sd := range list {
			if sd.Type == "" {
				return fmt.Errorf("source or destination %q has no type", sd.Value)
			}
		}
	}

	for i, se := range e.SensorElementList {
		if len(se.Reports) == 0 {
			return fmt.Errorf("sensorElement %d has no sensorReport", i)
		}
		for _, r := range se.Reports {
			for _, v := range []*float64{r.Value, r.MinValue, r.MaxValue, r.MeanValue, r.SDev, r.PercRank, r.PercValue} {
				if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
					return fmt.Errorf("sensorElement %d has the number %v, which is not finite", i, *v)
				}
			}
		}
	}

	return checkXMLText(reflect.ValueOf(*e), "event")
}

// checkXMLText reports a string anywhere in v that is not valid UTF-8 or
// contains a character that XML 1.0 does not allow (section 2.2), such as
// U+0000 or U+001B, which XML cannot carry even escaped.
func checkXMLText(v reflect.Value, path string) error {
	where, r, bad := findBadText(v)
	if !bad {
		return nil
	}
	if r == utf8.RuneError {
		return fmt.Errorf("%s%s is not valid UTF-8", path, where)
	}
	return fmt.Errorf("%s%s contains the character %U, which XML 1.0 does not allow", path, where, r)
}

// findBadText walks v for checkXMLText. It builds the path of the bad
// string only on the way back from finding one, so that the common case
// allocates nothing.
func findBadText(v reflect.Value) (where string, r rune, bad bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) {
			return "", utf8.RuneError, true
		}
		for _, r := range s {
			if !isXMLChar(r) {
				return "", r, true
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return findBadText(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if where, r, bad := findBadText(v.Index(i)); bad {
				return fmt.Sprintf("[%d]%s", i, where), r, true
			}
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return "", 0, false
		}
		for i := 0; i < v.NumField(); i++ {
			if where, r, bad := findBadText(v.Field(i)); bad {
				return "." + v.Type().Field(i).Name + where, r, true
			}
		}
	}
	return "", 0, false
}

// isXMLChar reports whether r is a Char of XML 1.0 (section 2.2).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

package eventhash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
)

// ErrInvalidEvent is returned, wrapped with the reason, for an event that
// has no hash: a nil event, an unknown event type, a missing eventTime, or a
// quantity or sensor value that is not a finite number.
var ErrInvalidEvent = errors.New("event cannot be hashed")

// Version is the algorithm version written after "?ver=" in a hash.
const Version = "CBV2.0"

// Hasher computes pre-hash strings and hashes. The zero value implements
// the CBV 2.0 Event Hash ID with nothing ignored. A Hasher is safe for
// concurrent use as long as IgnoreFields is not modified.
type Hasher struct {
	// IgnoreFields names user extension fields at the top level of an
	// event that stay out of the pre-hash string. Documents list such
	// fields (for example a repository's own capture ID) in an
	// ignoreFields element of their header, so that adding them does not
	// change the hash. Fields of the same name nested deeper are kept.
	IgnoreFields []Name
}

// PreHash returns the canonical pre-hash string of e under the CBV 2.0
// Event Hash ID rules, with nothing ignored. See Hasher.PreHash.
func PreHash(e *epcis.Event) (string, error) {
	var h Hasher
	return h.PreHash(e)
}

// Hash returns the CBV 2.0 event hash ID of e, with nothing ignored. See
// Hasher.Hash.
func Hash(e *epcis.Event) (string, error) {
	var h Hasher
	return h.Hash(e)
}

// Hash returns the CBV 2.0 event hash ID of e: the SHA-256 digest of its
// pre-hash string as an RFC 6920 named information URI,
// "ni:///sha-256;{64 lower-case hex digits}?ver=CBV2.0".
func (h Hasher) Hash(e *epcis.Event) (string, error) {
	pre, err := h.PreHash(e)
	if err != nil {
		return "", err
	}
	return HashPreHash(pre), nil
}

// HashPreHash returns the event hash ID of a pre-hash string: its SHA-256
// digest over the UTF-8 bytes, written as Hash describes.
func HashPreHash(preHash string) string {
	sum := sha256.Sum256([]byte(preHash))
	return "ni:///sha-256;" + hex.EncodeToString(sum[:]) + "?ver=" + Version
}

// PreHash returns the canonical pre-hash string of e (CBV 2.0 Event Hash ID).
//
// The string starts with eventType, then contains the standard fields in this
// order, each present field as key=value or, for a structure, its key
// followed by its members: eventTime, eventTimeZoneOffset,
// certificationInfo, epcList, parentID, inputEPCList, childEPCs,
// quantityList, childQuantityList, inputQuantityList, outputEPCList,
// outputQuantityList, action, transformationID, bizStep, disposition,
// persistentDisposition (set, unset), readPoint, bizLocation and
// sensorElementList. The entries of each list are sorted by their byte
// values.
//
// The remaining parts follow, sorted by their byte values as whole strings:
// bizTransactionList, sourceList and destinationList (each entry written
// as its type, then its value), ilmd, and every user extension field as
// "{namespace}localName=value" with its nested fields sorted inside it.
// This places those lists after sensorElementList, as the reference
// implementation does, which differs from the order the CBV text lists.
//
// eventID, recordTime and errorDeclaration are left out, so that declaring
// an event erroneous keeps its hash, and so are rdfs:comment annotations
// and the top-level user extensions named in h.IgnoreFields.
func (h Hasher) PreHash(e *epcis.Event) (string, error) {
	if e == nil {
		return "", fmt.Errorf("%w: no event", ErrInvalidEvent)
	}
	if !e.Type.Valid() {
		return "", fmt.Errorf("%w: unknown event type %q; use one of ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent", ErrInvalidEvent, e.Type)
	}
	if e.EventTime.IsZero() {
		return "", fmt.Errorf("%w: %s is missing its eventTime", ErrInvalidEvent, e.Type)
	}
	sensors, err := sensorElementList(e.SensorElementList)
	if err != nil {
		return "", err
	}
	quantities := make([]string, 4)
	for i, q := range []struct {
		name string
		list []epcis.QuantityElement
	}{
		{"quantityList", e.QuantityList},
		{"childQuantityList", e.ChildQuantityList},
		{"inputQuantityList", e.InputQuantityList},
		{"outputQuantityList", e.OutputQuantityList},
	} {
		if quantities[i], err = quantityList(q.name, q.list); err != nil {
			return "", err
		}
	}

	var b strings.Builder
	b.WriteString(keyValue("eventType", string(e.Type)))
	b.WriteString(keyValue("eventTime", formatTime(e.EventTime)))
	b.WriteString(keyValue("eventTimeZoneOffset", canonicalValue(e.EventTimeZoneOffset)))
	b.WriteString(valueList("", "certificationInfo", e.CertificationInfo))
	b.WriteString(valueList("epcList", "epc", e.EPCList))
	b.WriteString(keyValue("parentID", canonicalValue(e.ParentID)))
	b.WriteString(valueList("inputEPCList", "epc", e.InputEPCList))
	b.WriteString(valueList("childEPCs", "epc", e.ChildEPCs))
	b.WriteString(quantities[0])
	b.WriteString(quantities[1])
	b.WriteString(quantities[2])
	b.WriteString(valueList("outputEPCList", "epc", e.OutputEPCList))
	b.WriteString(quantities[3])
	b.WriteString(keyValue("action", canonicalValue(string(e.Action))))
	b.WriteString(keyValue("transformationID", canonicalValue(e.TransformationID)))
	b.WriteString(keyValue("bizStep", vocabularyValue(epcis.VocabBizStep, e.BizStep)))
	b.WriteString(keyValue("disposition", vocabularyValue(epcis.VocabDisposition, e.Disposition)))
	b.WriteString(persistentDisposition(e.PersistentDisposition))
	b.WriteString(location("readPoint", e.ReadPoint))
	b.WriteString(location("bizLocation", e.BizLocation))
	b.WriteString(sensors)
	b.WriteString(h.unorderedParts(e))
	return b.String(), nil
}

// unorderedParts writes the parts of an event that the pre-hash string
// sorts as whole strings; see Hasher.PreHash.
func (h Hasher) unorderedParts(e *epcis.Event) string {
	parts := extensionStrings(e.Extensions, h.IgnoreFields)
	bizTransactions := make([]string, len(e.BizTransactionList))
	for i, bt := range e.BizTransactionList {
		bizTransactions[i] = typedEntry(epcis.VocabBizTransactionType, bt.Type, "bizTransaction", bt.Value)
	}
	parts = append(parts, group("bizTransactionList", bizTransactions))
	parts = append(parts, sourceDestList("sourceList", "source", e.SourceList))
	parts = append(parts, sourceDestList("destinationList", "destination", e.DestinationList))
	if e.ILMD != nil {
		// An empty ilmd element still counts, as in the reference
		// implementation, where it is written as the bare key.
		ilmd := extensionStrings(e.ILMD, nil)
		slices.Sort(ilmd)
		parts = append(parts, "ilmd"+strings.Join(ilmd, ""))
	}
	parts = append(parts, sensorLeftovers(e.SensorElementList))
	slices.Sort(parts)
	return strings.Join(parts, "")
}

// keyValue writes "key=value", or nothing for an empty value.
func keyValue(key, value string) string {
	if value == "" {
		return ""
	}
	return key + "=" + value
}

// group writes key followed by the sorted non-empty items, or nothing when
// no item is left.
func group(key string, items []string) string {
	items = slices.DeleteFunc(slices.Clone(items), func(s string) bool { return s == "" })
	if len(items) == 0 {
		return ""
	}
	slices.Sort(items)
	return key + strings.Join(items, "")
}

// valueList writes a list of identifiers as key followed by the sorted
// "itemKey=value" items. An empty key writes the items alone, as for the
// repeated certificationInfo field.
func valueList(key, itemKey string, values []string) string {
	items := make([]string, len(values))
	for i, v := range values {
		items[i] = keyValue(itemKey, canonicalValue(v))
	}
	return group(key, items)
}

// quantityList writes a quantity list. Each quantityElement contains
// epcClass, quantity and uom in that order.
func quantityList(key string, list []epcis.QuantityElement) (string, error) {
	items := make([]string, len(list))
	for i, q := range list {
		s := keyValue("epcClass", canonicalValue(q.EPCClass))
		if q.HasQuantity {
			n, err := finiteNumber(key+" quantity", q.Quantity)
			if err != nil {
				return "", err
			}
			s += keyValue("quantity", n)
		}
		s += keyValue("uom", canonicalValue(q.UOM))
		if s != "" {
			items[i] = "quantityElement" + s
		}
	}
	return group(key, items), nil
}

// finiteNumber formats a decimal field with formatNumber, rejecting NaN and
// infinities, which no EPCIS decimal can hold.
func finiteNumber(field string, f float64) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("%w: %s is %v, not a finite number", ErrInvalidEvent, field, f)
	}
	return formatNumber(f), nil
}

// persistentDisposition writes the set dispositions, then the unset ones,
// each group sorted.
func persistentDisposition(pd *epcis.PersistentDisposition) string {
	if pd == nil {
		return ""
	}
	var items []string
	for _, v := range pd.Set {
		items = append(items, keyValue("set", vocabularyValue(epcis.VocabDisposition, v)))
	}
	set := group("", items)
	items = items[:0]
	for _, v := range pd.Unset {
		items = append(items, keyValue("unset", vocabularyValue(epcis.VocabDisposition, v)))
	}
	unset := group("", items)
	if set == "" && unset == "" {
		return ""
	}
	return "persistentDisposition" + set + unset
}

// location writes a readPoint or bizLocation: its id, then its user
// extensions.
func location(key string, loc *epcis.Location) string {
	if loc == nil {
		return ""
	}
	s := keyValue("id", canonicalValue(loc.ID)) + sortedExtensions(loc.Extensions)
	if s == "" {
		return ""
	}
	return key + s
}

// typedEntry writes one bizTransaction, source or destination entry: its
// type as a GS1 web URI, then its value. An entry without a type is written
// as its value alone.
func typedEntry(vocab epcis.Vocab, typ, valueKey, value string) string {
	return keyValue("type", vocabularyValue(vocab, typ)) + keyValue(valueKey, canonicalValue(value))
}

// sourceDestList writes a sourceList or destinationList.
func sourceDestList(key, valueKey string, list []epcis.SourceDest) string {
	items := make([]string, len(list))
	for i, sd := range list {
		items[i] = typedEntry(epcis.VocabSourceDestType, sd.Type, valueKey, sd.Value)
	}
	return group(key, items)
}

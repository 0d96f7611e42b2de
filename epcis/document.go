package epcis

import (
	"fmt"
	"strings"
	"time"
)

// DocumentKind is the kind of a decoded document.
type DocumentKind string

// Document kinds accepted by the decoders.
const (
	KindEPCISDocument      DocumentKind = "EPCISDocument"
	KindEPCISQueryDocument DocumentKind = "EPCISQueryDocument"
	// KindBareEvent is a single event sent on its own, as POST /events
	// takes it.
	KindBareEvent DocumentKind = "event"
)

// Header is the document-level information of a document, read before
// and around its events.
type Header struct {
	Kind          DocumentKind
	SchemaVersion string // "2.0", or "1.2" for EPCIS 1.2 XML
	CreationDate  time.Time
	// Namespaces maps each prefix bound in the document (JSON-LD @context
	// or XML xmlns) to its namespace IRI.
	Namespaces map[string]string
	// QueryName and SubscriptionID are set for query documents.
	QueryName      string
	SubscriptionID string
}

// FieldError is one violation found while decoding or validating a
// document. It names where the problem is, the offending value and the
// rule it breaks.
type FieldError struct {
	// EventIndex is the position of the event in the document (0-based),
	// or -1 for an error outside any event.
	EventIndex int
	// Pointer is a JSON pointer (RFC 6901) into the document for JSON
	// input, or the XML element path for XML input.
	Pointer string
	// Line is the 1-based line in the input, when known.
	Line int
	// Value is the offending value, shortened to at most 200 bytes.
	Value string
	// Rule names the violated rule, such as "eventTimeZoneOffset format
	// ±hh:mm" or "CBV bizStep vocabulary".
	Rule string
	// Message is a plain sentence for people.
	Message string
}

func (e FieldError) Error() string {
	var b strings.Builder
	if e.EventIndex >= 0 {
		fmt.Fprintf(&b, "event %d: ", e.EventIndex)
	}
	if e.Pointer != "" {
		b.WriteString(e.Pointer)
		if e.Line > 0 {
			fmt.Fprintf(&b, " (line %d)", e.Line)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Message)
	if e.Value != "" {
		fmt.Fprintf(&b, " (value %q)", e.Value)
	}
	return b.String()
}

// ValidationError collects every FieldError of a document. Decoders and
// Validate return it; callers reject the whole document when they get one.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	switch len(e.Errors) {
	case 0:
		return "invalid EPCIS document"
	case 1:
		return e.Errors[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", e.Errors[0].Error(), len(e.Errors)-1)
}

// TruncateValue shortens v for FieldError.Value.
func TruncateValue(v string) string {
	const max = 200
	if len(v) <= max {
		return v
	}
	cut := max
	for cut > 0 && !utf8RuneStart(v[cut]) {
		cut--
	}
	return v[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

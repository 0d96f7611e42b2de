package epcis

import (
	"encoding/xml"
	"strings"
)

// SetLenient switches the decoder between strict reading (the default) and
// lenient reading. Call it before the first call to Header or Next; later
// calls are ignored.
//
// Strict reading enforces the EPCIS 2.0 XML schema (EPCIS 2.0 section 12.1)
// and, for EPCIS 1.2 documents, the EPCIS 1.2 XSD. Capture uses it.
//
// Lenient reading accepts documents that other EPCIS software writes and
// that the CBV 2.0 event hash algorithm (CBV 2.0 section 8.9) still hashes:
//
//   - The fields of an EPCIS 2.0 event may come in any order. The strict
//     rule "element <x> must come before <y>" is not applied.
//   - An EPCIS 2.0 event may use the EPCIS 1.2 extension wrappers. A
//     standard field such as quantityList, sourceList, destinationList or
//     ilmd inside <extension>, at any depth of nested <extension>
//     elements, is read as if it were written directly in the event. The
//     same applies to eventID and errorDeclaration inside <baseExtension>.
//   - The envelope is searched for the EventList instead of checked.
//     EPCISBody, QueryResults and resultsBody are entered in the EPCIS
//     namespaces or in none, and each may be left out. queryName and
//     subscriptionID are read wherever they occur on the way. EPCISHeader,
//     extension and elements in other namespaces (such as a repository's
//     ignoreFields list) are skipped.
//
// Lenient reading still rejects malformed XML, an unknown root element and
// unknown elements without a namespace, in the envelope or in an event. It
// also rejects missing required fields, a field given twice and every value
// that cannot be read, with the same errors as strict reading.
//
// Lenient reading records an accepted event exactly as strict reading
// records the same event written by the schema: the Event has no mark of
// the mode or of where a field was found.
func (d *XMLDecoder) SetLenient(lenient bool) {
	if d.started {
		return
	}
	d.lenient = lenient
}

// envelopeWrappers are the envelope elements that lenient reading enters
// on its way to the EventList.
var envelopeWrappers = map[string]bool{"EPCISBody": true, "QueryResults": true, "resultsBody": true}

// envelopeSkipped are the EPCIS envelope elements that lenient reading
// passes over.
var envelopeSkipped = map[string]bool{"EPCISHeader": true, "extension": true}

// enterEventListLenient reads from inside the root element down into the
// EventList, as described at SetLenient. When the root element ends
// without an EventList, the document has no events and the rest of the
// input is checked as the trailer.
func (d *XMLDecoder) enterEventListLenient() error {
	for {
		tok, line, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			local := t.Name.Local
			standard := t.Name.Space == "" || isEPCISNamespace(t.Name.Space)
			switch {
			case standard && local == "EventList":
				d.push(local)
				d.state = stateEventList
				return nil
			case standard && envelopeWrappers[local]:
				d.push(local)
			case standard && (local == "queryName" || local == "subscriptionID"):
				d.push(local)
				text, err := d.readText(line)
				if err != nil {
					return err
				}
				d.pop()
				if local == "queryName" {
					d.header.QueryName = strings.TrimSpace(text)
				} else {
					d.header.SubscriptionID = strings.TrimSpace(text)
				}
			case !standard || envelopeSkipped[local]:
				d.push(local)
				if err := d.skip(); err != nil {
					return err
				}
			default:
				return headerError(line, d.childPath(local, false), local, "EPCIS XML schema",
					"unexpected element <"+local+">: expected <EventList>")
			}
		case xml.EndElement:
			d.pop()
			if len(d.path) == 0 {
				// The root element ended without an EventList.
				d.state = stateDone
				return d.readTrailer()
			}
		case xml.CharData:
			if err := d.checkSpace(t, line); err != nil {
				return err
			}
		}
	}
}

package epcis

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readHeader reads from the start of the document to its first event, or
// to the end of the document when it holds no EventList.
func (d *XMLDecoder) readHeader() error {
	start, line, err := d.nextStart()
	if err != nil {
		if err == io.EOF {
			return headerError(0, "/", "", "XML well-formedness", "the document is empty: send an EPCISDocument or EPCISQueryDocument")
		}
		return err
	}
	name := start.Name
	d.rootName = name.Local
	d.header.Namespaces = map[string]string{}
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" {
			d.header.Namespaces[a.Name.Local] = a.Value
		}
	}

	switch {
	case (name.Space == xmlnsEPCIS2 || name.Space == xmlnsEPCIS1) && name.Local == "EPCISDocument":
		d.header.Kind = KindEPCISDocument
	case (name.Space == xmlnsQuery2 || name.Space == xmlnsQuery1) && name.Local == "EPCISQueryDocument":
		d.header.Kind = KindEPCISQueryDocument
	case (name.Space == "" || name.Space == xmlnsEPCIS2) && EventType(name.Local).Valid():
		d.header.Kind = KindBareEvent
		d.header.SchemaVersion = "2.0"
		d.version = 2
		d.bareStart, d.bareLine = &start, line
		d.state = stateBareEvent
		return nil
	case name.Space == xmlnsMasterData2 || name.Space == xmlnsMasterData1:
		return headerError(line, "/"+name.Local, "", "EPCIS capture document",
			"master data documents are not accepted here: send an EPCISDocument or EPCISQueryDocument with events")
	default:
		return headerError(line, "/"+name.Local, "{"+name.Space+"}"+name.Local, "EPCIS capture document",
			"the root element is not an EPCIS 2.0 or 1.2 EPCISDocument or EPCISQueryDocument: check the element name and its namespace (urn:epcglobal:epcis:xsd:2)")
	}
	d.version = 2
	if name.Space == xmlnsEPCIS1 || name.Space == xmlnsQuery1 {
		d.version = 1
	}
	if err := d.readRootAttributes(start, line); err != nil {
		return err
	}
	d.push(name.Local)
	if d.lenient {
		return d.enterEventListLenient()
	}

	// Walk down to EventList: EPCISHeader is skipped, EPCISBody entered.
	// NOTE: master data in EPCISHeader/extension/EPCISMasterData and the
	// standard business document header are not read.
	if err := d.enter(line, "EPCISBody", "EPCISHeader"); err != nil {
		return err
	}
	if d.header.Kind == KindEPCISQueryDocument {
		return d.enterQueryResults()
	}
	found, err := d.enterOptional("EventList")
	if err != nil {
		return err
	}
	if !found {
		d.state = stateDone
		return d.readTrailer()
	}
	d.state = stateEventList
	return nil
}

func (d *XMLDecoder) readRootAttributes(start xml.StartElement, line int) error {
	path := "/" + start.Name.Local
	var version, created string
	var hasVersion, hasCreated bool

	for _, a := range start.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "schemaVersion":
			version, hasVersion = strings.TrimSpace(a.Value), true
		case "creationDate":
			created, hasCreated = strings.TrimSpace(a.Value), true
		}
	}
	if !hasVersion {
		return headerError(line, path+"/@schemaVersion", "", "EPCIS XML schema Document", "the schemaVersion attribute is missing: add schemaVersion=\"2.0\"")
	}
	if _, err := parseDecimal(version); err != nil {
		return headerError(line, path+"/@schemaVersion", version, "EPCIS XML schema Document", "the schemaVersion attribute is not a decimal version number such as 2.0")
	}
	d.header.SchemaVersion = version

	if !hasCreated {
		return headerError(line, path+"/@creationDate", "", "EPCIS XML schema Document", "the creationDate attribute is missing: add the time the document was created, for example 2024-05-01T08:30:00+08:00")
	}
	t, err := parseXSDDateTime(created)
	if err != nil {
		return headerError(line, path+"/@creationDate", created, "EPCIS XML schema Document", describeValueError("creationDate", err))
	}
	d.header.CreationDate = t
	return nil
}

// enterQueryResults walks from inside EPCISBody of a query document down
// into resultsBody/EventList, reading queryName and subscriptionID.
func (d *XMLDecoder) enterQueryResults() error {
	start, line, err := d.nextStart()
	if err != nil {
		return d.missing(err, "QueryResults")
	}
	if start.Name.Local != "QueryResults" || (start.Name.Space != xmlnsQuery2 && start.Name.Space != xmlnsQuery1) {
		return headerError(line, d.childPath(start.Name.Local, false), start.Name.Local, "EPCIS query schema EPCISQueryBody",
			"the query document holds no QueryResults, so it has no events to capture")
	}
	d.push(start.Name.Local)
	for {
		start, line, err := d.nextStart()
		if err != nil {
			return d.missing(err, "resultsBody")
		}
		switch start.Name.Local {
		case "queryName", "subscriptionID":
			d.push(start.Name.Local)
			text, err := d.readText(line)
			if err != nil {
				return err
			}
			d.pop()
			if start.Name.Local == "queryName" {
				d.header.QueryName = strings.TrimSpace(text)
			} else {
				d.header.SubscriptionID = strings.TrimSpace(text)
			}
		case "resultsBody":
			d.push(start.Name.Local)
			inner, line, err := d.nextStart()
			if err != nil {
				return d.missing(err, "EventList")
			}
			if inner.Name.Local != "EventList" {
				return headerError(line, d.childPath(inner.Name.Local, false), inner.Name.Local, "EPCIS query schema QueryResultsBody",
					"resultsBody holds no EventList, so the query document has no events to capture")
			}
			d.push(inner.Name.Local)
			d.state = stateEventList
			return nil
		default:
			return headerError(line, d.childPath(start.Name.Local, false), start.Name.Local, "EPCIS query schema QueryResults",
				"unexpected element in QueryResults: expected queryName, subscriptionID or resultsBody")
		}
	}
}

// enter reads the children of the current element until it opens the
// element named want, skipping the elements named in skippable.
func (d *XMLDecoder) enter(line int, want string, skippable ...string) error {
	pointer := d.childPath(want, false)
	found, err := d.enterOptional(want, skippable...)
	if err != nil {
		return err
	}
	if !found {
		return headerError(line, pointer, "", "EPCIS XML schema",
			fmt.Sprintf("the required element <%s> is missing", want))
	}
	return nil
}

// enterOptional is enter for an element that may be absent: it reports
// false after reading the end of the current element.
func (d *XMLDecoder) enterOptional(want string, skippable ...string) (bool, error) {
	for {
		tok, line, err := d.token()
		if err != nil {
			return false, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == want && t.Name.Space == "" {
				d.push(want)
				return true, nil
			}
			isSkippable := t.Name.Space != "" && t.Name.Space != xmlnsEPCIS1 && t.Name.Space != xmlnsEPCIS2 // user content
			for _, s := range skippable {
				if t.Name.Local == s && t.Name.Space == "" {
					isSkippable = true
				}
			}
			if t.Name.Local == "extension" && t.Name.Space == "" {
				isSkippable = true
			}
			if t.Name.Local == want {
				return false, headerError(line, d.childPath(t.Name.Local, false), t.Name.Space, "EPCIS XML schema",
					fmt.Sprintf("element <%s> must not be in the EPCIS namespace: write it without a prefix and without a default xmlns declaration", want))
			}
			if !isSkippable {
				return false, headerError(line, d.childPath(t.Name.Local, false), t.Name.Local, "EPCIS XML schema",
					fmt.Sprintf("unexpected element <%s>: expected <%s>", t.Name.Local, want))
			}
			d.push(t.Name.Local)
			if err := d.skip(); err != nil {
				return false, err
			}
		case xml.EndElement:
			d.pop()
			return false, nil
		case xml.CharData:
			if err := d.checkSpace(t, line); err != nil {
				return false, err
			}
		}
	}
}

// readTrailer reads the rest of the document after EventList, checking
// that it is well-formed and that nothing follows the root element.
func (d *XMLDecoder) readTrailer() error {
	for {
		tok, line, err := d.token()
		if err == io.EOF {
			if len(d.path) > 0 {
				return headerError(line, d.currentPath(), "", "XML well-formedness", "the document ends before its root element is closed")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(d.path) == 0 {
				return headerError(line, "/"+t.Name.Local, t.Name.Local, "XML well-formedness", "content after the end of the root element: a document has exactly one root element")
			}
			d.push(t.Name.Local)
			if err := d.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			d.pop()
		case xml.CharData:
			if err := d.checkSpace(t, line); err != nil {
				return err
			}
		}
	}
}

// nextStart returns the next start element among the children of the
// current element, skipping comments, processing instructions and white
// space. It returns io.EOF at the end of input.
func (d *XMLDecoder) nextStart() (xml.StartElement, int, error) {
	for {
		tok, line, err := d.token()
		if err != nil {
			return xml.StartElement{}, line, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, line, nil
		case xml.EndElement:
			return xml.StartElement{}, line, errUnexpectedEnd{name: t.Name.Local, line: line}
		case xml.CharData:
			if err := d.checkSpace(t, line); err != nil {
				return xml.StartElement{}, line, err
			}
		}
	}
}

type errUnsupportedEncoding struct{ label string }

func (e errUnsupportedEncoding) Error() string {
	return fmt.Sprintf("unsupported XML encoding %q: convert the document to UTF-8 or GB18030", e.label)
}

type errUnexpectedEnd struct {
	name string
	line int
}

func (e errUnexpectedEnd) Error() string { return "unexpected end of element " + e.name }

// missing turns the error of nextStart into a message naming the element
// that was expected.
func (d *XMLDecoder) missing(err error, want string) error {
	var end errUnexpectedEnd
	if errors.As(err, &end) || err == io.EOF {
		return headerError(end.line, d.currentPath(), "", "EPCIS query schema",
			fmt.Sprintf("the required element <%s> is missing", want))
	}
	return err
}

// readText reads the text content of a simple element up to its end tag.
func (d *XMLDecoder) readText(line int) (string, error) {
	var b strings.Builder
	for {
		tok, tline, err := d.token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", headerError(tline, d.childPath(t.Name.Local, false), t.Name.Local, "EPCIS XML schema",
				"unexpected child element in a text-only element")
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

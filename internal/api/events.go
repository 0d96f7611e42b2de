package api

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// epcisContext is the standard JSON-LD context of EPCIS 2.0 documents.
const epcisContext = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"

// handleEvents serves GET /events: a SimpleEventQuery over all events.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	s.serveQuery(w, r, r.URL.Query())
}

// serveQuery runs the query given by params and writes one page. For a
// top-level resource, params also holds the parameter its path gives, so
// that paging tokens are bound to the path too.
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, params url.Values) {
	format, err := negotiate(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	q, err := query.Parse(params)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	page, err := s.store.QueryEvents(r.Context(), q)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if page.Next != nil {
		next := *r.URL
		values := next.Query()
		values.Set("nextPageToken", query.EncodeToken(*page.Next, query.Fingerprint(params)))
		next.RawQuery = values.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.RequestURI()))
	}
	s.writeEvents(w, r, format, page.Events, epcis.Header{Kind: epcis.KindEPCISQueryDocument, QueryName: "SimpleEventQuery"})
}

// writeEvents writes stored events as one EPCIS document in the negotiated
// format.
func (s *Server) writeEvents(w http.ResponseWriter, r *http.Request, format string, events []store.StoredEvent, h epcis.Header) {
	h.SchemaVersion = "2.0"
	h.CreationDate = time.Now().UTC()
	if format == formatXML {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		enc := epcis.NewXMLEncoder(w, h)
		for _, ev := range events {
			e, err := decodeStored(ev)
			if err != nil {
				s.logger.Error("decode stored event", "event_id", ev.EventID, "err", err)
				return
			}
			if err := enc.Encode(e); err != nil {
				s.logger.Debug("write XML event", "err", err)
				return
			}
		}
		if err := enc.Close(); err != nil {
			s.logger.Debug("write XML document", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", format)
	bw := bufio.NewWriterSize(w, 32<<10)
	fmt.Fprintf(bw, `{"@context":[%q],"type":%q,"schemaVersion":"2.0","creationDate":%q,"epcisBody":`,
		epcisContext, h.Kind, h.CreationDate.Format(time.RFC3339Nano))
	if h.Kind == epcis.KindEPCISQueryDocument {
		fmt.Fprintf(bw, `{"queryResults":{"queryName":%q,"resultsBody":{"eventList":[`, h.QueryName)
	} else {
		bw.WriteString(`{"eventList":[`)
	}
	for i, ev := range events {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(withRecordTime(ev.Doc, ev.RecordTime))
	}
	if h.Kind == epcis.KindEPCISQueryDocument {
		bw.WriteString("]}}}}\n")
	} else {
		bw.WriteString("]}}\n")
	}
	if err := bw.Flush(); err != nil {
		s.logger.Debug("write JSON document", "err", err)
	}
}

// withRecordTime returns the stored JSON object doc with its recordTime
// member added as its first member.
func withRecordTime(doc []byte, t time.Time) []byte {
	i := bytes.IndexByte(doc, '{')
	if i < 0 || t.IsZero() {
		return doc
	}
	out := make([]byte, 0, len(doc)+48)
	out = append(out, doc[:i+1]...)
	out = append(out, `"recordTime":"`...)
	out = t.UTC().AppendFormat(out, "2006-01-02T15:04:05.000Z07:00")
	out = append(out, '"')
	rest := bytes.TrimLeft(doc[i+1:], " \t\r\n")
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// decodeStored decodes a stored event for re-encoding in another syntax.
func decodeStored(ev store.StoredEvent) (*epcis.Event, error) {
	e, err := epcis.UnmarshalEventJSON(ev.Doc)
	if err != nil {
		return nil, fmt.Errorf("decode stored event %s: %w", ev.EventID, err)
	}
	e.RecordTime = ev.RecordTime
	return e, nil
}

// handleEvent serves GET /events/{eventID}.
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	format, err := negotiate(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	ev, err := s.store.Event(r.Context(), r.PathValue("eventID"))
	if err != nil {
		s.writeProblem(w, r, fmt.Errorf("event %q: %w", r.PathValue("eventID"), err))
		return
	}
	if format == formatXML {
		s.writeEvents(w, r, format, []store.StoredEvent{ev}, epcis.Header{Kind: epcis.KindEPCISDocument})
		return
	}
	w.Header().Set("Content-Type", format)
	w.Write(withRecordTime(ev.Doc, ev.RecordTime))
}

// handlePostEvent serves POST /events: synchronous capture of one event.
// A body with more than one event is rejected before anything is stored.
func (s *Server) handlePostEvent(w http.ResponseWriter, r *http.Request) {
	dec, err := s.requestDecoder(w, r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.capture.Capture(r.Context(), &singleEvent{Decoder: dec}, "http")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if res.Events != 1 || len(res.EventIDs) != 1 {
		s.writeProblem(w, r, &epcis.ValidationError{Errors: []epcis.FieldError{{
			EventIndex: -1, Rule: "one event", Message: "POST /events takes exactly one event; the body has none",
		}}})
		return
	}
	w.Header().Set("Location", "/events/"+url.PathEscape(res.EventIDs[0]))
	w.WriteHeader(http.StatusCreated)
}

// singleEvent passes on the first event of a document and fails the
// document when a second one follows, so that POST /events stores one
// event or nothing.
type singleEvent struct {
	epcis.Decoder
	read int
	err  error
}

func (d *singleEvent) Next() (*epcis.Event, error) {
	if d.err != nil {
		return nil, d.err
	}
	e, err := d.Decoder.Next()
	if err != nil {
		return e, err
	}
	d.read++
	if d.read > 1 {
		d.err = &epcis.ValidationError{Errors: []epcis.FieldError{{
			EventIndex: -1, Rule: "one event",
			Message: "POST /events takes exactly one event; send documents with several events to POST /capture",
		}}}
		return nil, d.err
	}
	return e, nil
}

// Media types the server produces.
const (
	formatJSON   = "application/json"
	formatJSONLD = "application/ld+json"
	formatXML    = "application/xml"
)

// negotiate picks the response format from the Accept header: JSON-LD by
// default, XML when the client prefers it.
func negotiate(r *http.Request) (string, error) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return formatJSON, nil
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, q := parseMediaRange(part)
		var format string
		switch mt {
		case "application/json":
			format = formatJSON
		case "application/ld+json":
			format = formatJSONLD
		case "application/xml", "text/xml":
			format = formatXML
		case "*/*", "application/*":
			format = formatJSON
		default:
			continue
		}
		if q > bestQ && q > 0 {
			best, bestQ = format, q
		}
	}
	if best == "" {
		return "", errNotAcceptable
	}
	return best, nil
}

func parseMediaRange(part string) (string, float64) {
	fields := strings.Split(part, ";")
	mt := strings.ToLower(strings.TrimSpace(fields[0]))
	q := 1.0
	for _, p := range fields[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.TrimSpace(k) == "q" {
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%g", &q); err != nil {
				q = 0
			}
		}
	}
	return mt, q
}

package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

// Media types of the FSMA 204 export.
const (
	mediaCSV  = "text/csv"
	mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// errNoLineage is returned when the store keeps no lineage index.
var errNoLineage = errors.New("this store keeps no lineage index")

// lineageScoper is a store that serves the lineage index projected for
// the caller of each request, as party.Guard does.
type lineageScoper interface {
	LineageFor(ctx context.Context) (store.LineageStore, error)
}

// tracer returns a tracer over the server's store as the caller of ctx
// may see it. When the store is a party.Guard, the tracer reads the
// guard's projection for that caller, so a trace, a recall scope and an
// FSMA 204 export hold only the events the caller may see.
func (s *Server) tracer(ctx context.Context) (*trace.Tracer, error) {
	if sc, ok := s.store.(lineageScoper); ok {
		ls, err := sc.LineageFor(ctx)
		if err != nil {
			return nil, err
		}
		return trace.New(ls), nil
	}
	ls, ok := s.store.(store.LineageStore)
	if !ok {
		return nil, errNoLineage
	}
	return trace.New(ls), nil
}

// timeParam parses an RFC 3339 time parameter; absent gives the zero time.
func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &query.ParamError{Param: name, Value: v, Reason: "give a time in RFC 3339 form, such as 2026-03-01T08:00:00+08:00"}
	}
	return t, nil
}

// defaultMaxNodes caps the nodes of a trace response when the request
// gives no maxNodes, so that a lot reaching millions of items does not
// build one huge response.
const defaultMaxNodes = 10000

// handleTrace serves GET /api/v1/trace/{id}: the lineage graph of one
// identifier (URL-escaped, in any form ident.Parse reads) with
// direction=backward|forward|both, depth, from, to and maxNodes (default
// defaultMaxNodes, 0 for no limit).
func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	tr, err := s.tracer(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	dir, err := trace.ParseDirection(q.Get("direction"))
	if err != nil {
		s.writeProblem(w, r, &query.ParamError{Param: "direction", Value: q.Get("direction"), Reason: "use backward, forward or both"})
		return
	}
	opts := trace.Options{Direction: dir, MaxNodes: defaultMaxNodes}
	if v := q.Get("maxNodes"); v != "" {
		opts.MaxNodes, err = strconv.Atoi(v)
		if err != nil || opts.MaxNodes < 0 {
			s.writeProblem(w, r, &query.ParamError{Param: "maxNodes", Value: v, Reason: "give a number of nodes, 0 for no limit"})
			return
		}
	}
	if v := q.Get("depth"); v != "" {
		opts.Depth, err = strconv.Atoi(v)
		if err != nil || opts.Depth < 0 {
			s.writeProblem(w, r, &query.ParamError{Param: "depth", Value: v, Reason: "give a number of edges, 0 for no limit"})
			return
		}
	}
	if opts.From, err = timeParam(r, "from"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if opts.To, err = timeParam(r, "to"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	g, err := tr.Trace(r.Context(), r.PathValue("id"), opts)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, g)
}

// handleRecallScope serves GET /api/v1/recall-scope?id=…&id=…&from=&to=.
func (s *Server) handleRecallScope(w http.ResponseWriter, r *http.Request) {
	tr, err := s.tracer(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	ids := r.URL.Query()["id"]
	if len(ids) == 0 {
		s.writeProblem(w, r, &query.ParamError{Param: "id", Reason: "give at least one lot or item, such as id=https://id.gs1.org/01/06901234000016/10/L1"})
		return
	}
	from, err := timeParam(r, "from")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	to, err := timeParam(r, "to")
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	sc, err := tr.RecallScope(r.Context(), ids, from, to)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

// handleFSMA204 serves GET /api/v1/export/fsma204 with product=GTIN or
// lot=…&lot=…, from and to: the FSMA 204 sortable spreadsheet as CSV or
// XLSX, chosen by format=csv|xlsx or else by Accept (CSV by default).
func (s *Server) handleFSMA204(w http.ResponseWriter, r *http.Request) {
	tr, err := s.tracer(r.Context())
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	q := r.URL.Query()
	format, err := fsmaFormat(q.Get("format"), r.Header.Get("Accept"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	fq := trace.FSMAQuery{Product: q.Get("product"), Lots: q["lot"]}
	if fq.From, err = timeParam(r, "from"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if fq.To, err = timeParam(r, "to"); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if (fq.Product == "") == (len(fq.Lots) == 0) {
		s.writeProblem(w, r, &query.ParamError{Param: "product", Reason: "give either product=GTIN (with from and to) or one or more lot=LGTIN"})
		return
	}
	rows, err := tr.FSMA204(r.Context(), fq)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var buf bytes.Buffer
	media, ext := mediaCSV+"; charset=utf-8", "csv"
	if format == "xlsx" {
		media, ext = mediaXLSX, "xlsx"
		err = trace.WriteFSMAXLSX(&buf, rows)
	} else {
		err = trace.WriteFSMACSV(&buf, rows)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", media)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "fsma204." + ext}))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = buf.WriteTo(w) // the client went away; nothing to do
}

// fsmaFormat picks csv or xlsx from the format parameter, else from the
// Accept header.
func fsmaFormat(param, accept string) (string, error) {
	switch strings.ToLower(param) {
	case "csv", "xlsx":
		return strings.ToLower(param), nil
	case "":
	default:
		return "", &query.ParamError{Param: "format", Value: param, Reason: "use csv or xlsx"}
	}
	if accept == "" {
		return "csv", nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaXLSX:
			return "xlsx", nil
		case mediaCSV, "*/*", "text/*":
			return "csv", nil
		}
	}
	return "", fmt.Errorf("%w: the FSMA 204 export is %s or %s", errNotAcceptable, mediaCSV, mediaXLSX)
}

package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// topLevel describes a top-level resource of the REST binding: its path,
// the store resource that lists its values, and the query parameter that
// selects the events of one value.
type topLevel struct {
	path     string
	resource store.Resource
	param    string
	// compact turns a stored canonical value into the form listed to
	// clients (bare CBV words for bizSteps and dispositions).
	compact func(string) string
}

var topLevels = []topLevel{
	{path: "eventTypes", resource: store.ResourceEventTypes, param: "eventType"},
	{path: "epcs", resource: store.ResourceEPCs, param: "MATCH_anyEPC"},
	{path: "bizSteps", resource: store.ResourceBizSteps, param: "EQ_bizStep",
		compact: func(v string) string { return epcis.CompactCBV(epcis.VocabBizStep, v) }},
	{path: "bizLocations", resource: store.ResourceBizLocations, param: "EQ_bizLocation"},
	{path: "readPoints", resource: store.ResourceReadPoints, param: "EQ_readPoint"},
	{path: "dispositions", resource: store.ResourceDispositions, param: "EQ_disposition",
		compact: func(v string) string { return epcis.CompactCBV(epcis.VocabDisposition, v) }},
}

// collection is the JSON-LD Collection document listing resources.
type collection struct {
	Context string   `json:"@context"`
	Type    string   `json:"type"`
	Member  []string `json:"member"`
}

func writeCollection(w http.ResponseWriter, members []string) {
	if members == nil {
		members = []string{}
	}
	writeJSON(w, http.StatusOK, collection{Context: epcisContext, Type: "Collection", Member: members})
}

// handleRoot serves GET /: the supported top-level resources.
func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request) {
	members := []string{"capture", "events"}
	for _, tl := range topLevels {
		members = append(members, tl.path)
	}
	writeCollection(w, members)
}

// handleTopLevel serves GET /{resource}: the distinct values stored, paged.
func (s *Server) handleTopLevel(tl topLevel) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		perPage, after, err := listPaging(r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		values, err := s.store.Distinct(r.Context(), tl.resource, after, perPage+1)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if len(values) > perPage {
			values = values[:perPage]
			setNextLink(w, r, values[len(values)-1])
		}
		if tl.compact != nil {
			for i, v := range values {
				values[i] = tl.compact(v)
			}
		}
		writeCollection(w, values)
	}
}

// handleSubResources serves GET /{resource}/{id}: the sub-resources of one
// value, which are its events.
func (s *Server) handleSubResources(w http.ResponseWriter, r *http.Request) {
	writeCollection(w, []string{"events"})
}

// handleTopLevelEvents serves GET /{resource}/{id}/events: the events of one
// value, with every other query parameter applying as on GET /events.
func (s *Server) handleTopLevelEvents(tl topLevel) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		params := r.URL.Query()
		if params.Has(tl.param) {
			s.writeProblem(w, r, &query.ParamError{Param: tl.param, Value: params.Get(tl.param),
				Reason: "already given by the path; leave it out of the query string"})
			return
		}
		params.Set(tl.param, r.PathValue("id"))
		s.serveQuery(w, r, params)
	}
}

// listPaging reads perPage and nextPageToken for lists that page by value.
func listPaging(r *http.Request) (perPage int, after string, err error) {
	params := r.URL.Query()
	perPage = store.DefaultPerPage
	if v := params.Get("perPage"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > query.MaxPerPage {
			return 0, "", &query.ParamError{Param: "perPage", Value: v, Reason: fmt.Sprintf("must be an integer from 1 to %d", query.MaxPerPage)}
		}
		perPage = n
	}
	for name := range params {
		if name != "perPage" && name != "nextPageToken" {
			return 0, "", &query.ParamError{Param: name, Value: params.Get(name), Reason: "unknown parameter; this list takes only perPage and nextPageToken"}
		}
	}
	if tok := params.Get("nextPageToken"); tok != "" {
		b, derr := base64.RawURLEncoding.DecodeString(tok)
		if derr != nil {
			return 0, "", &query.ParamError{Param: "nextPageToken", Value: tok, Reason: "malformed token; pass the token of the Link header unchanged"}
		}
		after = string(b)
	}
	return perPage, after, nil
}

func setNextLink(w http.ResponseWriter, r *http.Request, last string) {
	next := *r.URL
	values := next.Query()
	values.Set("nextPageToken", base64.RawURLEncoding.EncodeToString([]byte(last)))
	next.RawQuery = values.Encode()
	w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.RequestURI()))
}

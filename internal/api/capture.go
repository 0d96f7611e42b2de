package api

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// requestDecoder checks the request's Content-Type and size and returns a
// streaming decoder over its body.
func (s *Server) requestDecoder(w http.ResponseWriter, r *http.Request) (epcis.Decoder, error) {
	ct := r.Header.Get("Content-Type")
	mt := ""
	if ct != "" {
		var err error
		mt, _, err = mime.ParseMediaType(ct)
		if err != nil {
			return nil, errUnsupportedMedia
		}
	}
	switch mt {
	case "application/json", "application/ld+json", "application/xml", "text/xml":
	default:
		return nil, errUnsupportedMedia
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		return nil, &http.MaxBytesError{Limit: s.opts.MaxBodyBytes}
	}
	w.Header().Set("GS1-EPCIS-Capture-File-Size-Limit", strconv.FormatInt(s.opts.MaxBodyBytes, 10))
	w.Header().Set("GS1-EPCIS-Capture-Limit", strconv.Itoa(s.opts.MaxEventsPerCapture))
	body := http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	return epcis.NewDecoder(body, mt)
}

// handleCapture serves POST /capture. The document is captured before the
// response is sent, so the 202 response's capture job is already finished;
// a rejected document is answered with its problem and the job's Location.
func (s *Server) handleCapture(w http.ResponseWriter, r *http.Request) {
	if b := r.Header.Get("GS1-Capture-Error-Behaviour"); b != "" && b != "rollback" {
		s.writeProblem(w, r, &epcis.ValidationError{Errors: []epcis.FieldError{{
			EventIndex: -1, Pointer: "GS1-Capture-Error-Behaviour", Value: b, Rule: "capture error behaviour",
			Message: "only rollback is supported: a document is stored whole or not at all",
		}}})
		return
	}
	dec, err := s.requestDecoder(w, r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	res, err := s.capture.Capture(r.Context(), dec, "http")
	if res.Job.ID != "" {
		w.Header().Set("Location", "/capture/"+res.Job.ID)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("GS1-Capture-Error-Behaviour", "rollback")
	w.WriteHeader(http.StatusAccepted)
}

// captureJob is the capture job document of the REST binding, with the
// counts this repository adds.
type captureJob struct {
	CaptureID             string           `json:"captureID"`
	CreatedAt             string           `json:"createdAt"`
	FinishedAt            string           `json:"finishedAt,omitempty"`
	Running               bool             `json:"running"`
	Success               bool             `json:"success"`
	CaptureErrorBehaviour string           `json:"captureErrorBehaviour"`
	Errors                []store.JobError `json:"errors"`
	Source                string           `json:"source,omitempty"`
	Accepted              int              `json:"accepted"`
	Duplicates            int              `json:"duplicates"`
	Declared              int              `json:"declared"`
}

func jobDocument(j store.Job) captureJob {
	doc := captureJob{
		CaptureID:             j.ID,
		CreatedAt:             j.CreatedAt.UTC().Format(time.RFC3339Nano),
		Running:               j.State == store.JobRunning,
		Success:               j.State != store.JobFailed,
		CaptureErrorBehaviour: "rollback",
		Errors:                j.Errors,
		Source:                j.Source,
		Accepted:              j.Accepted,
		Duplicates:            j.Duplicates,
		Declared:              j.Declared,
	}
	if doc.Errors == nil {
		doc.Errors = []store.JobError{}
	}
	if !j.FinishedAt.IsZero() {
		doc.FinishedAt = j.FinishedAt.UTC().Format(time.RFC3339Nano)
	}
	return doc
}

// handleJob serves GET /capture/{captureID}.
func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("captureID")
	j, err := s.store.Job(r.Context(), id)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, jobDocument(j))
}

// handleJobs serves GET /capture: capture jobs, oldest first, paged.
func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	perPage, after, err := listPaging(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	jobs, err := s.store.Jobs(r.Context(), after, perPage+1)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if len(jobs) > perPage {
		jobs = jobs[:perPage]
		setNextLink(w, r, jobs[len(jobs)-1].ID)
	}
	docs := make([]captureJob, len(jobs))
	for i, j := range jobs {
		docs[i] = jobDocument(j)
	}
	writeJSON(w, http.StatusOK, docs)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}

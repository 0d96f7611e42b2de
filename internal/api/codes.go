package api

import (
	"fmt"
	"net/http"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/query"
)

// handleCodeParse serves GET /api/v1/codes/parse?s=…: the canonical
// identifiers and labelled breakdown of anything a consumer scans.
func (s *Server) handleCodeParse(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("s")
	if code == "" {
		s.writeProblem(w, r, &query.ParamError{Param: "s", Reason: "give the scanned code, such as s=(01)06901234000016(10)L1"})
		return
	}
	scan, err := ident.Parse(code)
	if err != nil {
		s.writeProblem(w, r, &epcis.ValidationError{Errors: []epcis.FieldError{{
			EventIndex: -1, Pointer: "s", Value: epcis.TruncateValue(code), Rule: "identifier syntax",
			Message: fmt.Sprintf("无法识别的码 / the code cannot be read: %v", err),
		}}})
		return
	}
	writeJSON(w, http.StatusOK, scan)
}

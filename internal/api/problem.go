package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/ledger"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// EPCIS 2.0 exception types, used as the problem "type" (RFC 9457).
const (
	typeValidation       = "epcisException:ValidationException"
	typeQueryParameter   = "epcisException:QueryParameterException"
	typeQueryTooLarge    = "epcisException:QueryTooLargeException"
	typeNoSuchResource   = "epcisException:NoSuchResourceException"
	typeAlreadyExists    = "epcisException:ResourceAlreadyExistsException"
	typeCaptureLimit     = "epcisException:CaptureLimitExceededException"
	typeUnsupportedMedia = "epcisException:UnsupportedMediaTypeException"
	typeNotAcceptable    = "epcisException:NotAcceptableException"
	typeImplementation   = "epcisException:ImplementationException"
	// The EPCIS 2.0 REST binding types 401 and 403 responses as SecurityException.
	typeUnauthorized = "epcisException:SecurityException"
	typeForbidden    = "epcisException:SecurityException"
	// The platform's own problem types (RFC 9457 section 4.2).
	typeRateLimited    = "urn:suyuan:problem:rate-limited"
	typeInvalidRequest = "urn:suyuan:problem:invalid-request"
)

// Problem is an RFC 9457 problem details body. Errors lists the individual
// validation errors of a rejected document.
type Problem struct {
	Type     string        `json:"type"`
	Title    string        `json:"title"`
	Status   int           `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Instance string        `json:"instance,omitempty"`
	Errors   []ProblemItem `json:"errors,omitempty"`
}

// ProblemItem is one validation error: where, which value, which rule.
type ProblemItem struct {
	EventIndex int    `json:"eventIndex"`
	Pointer    string `json:"pointer,omitempty"`
	Line       int    `json:"line,omitempty"`
	Value      string `json:"value,omitempty"`
	Rule       string `json:"rule,omitempty"`
	Message    string `json:"message"`
}

// errNotAcceptable and errUnsupportedMedia are request errors found by
// content negotiation.
var (
	errNotAcceptable    = errors.New("none of the media types in Accept can be produced; accept application/ld+json, application/json or application/xml")
	errUnsupportedMedia = errors.New("unsupported Content-Type; send application/ld+json, application/json or application/xml")
)

// problemFor maps an error to its problem body. It is the one place where
// errors become HTTP statuses; internal error text never reaches clients.
func problemFor(err error) Problem {
	var (
		verr      *epcis.ValidationError
		ferr      epcis.FieldError
		perr      *query.ParamError
		tooLarge  *http.MaxBytesError
		conflict  *store.ConflictError
		forbidden *store.ForbiddenError
		importErr *party.ImportError
		fieldErr  *party.FieldError
		ledgerErr *ledger.FieldError
	)
	switch {
	case errors.As(err, &verr):
		p := Problem{Type: typeValidation, Title: "EPCIS 文档无效 / invalid EPCIS document", Status: http.StatusBadRequest, Detail: verr.Error()}
		for _, fe := range verr.Errors {
			p.Errors = append(p.Errors, itemFor(fe))
		}
		return p
	case errors.As(err, &ferr):
		return Problem{Type: typeValidation, Title: "EPCIS 文档无效 / invalid EPCIS document", Status: http.StatusBadRequest, Detail: ferr.Error(), Errors: []ProblemItem{itemFor(ferr)}}
	case errors.As(err, &perr):
		return Problem{Type: typeQueryParameter, Title: "查询参数无效 / invalid query parameter", Status: http.StatusBadRequest, Detail: perr.Error()}
	case errors.Is(err, store.ErrQueryTooLarge):
		return queryTooLargeProblem(err)
	case errors.As(err, &conflict):
		detail := conflict.Error()
		if conflict.StoredJob != "" {
			detail += " (stored by capture job " + conflict.StoredJob + ")"
		}
		return Problem{Type: typeAlreadyExists, Title: "eventID 冲突 / eventID conflict", Status: http.StatusConflict, Detail: detail + "; give the new event another eventID, or send an errorDeclaration to correct the stored one"}
	case errors.Is(err, store.ErrNotFound):
		return Problem{Type: typeNoSuchResource, Title: "资源不存在 / resource not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.As(err, &tooLarge):
		return Problem{Type: typeCaptureLimit, Title: "请求体过大 / payload too large", Status: http.StatusRequestEntityTooLarge,
			Detail: "the request body exceeds the limit of " + formatBytes(tooLarge.Limit) + "; split the document into several captures"}
	case errors.Is(err, capture.ErrTooManyEvents):
		return Problem{Type: typeCaptureLimit, Title: "事件过多 / too many events", Status: http.StatusRequestEntityTooLarge, Detail: err.Error()}
	case errors.Is(err, errUnsupportedMedia):
		return Problem{Type: typeUnsupportedMedia, Title: "不支持的媒体类型 / unsupported media type", Status: http.StatusUnsupportedMediaType, Detail: err.Error()}
	case errors.Is(err, errUnauthenticated), errors.Is(err, party.ErrUnauthenticated):
		return Problem{Type: typeUnauthorized, Title: "未认证 / unauthenticated", Status: http.StatusUnauthorized, Detail: err.Error()}
	case errors.Is(err, errNoScope), errors.Is(err, errCSRF):
		return Problem{Type: typeForbidden, Title: "无权访问 / forbidden", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.Is(err, errRateLimited):
		return Problem{Type: typeRateLimited, Title: "请求过于频繁 / too many requests", Status: http.StatusTooManyRequests, Detail: err.Error()}
	case errors.As(err, &forbidden):
		p := Problem{Type: typeForbidden, Title: "无权报告该事件 / not allowed to report these events", Status: http.StatusForbidden,
			Detail: forbidden.Error() + "; nothing was stored"}
		for _, je := range forbidden.Errors {
			p.Errors = append(p.Errors, ProblemItem{EventIndex: je.EventIndex, Pointer: je.Pointer, Value: je.Value, Rule: je.Rule, Message: je.Message})
		}
		return p
	case errors.Is(err, store.ErrForbidden):
		return Problem{Type: typeForbidden, Title: "无权访问 / forbidden", Status: http.StatusForbidden, Detail: err.Error()}
	case errors.As(err, &importErr):
		p := Problem{Type: typeInvalidRequest, Title: "登记文件无效 / invalid registry file", Status: http.StatusBadRequest, Detail: "nothing was imported; fix every listed line and send the file again"}
		for _, le := range importErr.Errors {
			p.Errors = append(p.Errors, ProblemItem{EventIndex: -1, Line: le.Line, Message: le.Err.Error()})
		}
		return p
	case errors.As(err, &fieldErr):
		return Problem{Type: typeInvalidRequest, Title: "登记信息无效 / invalid registration", Status: http.StatusBadRequest, Detail: fieldErr.Error(),
			Errors: []ProblemItem{{EventIndex: -1, Pointer: fieldErr.Field, Value: fieldErr.Value, Message: strings.TrimSpace(fieldErr.MessageZH + " / " + fieldErr.Message)}}}
	case errors.As(err, &ledgerErr):
		title := "请求无效 / invalid request"
		switch {
		case errors.Is(ledgerErr, recall.ErrInvalid):
			title = "召回公告无效 / invalid recall notice"
		case errors.Is(ledgerErr, credit.ErrInvalid):
			title = "失信名单条目无效 / invalid credit-list entry"
		}
		return decisionFieldProblem(title, ledgerErr.Error(), ledgerErr.Field, ledgerErr.Value, ledgerErr.MessageZH, ledgerErr.Message)
	case errors.Is(err, party.ErrInvalid), errors.Is(err, store.ErrInvalid), errors.Is(err, errBadRequest):
		return Problem{Type: typeInvalidRequest, Title: "请求无效 / invalid request", Status: http.StatusBadRequest, Detail: err.Error()}
	case errors.Is(err, party.ErrBootstrapped), errors.Is(err, store.ErrConflict):
		return Problem{Type: typeAlreadyExists, Title: "冲突 / conflict", Status: http.StatusConflict, Detail: err.Error()}
	case errors.Is(err, errNotAcceptable):
		return Problem{Type: typeNotAcceptable, Title: "无法满足 Accept / not acceptable", Status: http.StatusNotAcceptable, Detail: err.Error()}
	}
	return Problem{Type: typeImplementation, Title: "服务器内部错误 / internal server error", Status: http.StatusInternalServerError,
		Detail: "the server failed to complete the request; try again later, and tell the operator if it persists"}
}

// queryTooLargeProblem returns the QueryTooLargeException of a query
// that matches more events than its maxEventCount (EPCIS 2.0 REST
// binding: status 413), naming the limit when err carries it.
func queryTooLargeProblem(err error) Problem {
	p := Problem{Type: typeQueryTooLarge, Title: "查询结果过多 / query result too large", Status: http.StatusRequestEntityTooLarge,
		Detail: "符合查询的事件过多，请缩小查询范围 / too many events match the query; narrow the query"}
	var tooLarge *store.QueryTooLargeError
	if errors.As(err, &tooLarge) {
		limit := itoa(int64(tooLarge.MaxEventCount))
		p.Detail = "符合查询的事件超过 maxEventCount=" + limit + " 个。请缩小查询范围（例如加上 GE_eventTime 或 eventType）或提高 maxEventCount；" +
			"该上限针对所有分页合计，分页无济于事；只需前若干个事件时，改用 eventCountLimit 并指定 orderBy。" +
			" / More than maxEventCount=" + limit + " events match the query. Narrow the query (for example with GE_eventTime or eventType) or raise maxEventCount; " +
			"the limit counts all pages together, so paging does not help. To receive only the first events, use eventCountLimit with orderBy instead."
	}
	return p
}

// decisionFieldProblem returns the problem of a recall or credit-list
// request with one invalid field. The field is a JSON member, with an
// index in brackets for a list element ("ids[1]"), and becomes a JSON
// pointer ("/ids/1").
func decisionFieldProblem(title, detail, field, value, messageZH, message string) Problem {
	pointer := "/" + strings.NewReplacer("[", "/", "]", "").Replace(field)
	return Problem{Type: typeInvalidRequest, Title: title, Status: http.StatusBadRequest, Detail: detail,
		Errors: []ProblemItem{{EventIndex: -1, Pointer: pointer, Value: value, Message: messageZH + " / " + message}}}
}

func itemFor(fe epcis.FieldError) ProblemItem {
	return ProblemItem{EventIndex: fe.EventIndex, Pointer: fe.Pointer, Line: fe.Line, Value: fe.Value, Rule: fe.Rule, Message: fe.Message}
}

// writeProblem writes err as problem+json. Server errors are logged once
// here, with the request's method and path.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.Instance = r.URL.Path
	if p.Status >= 500 {
		s.logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.logger.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", p.Status, "err", err)
	}
	writeProblemBody(w, p)
}

func writeProblemBody(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		slog.Debug("write problem body", "err", err)
	}
}

func formatBytes(n int64) string {
	const unit = 1024
	switch {
	case n >= unit*unit*unit:
		return itoa(n/(unit*unit*unit)) + " GiB"
	case n >= unit*unit:
		return itoa(n/(unit*unit)) + " MiB"
	case n >= unit:
		return itoa(n/unit) + " KiB"
	}
	return itoa(n) + " bytes"
}

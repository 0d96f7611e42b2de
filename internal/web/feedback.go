package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// Feedback stores what consumers leave behind: how often each code was
// looked up, and complaints. The store backends implement it.
type Feedback interface {
	// ScanStats returns the stored lookup counts of a canonical
	// identifier.
	ScanStats(ctx context.Context, canonical string) (ScanStats, error)
	// AddScans adds lookup counts in one transaction.
	AddScans(ctx context.Context, counts []ScanCount) error
	// AddComplaint stores a complaint and returns its number.
	AddComplaint(ctx context.Context, c Complaint) (int64, error)
}

// ScanStats are the earlier lookups of one code.
type ScanStats struct {
	// Count is the number of earlier lookups; 0 means this is the first.
	Count int64
	// First and Last are the times of the first and latest earlier
	// lookup; zero when Count is 0.
	First, Last time.Time
	// Cities lists the cities of earlier lookups with their counts, most
	// frequent first; lookups from an unknown city are not listed.
	Cities []CityCount
}

// ScanCount is a number of lookups of one code from one city (empty when
// not given) between First and Last.
type ScanCount struct {
	Canonical, City string
	Count           int64
	First, Last     time.Time
}

// CityCount is the number of lookups from one city.
type CityCount struct {
	City  string
	Count int64
}

// Complaint is a consumer's complaint about a product.
type Complaint struct {
	// Canonical is the identifier the complaint is about.
	Canonical string
	// Kind is one of the ComplaintKinds keys.
	Kind    string
	Message string
	// Contact is an optional phone number or e-mail address.
	Contact   string
	CreatedAt time.Time
}

// ComplaintKinds lists the accepted complaint kinds with their labels.
var ComplaintKinds = []struct{ Key, ZH, EN string }{
	{"quality", "质量问题", "quality problem"},
	{"counterfeit", "疑似假冒", "suspected counterfeit"},
	{"expired", "过期销售", "sold after expiry"},
	{"label", "标签不符", "label does not match"},
	{"other", "其他", "other"},
}

// Limits of a complaint's free-text fields, in characters.
const (
	maxComplaintMessage = 2000
	maxComplaintContact = 100
)

const csrfCookie = "sy_csrf"

// csrfToken returns the form token for the request's CSRF cookie, setting
// a new cookie when the request has none. The token is an HMAC of the
// cookie value, so a cross-site form cannot forge it (double-submit with
// a signed token).
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(csrfCookie)
	value := ""
	if err == nil && len(c.Value) >= 22 {
		value = c.Value
	} else {
		b := make([]byte, 18)
		rand.Read(b)
		value = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookie, Value: value, Path: "/scan", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 86400,
		})
	}
	return h.sign(value)
}

func (h *Handler) sign(value string) string {
	m := hmac.New(sha256.New, h.csrf)
	m.Write([]byte(value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether a form post carries the token of its cookie.
func (h *Handler) checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	want := h.sign(c.Value)
	return hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(want))
}

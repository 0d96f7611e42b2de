package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/api"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func TestPostEventRejectsSeveralEvents(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := httptest.NewServer(api.New(st, capture.New(st, nil, nil), nil, api.Options{}).Handler())
	defer srv.Close()
	ev := `{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:6901234.000001.S%d"],"action":"OBSERVE"}`
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T08:00:00+08:00","epcisBody":{"eventList":[` +
		strings.Replace(ev, "%d", "1", 1) + "," + strings.Replace(ev, "%d", "2", 1) + `]}}`
	post := func(body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/ld+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(doc); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("two events: status %d, want 400", resp.StatusCode)
	}
	page, err := st.QueryEvents(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 0 {
		t.Errorf("store holds %d events after a rejected POST /events, want 0", len(page.Events))
	}
	single := strings.Replace(ev, `{"type"`, `{"@context":"https://ref.gs1.org/standards/epcis/epcis-context.jsonld","type"`, 1)
	resp := post(strings.Replace(single, "%d", "3", 1))
	if resp.StatusCode != http.StatusCreated || !strings.HasPrefix(resp.Header.Get("Location"), "/events/ni:") {
		t.Errorf("one event: status %d, Location %q; want 201 and the event's URL", resp.StatusCode, resp.Header.Get("Location"))
	}
}

package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// TestServePagesMarkLoggedSteps wires the pages as serve does and checks
// that journey steps in a signed checkpoint carry the audit-log mark.
func TestServePagesMarkLoggedSteps(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "serve.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc := &party.Service{Store: st}
	p := store.Party{ID: "pa", Kind: store.PartyEnterprise, NameZH: "甲乳业有限公司", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"}}
	if _, err := svc.CreateParty(ctx, p); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	if _, err := svc.PutLocation(ctx, store.Location{Original: "urn:epc:id:sgln:6901234.00001.0", PartyID: "pa", Name: "甲乳业仓库", Division: "440106"}); err != nil {
		t.Fatalf("PutLocation: %v", err)
	}

	logger := slog.New(slog.DiscardHandler)
	cfg := &serveConfig{maxBody: 1 << 20}
	srv, err := securedServer(ctx, st, cfg, logger)
	if err != nil {
		t.Fatalf("securedServer: %v", err)
	}
	logCtx, stopLog := context.WithCancel(ctx)
	auditLog, waitLog, err := startAuditLog(logCtx, &Env{Stderr: io.Discard}, st, srv,
		auditConfig{origin: "suyuan.test/log", interval: 20 * time.Millisecond, dev: true}, logger)
	if err != nil {
		stopLog()
		t.Fatalf("startAuditLog: %v", err)
	}
	t.Cleanup(waitLog)
	t.Cleanup(stopLog)
	closeWeb, err := mountWebWithLog(ctx, st, srv, cfg.directory, auditLog, logger)
	if err != nil {
		t.Fatalf("mountWebWithLog: %v", err)
	}
	t.Cleanup(closeWeb)

	const item = "urn:epc:id:sgtin:6901234.012345.1"
	doc := `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-03-01T00:00:00Z","epcisBody":{"eventList":[` +
		`{"type":"ObjectEvent","eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + item + `"],"action":"ADD","bizStep":"commissioning","bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"}},` +
		`{"type":"ObjectEvent","eventTime":"2026-03-02T08:00:00+08:00","eventTimeZoneOffset":"+08:00","epcList":["` + item + `"],"action":"OBSERVE","bizStep":"shipping","bizLocation":{"id":"urn:epc:id:sgln:6901234.00001.0"}}` +
		`]}}`
	if _, err := newCaptureService(st, logger).Capture(ctx, epcis.NewJSONDecoder(strings.NewReader(doc)), "test"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := auditLog.Checkpoint(ctx)
		if err == nil && c.Size >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size 2 after 5 s: size %d, err %v", c.Size, err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	h := srv.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/scan?code="+url.QueryEscape(item), nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scan page: status %d", rec.Code)
	}
	body := rec.Body.String()
	if got := strings.Count(body, "✓ 已签入审计日志"); got != 2 {
		t.Errorf("marked steps: got %d, want 2", got)
	}
	if !strings.Contains(body, "（树大小 2）") {
		t.Errorf("page lacks the checkpoint size 2")
	}
	if !strings.Contains(body, "甲乳业有限公司") {
		t.Errorf("journey lacks the registered enterprise name")
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/log/checkpoint", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "suyuan.test/log\n") {
		t.Errorf("checkpoint link target: status %d, body %.40q", rec.Code, rec.Body.String())
	}
}

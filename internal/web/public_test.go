package web

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/auditlog"
	"github.com/suyuan-trace/suyuan/internal/capture"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

// Identifiers of the projection fixture: one serialised item of a lot,
// commissioned and shipped by an orchard in Guangzhou and received by a
// supermarket in Shenzhen.
const (
	fixtureItem      = "https://id.gs1.org/01/09506000134352/21/SER1"
	fixtureOrchard   = "urn:epc:id:sgln:9506000.13435.0"
	fixtureShop      = "urn:epc:id:sgln:9506000.13436.0"
	fixtureCustomer  = "urn:epc:id:pgln:9506000.13437"
	fixtureOrder     = "urn:epcglobal:cbv:bt:9506000134352:PO-SECRET-4711"
	fixtureDespatch  = "urn:epcglobal:cbv:bt:9506000134352:DESADV-SECRET-0815"
	fixtureCustomerZ = "隐秘客户贸易有限公司"
	fixtureCustomerE = "Hidden Customer Trading Co."
)

// fixtureShipped holds the commissioning and the shipping of the item,
// with the fields the public projection drops: business transactions, a
// quantity, source and destination parties, sensor readings, ILMD and a
// user extension.
const fixtureShipped = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"sy": "https://suyuan.example.cn/ns/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-01T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "ni:///sha-256;1111111111111111111111111111111111111111111111111111111111111111?ver=CBV2.0",
     "eventTime": "2026-11-01T09:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["` + fixtureItem + `"], "action": "ADD", "bizStep": "commissioning", "disposition": "active",
     "quantityList": [{"epcClass": "https://id.gs1.org/01/09506000134352/10/LOT7", "quantity": 1234.5, "uom": "KGM"}],
     "bizLocation": {"id": "` + fixtureOrchard + `"},
     "bizTransactionList": [{"type": "po", "bizTransaction": "` + fixtureOrder + `"}],
     "ilmd": {"sy:secretRecipe": "ILMD-SECRET-RECIPE"},
     "sy:supplierPrice": "PRICE-SECRET-88.80"},
    {"type": "ObjectEvent", "eventID": "ni:///sha-256;2222222222222222222222222222222222222222222222222222222222222222?ver=CBV2.0",
     "eventTime": "2026-11-02T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["` + fixtureItem + `"], "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "bizLocation": {"id": "` + fixtureOrchard + `"},
     "bizTransactionList": [{"type": "desadv", "bizTransaction": "` + fixtureDespatch + `"}],
     "sourceList": [{"type": "owning_party", "source": "` + fixtureCustomer + `"}],
     "destinationList": [{"type": "owning_party", "destination": "` + fixtureCustomer + `"}],
     "sensorElementList": [{"sensorReport": [{"type": "Temperature", "value": 47.25, "uom": "CEL"}]}]}
  ]}
}`

// fixtureReceived holds the receiving of the item at the supermarket.
const fixtureReceived = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-03T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "ni:///sha-256;3333333333333333333333333333333333333333333333333333333333333333?ver=CBV2.0",
     "eventTime": "2026-11-03T11:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["` + fixtureItem + `"], "action": "OBSERVE", "bizStep": "receiving", "disposition": "sellable_accessible",
     "bizLocation": {"id": "` + fixtureShop + `"}}
  ]}
}`

// mapDirectory is master data for the projection fixture, keyed by
// canonical identifier.
type mapDirectory map[string]Party

func (d mapDirectory) Party(_ context.Context, id string) (Party, bool, error) {
	p, ok := d[id]
	return p, ok, nil
}

func (d mapDirectory) Product(context.Context, string) (Product, bool, error) {
	return Product{}, false, nil
}

// ruledDirectory is a mapDirectory whose every code names one product.
type ruledDirectory struct {
	mapDirectory
	product Product
}

func (d ruledDirectory) Product(context.Context, string) (Product, bool, error) {
	return d.product, true, nil
}

// logReader adapts an audit log and its store to AuditLog.
type logReader struct {
	log    *auditlog.Log
	leaves interface {
		LeafIndex(ctx context.Context, eventID string) (uint64, error)
	}
}

func (r logReader) CheckpointSize(ctx context.Context) (uint64, error) {
	c, err := r.log.Checkpoint(ctx)
	return c.Size, err
}

func (r logReader) LeafIndex(ctx context.Context, eventID string) (uint64, error) {
	return r.leaves.LeafIndex(ctx, eventID)
}

// fixtureSite is a store with the projection fixture, its audit log and a
// page handler over them.
type fixtureSite struct {
	st  *sqlite.Store
	log *auditlog.Log
	cs  *capture.Service
	dir mapDirectory
	// product, when set, is the master data of the fixture item.
	product *Product
}

func newFixtureSite(t *testing.T) *fixtureSite {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "fixture.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	signer, err := auditlog.EphemeralSigner("ed25519")
	if err != nil {
		t.Fatal(err)
	}
	l, err := auditlog.New(st, auditlog.SHA256, signer, "suyuan.test/log")
	if err != nil {
		t.Fatal(err)
	}
	dir := mapDirectory{}
	for id, p := range map[string]Party{
		fixtureOrchard:  {NameZH: "岭南果业有限公司", NameEN: "Lingnan Orchards Co.", Division: "440106", CityZH: "广州市", CityEN: "Guangzhou"},
		fixtureShop:     {NameZH: "深圳鲜达超市", NameEN: "Shenzhen Xianda Supermarket", Division: "440304", CityZH: "深圳市", CityEN: "Shenzhen"},
		fixtureCustomer: {NameZH: fixtureCustomerZ, NameEN: fixtureCustomerE, Division: "440511", CityZH: "汕头市", CityEN: "Shantou"},
	} {
		c, err := ident.Canonical(id)
		if err != nil {
			t.Fatalf("canonical %s: %v", id, err)
		}
		dir[c] = p
	}
	return &fixtureSite{st: st, log: l, cs: capture.New(st, l, nil), dir: dir}
}

func (s *fixtureSite) capture(t *testing.T, doc string) {
	t.Helper()
	if _, err := s.cs.Capture(context.Background(), epcis.NewJSONDecoder(strings.NewReader(doc)), "fixture"); err != nil {
		t.Fatalf("capture fixture: %v", err)
	}
}

func (s *fixtureSite) integrate(t *testing.T) {
	t.Helper()
	if _, err := s.log.Integrate(context.Background()); err != nil {
		t.Fatalf("integrate audit log: %v", err)
	}
}

// page renders the consumer page of the fixture item with a new handler,
// so that no cached journey or checkpoint is reused.
func (s *fixtureSite) page(t *testing.T, lang string) string {
	t.Helper()
	fb, err := s.st.WebFeedback(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var dir Directory = s.dir
	if s.product != nil {
		dir = ruledDirectory{s.dir, *s.product}
	}
	h, err := New(Options{Store: s.st, Directory: dir, Feedback: testFeedback{fb},
		Now: func() time.Time { return testNow }, CSRFKey: []byte("test key"),
		AuditLog: logReader{log: s.log, leaves: s.st}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	site := &demoSite{h: h}
	rec := site.get(t, "/scan?lang="+lang+"&code="+url.QueryEscape(fixtureItem), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status: got %d, want 200", rec.Code)
	}
	return rec.Body.String()
}

func TestScanPageShowsOnlyProjection(t *testing.T) {
	s := newFixtureSite(t)
	s.capture(t, fixtureShipped)
	s.capture(t, fixtureReceived)
	for _, lang := range []string{"zh", "en"} {
		body := s.page(t, lang)
		t.Run(lang+" dropped fields", func(t *testing.T) {
			for _, secret := range []string{
				"PO-SECRET-4711", "DESADV-SECRET-0815", "1234.5", "KGM", "47.25",
				fixtureCustomerZ, fixtureCustomerE, "9506000.13437", "0950600013437",
				"ILMD-SECRET-RECIPE", "PRICE-SECRET-88.80",
			} {
				if strings.Contains(body, secret) {
					t.Errorf("page shows %q, which the public projection drops", secret)
				}
			}
		})
		t.Run(lang+" projected fields", func(t *testing.T) {
			wants := map[string][]string{
				"zh": {"岭南果业有限公司", "广州市", "深圳鲜达超市", "深圳市", "生产赋码", "发货", "收货", "2026-11-01 09:00", "2026-11-02 10:00", `datetime="2026-11-03T11:00&#43;08:00"`, "LOT7"},
				"en": {"Lingnan Orchards Co.", "Guangzhou", "Shenzhen Xianda Supermarket", "Shenzhen", "produced", "shipped", "received", "2026-11-01 09:00", "2026-11-03 11:00", "LOT7"},
			}[lang]
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, `class="warn `) {
				t.Errorf("page shows a warning although no rule of the product applies")
			}
		})
	}
}

func TestScanPageAuditLogMarks(t *testing.T) {
	s := newFixtureSite(t)
	s.capture(t, fixtureShipped)

	body := s.page(t, "zh")
	if strings.Contains(body, "已签入审计日志") {
		t.Errorf("page marks steps before any checkpoint is signed")
	}
	if !strings.Contains(body, "审计日志尚未签发检查点") {
		t.Errorf("page does not say that no checkpoint is signed yet")
	}

	s.integrate(t)
	s.capture(t, fixtureReceived)
	tests := []struct {
		lang, mark, status string
	}{
		{"zh", "✓ 已签入审计日志", "本页 3 个环节中有 2 个已被审计日志最新签名检查点（树大小 2）覆盖。"},
		{"en", "✓ in the signed audit log", "2 of the 3 steps on this page are covered by the latest signed checkpoint of the audit log (tree size 2)."},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" partly covered", func(t *testing.T) {
			body := s.page(t, tt.lang)
			if got := strings.Count(body, tt.mark); got != 2 {
				t.Errorf("marked steps: got %d, want 2", got)
			}
			if !strings.Contains(body, tt.status) {
				t.Errorf("page lacks the checkpoint line %q", tt.status)
			}
			if !strings.Contains(body, `href="/api/v1/log/checkpoint"`) {
				t.Errorf("page lacks the checkpoint link")
			}
			received := body[strings.Index(body, "2026-11-03"):]
			received = received[:strings.Index(received, "</li>")]
			if strings.Contains(received, tt.mark) {
				t.Errorf("step captured after the checkpoint is marked: %s", received)
			}
		})
	}

	s.integrate(t)
	t.Run("all covered", func(t *testing.T) {
		body := s.page(t, "en")
		if got := strings.Count(body, "✓ in the signed audit log"); got != 3 {
			t.Errorf("marked steps: got %d, want 3", got)
		}
		if !strings.Contains(body, "3 of the 3 steps") || !strings.Contains(body, "(tree size 3)") {
			t.Errorf("checkpoint line does not state 3 of 3 steps at tree size 3")
		}
	})
}

func TestScanPageWithoutAuditLog(t *testing.T) {
	site := newDemoSite(t, 1)
	target := "/scan?code=" + url.QueryEscape(site.code(t, "chilled pork (recalled lot)"))
	if body := site.get(t, target, nil).Body.String(); !strings.Contains(body, "已签入审计日志") {
		t.Fatalf("demo page with an audit log shows no audit-log marks")
	}
	opts := site.h.opts
	opts.AuditLog = nil
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	body := (&demoSite{h: h}).get(t, target, nil).Body.String()
	if strings.Contains(body, "已签入审计日志") || strings.Contains(body, "log-status") {
		t.Errorf("page without an audit log shows audit-log marks")
	}
}

// fixtureDeclared declares the shipping of fixtureShipped erroneous.
const fixtureDeclared = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-04T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "ni:///sha-256;2222222222222222222222222222222222222222222222222222222222222222?ver=CBV2.0",
     "eventTime": "2026-11-02T10:00:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["` + fixtureItem + `"], "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "bizLocation": {"id": "` + fixtureOrchard + `"},
     "errorDeclaration": {"declarationTime": "2026-11-04T08:00:00+08:00", "reason": "incorrect_data"}}
  ]}
}`

func TestScanPageMarksCorrectedStep(t *testing.T) {
	s := newFixtureSite(t)
	s.capture(t, fixtureShipped)
	s.capture(t, fixtureDeclared)
	body := s.page(t, "zh")
	timeline := body[strings.Index(body, `<ol class="timeline">`):]
	timeline = timeline[:strings.Index(timeline, "</ol>")]
	steps := strings.Split(timeline, "<li")[1:]
	if len(steps) != 2 {
		t.Fatalf("steps: got %d, want 2", len(steps))
	}
	if strings.Contains(steps[0], "该记录已被声明有误") {
		t.Errorf("commissioning step is marked as declared erroneous")
	}
	if !strings.Contains(steps[1], "该记录已被声明有误") {
		t.Errorf("shipping step lacks the erroneous-declaration mark")
	}
}

// fixtureWarned holds events of the fixture item that break the rules of
// its product. A processing outputs 36019 kg from 30017 kg of input, and
// a shipment goes above the cold-chain limit to a customer without the
// required licence. Of all these numbers, only the peak temperature
// (9.61 °C) may reach the page.
const fixtureWarned = `{
  "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-11-05T08:00:00+08:00",
  "epcisBody": {"eventList": [
    {"type": "TransformationEvent", "eventID": "ni:///sha-256;4444444444444444444444444444444444444444444444444444444444444444?ver=CBV2.0",
     "eventTime": "2026-11-01T07:30:00+08:00", "eventTimeZoneOffset": "+08:00",
     "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/09506000134369/10/RAW9", "quantity": 30017, "uom": "KGM"}],
     "outputEPCList": ["` + fixtureItem + `"],
     "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/09506000134352/10/LOT7", "quantity": 36019, "uom": "KGM"}],
     "bizStep": "commissioning", "disposition": "active",
     "bizLocation": {"id": "` + fixtureOrchard + `"},
     "ilmd": {"cbvmda:productionDate": "2026-10-31", "cbvmda:itemExpirationDate": "2026-11-20"}},
    {"type": "ObjectEvent", "eventID": "ni:///sha-256;5555555555555555555555555555555555555555555555555555555555555555?ver=CBV2.0",
     "eventTime": "2026-11-02T14:45:00+08:00", "eventTimeZoneOffset": "+08:00",
     "epcList": ["` + fixtureItem + `"], "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "bizLocation": {"id": "` + fixtureOrchard + `"},
     "quantityList": [{"epcClass": "https://id.gs1.org/01/09506000134352/10/LOT7", "quantity": 1234.5, "uom": "KGM"}],
     "bizTransactionList": [{"type": "desadv", "bizTransaction": "` + fixtureDespatch + `"}],
     "destinationList": [{"type": "owning_party", "destination": "` + fixtureCustomer + `"}],
     "sensorElementList": [{"sensorReport": [{"type": "Temperature", "minValue": 1.13, "maxValue": 9.61, "meanValue": 4.37, "uom": "CEL"}]}]}
  ]}
}`

func TestScanPageWarningsFromProjection(t *testing.T) {
	s := newFixtureSite(t)
	s.product = &Product{NameZH: "荔枝", NameEN: "lychee", ColdChainMaxCelsius: 4, RequiredLicence: "food-distribution"}
	s.capture(t, fixtureWarned)
	tests := []struct {
		lang  string
		wants []string
	}{
		{"zh", []string{"冷链运输中温度超标（最高 9.61 °C，限值 4 °C）。", "加工产出重量超过投入，来源存疑。", "曾发货给未持有食品经营许可证的单位。",
			"<dt>生产日期</dt><dd>2026-10-31</dd>", "<dt>有效期至</dt><dd>2026-11-20</dd>", "2026-11-02 14:45"}},
		{"en", []string{"Temperature excursion in the cold chain (up to 9.61 °C, limit 4 °C).", "Processing output weighs more than its input; the origin is in doubt.",
			"A shipment went to a consignee without a food business licence.", "<dt>Production date</dt><dd>2026-10-31</dd>", "2026-11-01 07:30"}},
	}
	for _, tt := range tests {
		body := s.page(t, tt.lang)
		t.Run(tt.lang+" warnings and dates", func(t *testing.T) {
			for _, want := range tt.wants {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			for _, class := range []string{"warn-cold", "warn-mass", "warn-licence"} {
				if got := strings.Count(body, class); got != 1 {
					t.Errorf("%s warnings: got %d, want 1", class, got)
				}
			}
		})
		t.Run(tt.lang+" hidden facts", func(t *testing.T) {
			for _, secret := range []string{"30017", "36019", "1234.5", "KGM", "1.13", "4.37", "DESADV-SECRET-0815",
				fixtureCustomerZ, fixtureCustomerE, "9506000.13437", "0950600013437"} {
				if strings.Contains(body, secret) {
					t.Errorf("page shows %q, which the public projection drops", secret)
				}
			}
		})
	}
}

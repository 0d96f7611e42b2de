package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suyuan-trace/suyuan/ident"
)

// guangdongCities are the 21 prefecture-level cities of Guangdong with
// their GB/T 2260 code prefixes, offered in the lookup form so that
// lookups can be counted by city.
var guangdongCities = [][3]string{
	{"广州市", "Guangzhou", "4401"}, {"深圳市", "Shenzhen", "4403"}, {"珠海市", "Zhuhai", "4404"}, {"汕头市", "Shantou", "4405"},
	{"佛山市", "Foshan", "4406"}, {"韶关市", "Shaoguan", "4402"}, {"河源市", "Heyuan", "4416"}, {"梅州市", "Meizhou", "4414"},
	{"惠州市", "Huizhou", "4413"}, {"汕尾市", "Shanwei", "4415"}, {"东莞市", "Dongguan", "4419"}, {"中山市", "Zhongshan", "4420"},
	{"江门市", "Jiangmen", "4407"}, {"阳江市", "Yangjiang", "4417"}, {"湛江市", "Zhanjiang", "4408"}, {"茂名市", "Maoming", "4409"},
	{"肇庆市", "Zhaoqing", "4412"}, {"清远市", "Qingyuan", "4418"}, {"潮州市", "Chaozhou", "4451"}, {"揭阳市", "Jieyang", "4452"},
	{"云浮市", "Yunfu", "4453"},
}

// CityOfDivision returns the Guangdong prefecture-level city of a GB/T
// 2260 division code of 4 or 6 digits, in Chinese and English; ok is false
// for divisions outside Guangdong.
func CityOfDivision(code string) (zh, en string, ok bool) {
	if len(code) < 4 {
		return "", "", false
	}
	for _, c := range guangdongCities {
		if c[2] == code[:4] {
			return c[0], c[1], true
		}
	}
	return "", "", false
}

// option is one choice of a select element.
type option struct {
	Value, Label string
	Selected     bool
}

// pageView is the data of the consumer page template.
type pageView struct {
	D display
	// M holds the page texts in the page's language.
	M        map[string]string
	Code     string
	City     string
	Error    string
	Searched bool
	Result   *result
	CSRF     string
	Notice   string
	// NoticeBad marks Notice as an error.
	NoticeBad bool
	Status    int

	LangURL, SizeURL, ContrastURL string
	// CityOptions and KindOptions are the option elements of the city
	// and complaint kind select elements.
	CityOptions, KindOptions template.HTML
	// Head is the page up to the end of the lookup form, rendered from
	// head.html by render.
	Head template.HTML
}

// T returns the page text for key in the page's language.
func (v *pageView) T(key string) string { return text(v.D.Lang, key) }

// result is what the page shows about a found code.
type result struct {
	Canonical string
	Fields    []field
	Certs     []string
	Steps     []stepView
	Warnings  []warning
	ScanText  string
	Cities    string
	// LogText states how many steps the latest signed audit-log
	// checkpoint covers; empty without an audit log.
	LogText string
	// FieldList and Timeline are Fields and Steps as HTML, built by
	// finishHTML.
	FieldList, Timeline template.HTML
}

type field struct{ Label, Value string }

type stepView struct {
	// Date is the event's date and time of day in its own time zone
	// for people (YYYY-MM-DD HH:MM), DateTime the same for the time
	// element's datetime attribute.
	Date, DateTime, Title, Party, Place string
	Own                                 bool
	// Corrected marks a step whose event was declared erroneous.
	Corrected bool
	// Logged marks a step whose audit-log leaf is covered by the latest
	// signed checkpoint.
	Logged bool
}

type warning struct {
	Kind, Text string
	// Detail is an optional second line, such as a recall's reason.
	Detail string
}

func (h *Handler) newView(w http.ResponseWriter, r *http.Request) *pageView {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	d := displayOf(q)
	v := &pageView{D: d, M: messagesByLang[d.Lang], Code: strings.TrimSpace(q.Get("code")), City: q.Get("city"), Status: http.StatusOK}
	extra := url.Values{}
	if v.Code != "" {
		extra.Set("code", v.Code)
	}
	toggle := func(nd display) string { return "/scan?" + nd.query(extra) }
	nd := d
	nd.Lang = LangEN
	if d.Lang == LangEN {
		nd.Lang = LangZH
	}
	v.LangURL = toggle(nd)
	nd = d
	nd.Large = !d.Large
	v.SizeURL = toggle(nd)
	nd = d
	nd.Contrast = !d.Contrast
	v.ContrastURL = toggle(nd)
	v.CityOptions = cityOptions(d.Lang, v.City)
	v.KindOptions = kindOptionsByLang[d.Lang]
	v.CSRF = h.csrfToken(w, r)
	return v
}

// handleScan serves the consumer page: the lookup form, and the result
// for ?code=.
func (h *Handler) handleScan(w http.ResponseWriter, r *http.Request) {
	v := h.newView(w, r)
	if v.Code != "" {
		h.lookup(r.Context(), v)
	}
	h.render(w, v)
}

func (h *Handler) render(w http.ResponseWriter, v *pageView) {
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	buf.Reset()
	head, err := h.head(v)
	if err != nil {
		h.log.Error("render consumer page head", "code", v.Code, "err", err)
		http.Error(w, "页面生成失败，请稍后再试 / The page could not be rendered; try again later.", http.StatusInternalServerError)
		return
	}
	v.Head = head
	if err := h.tmpl.ExecuteTemplate(buf, "page.html", v); err != nil {
		h.log.Error("render consumer page", "code", v.Code, "err", err)
		http.Error(w, "页面生成失败，请稍后再试 / The page could not be rendered; try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.D.HTMLLang())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(v.Status)
	w.Write(buf.Bytes())
}

// lookup fills v.Result for v.Code.
func (h *Handler) lookup(ctx context.Context, v *pageView) {
	v.Searched = true
	if utf8.RuneCountInString(v.Code) > 512 {
		v.Error = v.T("invalidCode") + ": " + pick(v.D.Lang, "超过 512 个字符", "longer than 512 characters")
		v.Status = http.StatusBadRequest
		return
	}
	sc, err := ident.Parse(v.Code)
	if err != nil || sc.Canonical == "" {
		msg := pick(v.D.Lang, "没有可查询的主键（如 GTIN）", "no primary key such as a GTIN")
		if err != nil {
			msg = err.Error()
		}
		v.Error = v.T("invalidCode") + ": " + msg
		v.Status = http.StatusBadRequest
		return
	}
	ids := scanIDs(sc)
	prod, found := h.product(ctx, sc)
	j, err := h.journeyOf(ctx, ids, productRules(prod))
	if err != nil {
		h.log.Error("load journey", "code", sc.Canonical, "err", err)
		v.Error = pick(v.D.Lang, "查询失败，请稍后再试。", "The lookup failed; try again later.")
		v.Status = http.StatusInternalServerError
		return
	}
	stats, err := h.scans.record(ctx, sc.Canonical, v.City, h.now())
	if err != nil {
		h.log.Error("record scan", "code", sc.Canonical, "err", err)
	}
	res := &result{Canonical: sc.Canonical}
	v.Result = res
	if len(j.steps) == 0 {
		v.Status = http.StatusNotFound
	}
	h.describe(ctx, v, sc, j, prod, found, stats)
}

// product returns the master data of the scanned product, looked up by
// product, class and then the code itself. found is false when the
// Directory has none of them.
func (h *Handler) product(ctx context.Context, sc *ident.Scan) (prod Product, found bool) {
	for _, id := range []string{sc.Product, sc.Class, sc.Canonical} {
		if id == "" || h.opts.Directory == nil {
			continue
		}
		p, ok, err := h.opts.Directory.Product(ctx, id)
		if err != nil {
			h.log.Error("product master data", "id", id, "err", err)
		}
		if ok {
			return p, true
		}
	}
	return Product{}, false
}

// describe builds the product fields, the journey steps and the warnings
// from master data, the scanned code and the public projection of the
// journey.
func (h *Handler) describe(ctx context.Context, v *pageView, sc *ident.Scan, j *journey, prod Product, found bool, stats ScanStats) {
	lang, res := v.D.Lang, v.Result
	name := v.T("unknownProduct")
	if found {
		name = pick(lang, prod.NameZH, prod.NameEN)
	}
	res.Fields = append(res.Fields, field{v.T("name"), name})
	if found {
		res.Fields = append(res.Fields, field{v.T("category"), pick(lang, prod.CategoryZH, prod.CategoryEN)})
		if pp, ok := h.party(ctx, prod.Producer); ok {
			res.Fields = append(res.Fields, field{v.T("producer"), h.partyName(lang, pp)})
		}
		res.Fields = append(res.Fields, field{v.T("origin"), pick(lang, prod.OriginZH, prod.OriginEN)})
		for _, c := range prod.Certifications {
			res.Certs = append(res.Certs, bilingual(lang, c))
		}
	}

	// Lot data from the scanned AIs, then from the code's own steps: the
	// lot, and the production and expiry dates of their ilmd, which take
	// precedence over the label's expiry date (AI 17).
	lot, serial, expires, produced := "", "", "", ""
	for _, e := range sc.Elements {
		switch e.AI {
		case "10":
			lot = e.Value
		case "21":
			serial = e.Value
		case "17":
			expires = ident.FormatValue("17", e.Value)
		}
	}
	if sc.CNCode != nil {
		serial = sc.CNCode.Field("serial")
		if lot == "" {
			lot = sc.CNCode.Field("batch")
		}
	}
	for _, s := range j.steps {
		if !s.Own {
			continue
		}
		if lot == "" && len(s.Lots) == 1 {
			lot = s.Lots[0]
		}
		if s.ProductionDate != "" {
			produced = s.ProductionDate
		}
		if s.ExpiryDate != "" {
			expires = s.ExpiryDate
		}
	}
	for _, f := range []field{{v.T("lot"), lot}, {v.T("serial"), serial}, {v.T("produced"), produced}, {v.T("expires"), expires}} {
		if f.Value != "" {
			res.Fields = append(res.Fields, f)
		}
	}
	res.Fields = append(res.Fields, field{v.T("code"), sc.Canonical})

	size, logged := h.checkpoint(ctx)
	covered := 0
	for _, s := range j.steps {
		sv := h.step(lang, s)
		sv.Logged = logged && s.HasLeaf && s.Leaf < size
		if sv.Logged {
			covered++
		}
		res.Steps = append(res.Steps, sv)
	}
	if h.opts.AuditLog != nil && len(j.steps) > 0 {
		if logged {
			res.LogText = fmt.Sprintf(v.T("logCovered"), covered, len(j.steps), size)
		} else {
			res.LogText = v.T("logNone")
		}
	}
	h.warn(ctx, v, sc, j, prod, found, expires, stats)
	res.finishHTML(lang)

	if stats.Count == 0 {
		res.ScanText = v.T("firstScan")
	} else {
		res.ScanText = fmt.Sprintf(v.T("scanCount"), stats.Count,
			stats.First.In(cstZone).Format("2006-01-02 15:04"), stats.Last.In(cstZone).Format("2006-01-02 15:04"))
		var cs []string
		for _, c := range stats.Cities {
			cs = append(cs, fmt.Sprintf("%s %d", cityName(lang, c.City), c.Count))
		}
		res.Cities = strings.Join(cs, pick(lang, "、", ", "))
	}
}

// bilingual returns the part of a "中文 / English" text in lang; other
// texts are returned unchanged.
func bilingual(lang Lang, s string) string {
	zh, en, ok := strings.Cut(s, " / ")
	if !ok {
		return s
	}
	return pick(lang, zh, en)
}

// cstZone is China Standard Time, in which lookup times are shown.
var cstZone = time.FixedZone("CST", 8*3600)

func cityName(lang Lang, zh string) string {
	for _, c := range guangdongCities {
		if c[0] == zh {
			return pick(lang, c[0], c[1])
		}
	}
	return zh
}

func (h *Handler) party(ctx context.Context, id string) (Party, bool) {
	if h.opts.Directory == nil || id == "" {
		return Party{}, false
	}
	if c, err := ident.Canonical(id); err == nil {
		id = c
	}
	p, ok, err := h.opts.Directory.Party(ctx, id)
	if err != nil {
		h.log.Error("party master data", "id", id, "err", err)
	}
	return p, ok
}

func (h *Handler) partyName(lang Lang, p Party) string {
	if p.Private {
		return pick(lang, p.RoleZH, p.RoleEN)
	}
	return pick(lang, p.NameZH, p.NameEN)
}

// step describes one projected event for the timeline: when, what, who
// and where.
func (h *Handler) step(lang Lang, s publicStep) stepView {
	sv := stepView{Date: s.Date, DateTime: s.Date, Own: s.Own, Corrected: s.Corrected}
	if s.Time != "" {
		sv.Date += " " + s.Time
		sv.DateTime += "T" + s.Time + s.TimeZoneOffset
	}
	key := s.Step
	if s.Disposition == "recalled" {
		key = "recall"
	}
	if t, ok := bizStepTitles[key]; ok {
		sv.Title = pick(lang, t[0], t[1])
	} else {
		sv.Title = key
	}
	sv.Party = pick(lang, s.Enterprise, s.EnterpriseEN)
	sv.Place = pick(lang, s.CityZH, s.CityEN)
	return sv
}

// warn adds the warnings that the public journey, the scanned code, the
// lookup counts and master data give reason for.
func (h *Handler) warn(ctx context.Context, v *pageView, sc *ident.Scan, j *journey, prod Product, found bool, expires string, stats ScanStats) {
	lang, res := v.D.Lang, v.Result
	add := func(kind, msg string) {
		res.Warnings = append(res.Warnings, warning{Kind: kind, Text: msg})
	}
	res.Warnings = append(res.Warnings, h.recallWarnings(ctx, v, scanIDs(sc), j)...)
	for _, s := range j.steps {
		if s.Own && s.Disposition == "destroyed" {
			add("destroyed", v.T("destroyed"))
			break
		}
	}
	if exp, err := time.ParseInLocation(time.DateOnly, expires, cstZone); err == nil {
		if h.now().After(exp.AddDate(0, 0, 1)) {
			add("expired", fmt.Sprintf(v.T("expired"), expires))
		}
		for _, s := range j.steps {
			if s.Own && isSale(s.Step) && s.Date > expires {
				add("expired", fmt.Sprintf(v.T("soldExpired"), s.Date))
				break
			}
		}
	}
	if isInstance(sc) {
		seen := map[string]bool{}
		var names []string
		for _, s := range j.steps {
			if !s.Own || !isSale(s.Step) {
				continue
			}
			place := s.City
			if place == "" {
				place = s.Enterprise
			}
			if place == "" || seen[place] {
				continue
			}
			seen[place] = true
			names = append(names, pick(lang, s.CityZH, s.CityEN))
		}
		if len(names) > 1 {
			add("counterfeit", fmt.Sprintf(v.T("clone"), strings.Join(names, pick(lang, "、", ", "))))
		}
		if stats.Count+1 >= h.opts.SuspectScans {
			add("counterfeit", fmt.Sprintf(v.T("manyScans"), stats.Count+1))
		}
	}
	res.Warnings = append(res.Warnings, h.creditWarnings(ctx, v, prod, found, j)...)
	if msg := coldChainText(v, j, prod); msg != "" {
		add("cold", msg)
	}
	for _, s := range j.steps {
		if s.OutputExceedsInput {
			add("mass", v.T("massBalance"))
			break
		}
	}
	for _, s := range j.steps {
		if s.UnlicensedConsignee {
			title, ok := licenceTitles[prod.RequiredLicence]
			if !ok {
				title = [2]string{"所需的许可证", "required licence"}
			}
			add("licence", fmt.Sprintf(v.T("unlicensed"), pick(lang, title[0], title[1])))
			break
		}
	}
	sort.SliceStable(res.Warnings, func(a, b int) bool { return warningRank[res.Warnings[a].Kind] < warningRank[res.Warnings[b].Kind] })
}

// warningRank orders warnings by how urgently a consumer must act.
var warningRank = map[string]int{"recall": 0, "counterfeit": 1, "expired": 2, "destroyed": 3, "cold": 4, "licence": 5, "mass": 6, "blacklist": 7}

// coldChainText returns the cold-chain warning of the journey, or "" when
// no step has one. It states the highest peak temperature the warned
// steps release, and the product's limit when that peak exceeds it.
func coldChainText(v *pageView, j *journey, prod Product) string {
	warned := false
	var peak *float64
	for _, s := range j.steps {
		if !s.ColdChainWarning {
			continue
		}
		warned = true
		if p := s.PeakTemperature; p != nil && s.TemperatureUnit == "CEL" && (peak == nil || *p > *peak) {
			peak = p
		}
	}
	switch {
	case !warned:
		return ""
	case peak != nil && prod.ColdChainMaxCelsius > 0 && *peak > prod.ColdChainMaxCelsius:
		return fmt.Sprintf(v.T("coldChain"), formatNumber(*peak), formatNumber(prod.ColdChainMaxCelsius))
	case peak != nil:
		return fmt.Sprintf(v.T("coldAlarmPeak"), formatNumber(*peak))
	}
	return v.T("coldAlarm")
}

func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isSale reports whether a bizStep (as a bare CBV word) hands goods to an
// end user.
func isSale(step string) bool {
	switch step {
	case "retail_selling", "dispensing":
		return true
	}
	return false
}

// isInstance reports whether a scan names one object rather than a lot or
// product: a serial number, an SSCC or GIAI, or a Chinese item code.
func isInstance(sc *ident.Scan) bool {
	if sc.CNCode != nil {
		return sc.CNCode.Field("serial") != "" || sc.CNCode.Field("random") != ""
	}
	for _, e := range sc.Elements {
		switch e.AI {
		case "21", "00", "8004", "235":
			return true
		}
	}
	return false
}

// handleComplaint stores a complaint posted from the consumer page.
func (h *Handler) handleComplaint(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "invalid form / 表单无效", http.StatusBadRequest)
		return
	}
	v := h.newView(w, r)
	if !h.checkCSRF(r) {
		v.Notice, v.NoticeBad, v.Status = v.T("csrfBad"), true, http.StatusForbidden
		h.render(w, v)
		return
	}
	c := Complaint{
		Kind:      r.PostFormValue("kind"),
		Message:   strings.TrimSpace(r.PostFormValue("message")),
		Contact:   strings.TrimSpace(r.PostFormValue("contact")),
		CreatedAt: h.now().UTC(),
	}
	if err := h.validComplaint(v, &c); err != nil {
		reason := strings.TrimPrefix(err.Error(), errComplaint.Error()+": ")
		v.Notice, v.NoticeBad, v.Status = fmt.Sprintf(v.T("complaintBad"), reason), true, http.StatusBadRequest
		h.render(w, v)
		return
	}
	n, err := h.opts.Feedback.AddComplaint(r.Context(), c)
	if err != nil {
		h.log.Error("store complaint", "code", c.Canonical, "err", err)
		v.Notice, v.NoticeBad, v.Status = pick(v.D.Lang, "投诉保存失败，请稍后再试。", "The complaint could not be saved; try again later."), true, http.StatusInternalServerError
		h.render(w, v)
		return
	}
	h.log.Info("complaint stored", "complaint", n, "code", c.Canonical, "kind", c.Kind)
	v.Notice = fmt.Sprintf(v.T("complaintThanks"), n)
	v.Code = ""
	v.Status = http.StatusOK
	h.render(w, v)
}

var errComplaint = errors.New("invalid complaint")

func (h *Handler) validComplaint(v *pageView, c *Complaint) error {
	lang := v.D.Lang
	sc, err := ident.Parse(v.Code)
	if err != nil || sc.Canonical == "" {
		return fmt.Errorf("%w: %s", errComplaint, pick(lang, "请先查询产品上的码", "look up the code on the product first"))
	}
	c.Canonical = sc.Canonical
	known := false
	for _, k := range ComplaintKinds {
		known = known || k.Key == c.Kind
	}
	if !known {
		return fmt.Errorf("%w: %s %q", errComplaint, pick(lang, "未知的问题类型", "unknown problem type"), c.Kind)
	}
	if c.Message == "" {
		return fmt.Errorf("%w: %s", errComplaint, pick(lang, "请填写情况说明", "describe what happened"))
	}
	if utf8.RuneCountInString(c.Message) > maxComplaintMessage {
		return fmt.Errorf("%w: %s", errComplaint, fmt.Sprintf(pick(lang, "情况说明不能超过 %d 字", "the description is longer than %d characters"), maxComplaintMessage))
	}
	if utf8.RuneCountInString(c.Contact) > maxComplaintContact {
		return fmt.Errorf("%w: %s", errComplaint, fmt.Sprintf(pick(lang, "联系方式不能超过 %d 字", "the contact is longer than %d characters"), maxComplaintContact))
	}
	return nil
}

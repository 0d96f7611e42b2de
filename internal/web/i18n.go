package web

import (
	"html/template"
	"net/url"
	"strings"
)

// Lang is a page language: "zh" (the default, zh-CN) or "en".
type Lang string

// Page languages.
const (
	LangZH Lang = "zh"
	LangEN Lang = "en"
)

// messages holds every page text as [Chinese, English].
var messages = map[string][2]string{
	"title":              {"溯源 · 产品追溯查询", "Suyuan · product trace lookup"},
	"heading":            {"产品追溯查询", "Product trace lookup"},
	"intro":              {"输入或扫描产品上的追溯码、条码或二维码内容。", "Enter or scan the trace code, barcode or QR code content on the product."},
	"codeLabel":          {"追溯码", "Code"},
	"codeHint":           {"支持 GS1 数字链接、(01)…(10)… 元素串、20 位药品追溯码、32 位农药标签码等", "GS1 Digital Link, (01)…(10)… element strings, 20-digit drug codes, 32-digit pesticide codes and more"},
	"cityLabel":          {"所在城市（选填）", "Your city (optional)"},
	"cityUnknown":        {"不填写", "not given"},
	"submit":             {"查询", "Look up"},
	"scan":               {"用摄像头扫码", "Scan with camera"},
	"scanStop":           {"停止扫码", "Stop scanning"},
	"scanUnsupported":    {"此浏览器不支持摄像头扫码，请手动输入。", "This browser cannot scan with the camera; please type the code."},
	"langSwitch":         {"English", "中文"},
	"largeOn":            {"大字模式", "Large text"},
	"largeOff":           {"标准字号", "Normal text"},
	"contrastOn":         {"高对比度", "High contrast"},
	"contrastOff":        {"标准对比度", "Normal contrast"},
	"display":            {"显示设置", "Display"},
	"invalidCode":        {"无法识别该追溯码", "This code could not be read"},
	"notFound":           {"平台上没有该码的追溯记录。请核对后重试；如怀疑假冒，可在下方投诉。", "The platform has no trace records for this code. Check it and try again; if you suspect a fake, file a complaint below."},
	"product":            {"产品信息", "Product"},
	"name":               {"名称", "Name"},
	"category":           {"类别", "Category"},
	"producer":           {"生产者", "Producer"},
	"origin":             {"产地", "Origin"},
	"lot":                {"批号", "Lot"},
	"serial":             {"序列号", "Serial"},
	"produced":           {"生产日期", "Production date"},
	"expires":            {"有效期至", "Expiry date"},
	"certs":              {"证书", "Certificates"},
	"code":               {"查询的码", "Code looked up"},
	"unknownProduct":     {"未登记的产品", "unregistered product"},
	"journey":            {"流通环节", "Journey"},
	"journeyNone":        {"暂无流通记录。", "No journey records yet."},
	"warnings":           {"警示", "Warnings"},
	"noWarnings":         {"未发现异常。", "No problems found."},
	"noRecords":          {"没有追溯记录，无法确认来源：该码可能未登记或为假冒，请谨慎购买或使用。", "No trace records: the source cannot be confirmed. The code may be unregistered or fake; take care before buying or using it."},
	"scans":              {"查询记录", "Lookups"},
	"firstScan":          {"这是该码第一次被查询。", "This is the first lookup of this code."},
	"scanCount":          {"该码此前已被查询 %d 次，首次 %s，最近 %s。", "Earlier lookups of this code: %d, first on %s, latest on %s."},
	"scanCities":         {"查询地点", "Where"},
	"complaint":          {"投诉与举报", "Complaints"},
	"complaintKind":      {"问题类型", "Problem"},
	"complaintText":      {"情况说明", "What happened"},
	"complaintContact":   {"联系方式（选填）", "Contact (optional)"},
	"complaintSend":      {"提交投诉", "Send complaint"},
	"complaintThanks":    {"投诉已收到，编号 %d。监管部门将尽快处理。", "Complaint received, number %d. The regulator will follow it up."},
	"complaintBad":       {"投诉未提交：%s", "Complaint not sent: %s"},
	"csrfBad":            {"表单已过期，请刷新页面后重新提交。", "The form has expired; reload the page and send it again."},
	"blacklisted":        {"生产者已被列入严重失信主体名单。", "The producer is on the credit blacklist."},
	"recalled":           {"该批次已召回，请勿食用或使用，可退货。", "This lot has been recalled: do not eat or use it; return it to the seller."},
	"recallNotice":       {"召回公告：%s", "Recall notice: %s"},
	"blacklistedParty":   {"旅程中的企业「%s」已被列入严重失信主体名单。", "%s, an enterprise on this product's journey, is on the credit blacklist."},
	"creditDocument":     {"决定书", "Decision"},
	"expired":            {"产品已过有效期（%s）。", "The product expired on %s."},
	"soldExpired":        {"有过期后仍在销售的记录（%s）。", "It was sold after its expiry date (%s)."},
	"clone":              {"疑似假冒：同一个码在多个城市售出（%s）。", "Suspected counterfeit: the same code was sold in several cities (%s)."},
	"manyScans":          {"疑似假冒：该码已被查询 %d 次，远多于正常情况。", "Suspected counterfeit: this code was looked up %d times, far more than usual."},
	"coldChain":          {"冷链运输中温度超标（最高 %s °C，限值 %s °C）。", "Temperature excursion in the cold chain (up to %s °C, limit %s °C)."},
	"coldAlarmPeak":      {"冷链传感器报警（最高 %s °C）。", "A cold-chain sensor raised an alarm (up to %s °C)."},
	"coldAlarm":          {"冷链传感器报警。", "A cold-chain sensor raised an alarm."},
	"massBalance":        {"加工产出重量超过投入，来源存疑。", "Processing output weighs more than its input; the origin is in doubt."},
	"unlicensed":         {"曾发货给未持有%s的单位。", "A shipment went to a consignee without a %s."},
	"corrected":          {"该记录已被声明有误", "this record was declared erroneous"},
	"inLog":              {"已签入审计日志", "in the signed audit log"},
	"logCovered":         {"本页 %[2]d 个环节中有 %[1]d 个已被审计日志最新签名检查点（树大小 %[3]d）覆盖。", "%[1]d of the %[2]d steps on this page are covered by the latest signed checkpoint of the audit log (tree size %[3]d)."},
	"logNone":            {"审计日志尚未签发检查点。", "The audit log has not signed a checkpoint yet."},
	"logLink":            {"查看检查点", "View the checkpoint"},
	"destroyed":          {"该物品已报废或销毁，不应再流通。", "This item was scrapped or destroyed and should no longer be in use."},
	"stepAt":             {"地点", "Where"},
	"privateParty":       {"个人用户", "private customer"},
	"footer":             {"溯源平台 · 广东省重要产品追溯 · 数据仅供参考，以监管部门公告为准", "Suyuan platform · Guangdong traceability of important products · official notices prevail"},
	"resolverError":      {"GS1 数字链接无效", "Invalid GS1 Digital Link"},
	"resolverSyntax":     {"链接不符合 GS1 数字链接的语法。", "The link does not follow the GS1 Digital Link syntax."},
	"resolverCheckDigit": {"链接中的校验位错误，可能是数字输错了。", "A check digit in the link is wrong; a digit may have been mistyped."},
	"resolverHelp":       {"请检查链接中的应用标识符（AI）和数值，例如 /01/06901234000016/10/ABC1。", "Check the application identifiers (AIs) and values in the link, for example /01/06901234000016/10/ABC1."},
	"back":               {"返回查询", "Back to lookup"},
}

// licenceTitles names licence kinds, keyed as in the party registry, for
// warnings.
var licenceTitles = map[string][2]string{
	"hazardous-chemical": {"危险化学品经营许可证", "hazardous chemicals business licence"},
	"drug-distribution":  {"药品经营许可证", "drug business licence"},
	"food-distribution":  {"食品经营许可证", "food business licence"},
	"pesticide":          {"农药经营许可证", "pesticide business licence"},
	"special-equipment":  {"特种设备许可证", "special equipment licence"},
}

// bizStepTitles names CBV 2.0 business steps by their short name.
var bizStepTitles = map[string][2]string{
	"commissioning":   {"生产赋码", "produced"},
	"shipping":        {"发货", "shipped"},
	"receiving":       {"收货", "received"},
	"retail_selling":  {"零售", "sold"},
	"dispensing":      {"医院发药", "dispensed"},
	"packing":         {"装箱", "packed"},
	"unpacking":       {"拆箱", "unpacked"},
	"inspecting":      {"检验检查", "inspected"},
	"holding":         {"暂扣", "held"},
	"transporting":    {"运输", "in transport"},
	"departing":       {"出口离境", "departed"},
	"destroying":      {"报废销毁", "scrapped"},
	"storing":         {"仓储", "stored"},
	"accepting":       {"验收", "accepted"},
	"bizstep-filling": {"充装", "filled"},
	"transformation":  {"加工", "processed"},
	"recall":          {"召回", "recalled"},
}

// messagesByLang holds messages per language, for templates.
var messagesByLang = map[Lang]map[string]string{LangZH: {}, LangEN: {}}

func init() {
	for k, m := range messages {
		messagesByLang[LangZH][k] = m[0]
		messagesByLang[LangEN][k] = m[1]
	}
}

// text returns the message for key in lang.
func text(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == LangEN {
		return m[1]
	}
	return m[0]
}

// pick returns zh or en by language, falling back to the other when empty.
func pick(lang Lang, zh, en string) string {
	if lang == LangEN && en != "" {
		return en
	}
	if zh == "" {
		return en
	}
	return zh
}

// display holds the page's language and accessibility settings, carried
// in the query string so that pages work without cookies or JavaScript.
type display struct {
	Lang     Lang
	Large    bool
	Contrast bool
}

func displayOf(q url.Values) display {
	d := display{Lang: LangZH}
	if q.Get("lang") == "en" {
		d.Lang = LangEN
	}
	d.Large = q.Get("size") == "large"
	d.Contrast = q.Get("contrast") == "high"
	return d
}

// query returns the settings as query parameters, with extra parameters.
func (d display) query(extra url.Values) string {
	v := url.Values{}
	for k, vs := range extra {
		v[k] = vs
	}
	if d.Lang == LangEN {
		v.Set("lang", "en")
	}
	if d.Large {
		v.Set("size", "large")
	}
	if d.Contrast {
		v.Set("contrast", "high")
	}
	return v.Encode()
}

// HTMLLang is the value of the html element's lang attribute.
func (d display) HTMLLang() string {
	if d.Lang == LangEN {
		return "en"
	}
	return "zh-CN"
}

// BodyClass returns the CSS classes of the page body.
func (d display) BodyClass() string {
	var c []string
	if d.Large {
		c = append(c, "large")
	}
	if d.Contrast {
		c = append(c, "contrast")
	}
	return strings.Join(c, " ")
}

var templateFuncs = template.FuncMap{}

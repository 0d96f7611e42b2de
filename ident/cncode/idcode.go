package cncode

import (
	"fmt"
	"strings"
	"time"
)

// MA codes (IDcode, MA 码). "MA" is the issuing agency code that
// ISO/IEC 15459 assigns to the IDcode system of the Zhongguancun industry
// and information research institute of two-dimensional codes (中关村工信
// 二维码技术研究院). An MA code is a tree of nodes separated by "." (the
// registrar also allows "/" between its parts): the user root of four
// nodes, MA.{country}.{industry or division code}.{user code}, followed by
// object category and user-defined nodes. Country 156 is China (ISO 3166-1
// numeric).
//
// Medical devices (industry code M0) follow the MA rules for unique device
// identification (医疗器械唯一标识 MA 编码规则) accepted by NMPA:
//
//	MA.156.M0.{registrant, 6 digits}.{product code, 8 digits}    device identifier (UDI-DI)
//	.L{lot}  .S{serial}  .D{sterilisation lot}                      production data units
//	.M{production date}  .V{valid-until date}  .E{expiry date}      (UDI-PI), each optional
//
// The product code is one packaging level digit, a six-digit item code and
// one check digit. Dates are YYMMDD or YYYYMMDD; lots, serials and
// sterilisation lots are letters and digits.
//
// NOTE: the product code check digit algorithm is not published, so it is
// not verified. Data units with other letters (labels carry ".C…" units)
// are kept as fields named "unit" + letter without interpretation.
//
// URI forms. The URI of a medical device MA code is urn:cn:idcode:{UDI-DI}
// followed by .S{serial} when the code has a serial, otherwise by .L{lot}
// when it has a lot: like the GS1 Digital Link canonical form it keeps the
// identifying keys and leaves dates and other attributes to the fields.
// Its class URI is urn:cn:idcode:{UDI-DI}, with .L{lot} when the code has
// a lot. A general MA code becomes urn:cn:idcode:{code} as written and has
// no class URI, because which of its nodes name the object category is up
// to each registrant.

// idcodeMedicalIndustry is the industry node of medical device MA codes.
const idcodeMedicalIndustry = "M0"

// idcodeUnits are the production data units of the medical device rules.
var idcodeUnits = map[byte]struct {
	name   string
	zh, en string
	isDate bool
}{
	'L': {"lot", "批号", "lot number", false},
	'S': {"serial", "序列号", "serial number", false},
	'M': {"productionDate", "生产日期", "production date", true},
	'D': {"sterilisationLot", "灭菌批号", "sterilisation lot", false},
	'V': {"validUntilDate", "有效期", "valid-until date", true},
	'E': {"expiryDate", "失效日期", "expiry date", true},
}

// idcodeNode is one node of an MA code with its 0-based byte offset.
type idcodeNode struct {
	text   string
	offset int
}

// splitIDcode splits s at "." and "/" and returns the nodes with offsets.
func splitIDcode(s string) []idcodeNode {
	var nodes []idcodeNode
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' || s[i] == '/' {
			nodes = append(nodes, idcodeNode{s[start:i], start})
			start = i + 1
		}
	}
	return nodes
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// ParseIDcode parses an MA code such as
// "MA.156.M0.100761.21234561.S0001.E270131", given plain or as
// "urn:cn:idcode:…". The root "MA" and the industry node are accepted in
// any letter case and normalised to upper case; other nodes keep their
// case. Nodes are letters and digits, non-empty.
func ParseIDcode(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, PrefixIDcode) {
		s = s[len(PrefixIDcode):]
	}
	if s == "" {
		return nil, invalid(SchemeIDcode, s, 0, "is empty", "为空")
	}
	nodes := splitIDcode(s)
	for _, n := range nodes {
		if n.text == "" {
			// An empty node at the end points at the trailing separator.
			return nil, invalid(SchemeIDcode, s, position(s, min(n.offset, len(s)-1)), "empty node (two separators in a row, or a separator at the start or end)",
				"节点为空（分隔符连续出现，或位于开头或结尾）")
		}
		for i := 0; i < len(n.text); i++ {
			if !isAlnum(n.text[i]) {
				c := runeAt(s, n.offset+i)
				return nil, invalid(SchemeIDcode, s, position(s, n.offset+i), fmt.Sprintf("%q is not allowed (nodes are letters and digits separated by \".\")", c),
					fmt.Sprintf("不允许出现“%s”（节点由字母和数字组成，以“.”分隔）", c))
			}
		}
	}
	if !strings.EqualFold(nodes[0].text, "MA") {
		return nil, invalid(SchemeIDcode, s, 1, `must start with the issuing agency code "MA"`, "应以发码机构代码“MA”开头")
	}
	if len(nodes) < 4 {
		return nil, invalid(SchemeIDcode, s, 0, fmt.Sprintf("has %d nodes, the user root alone has 4 (MA.country.industry.user)", len(nodes)),
			fmt.Sprintf("共 %d 个节点，用户根至少 4 个节点（MA.国家代码.行业代码.用户代码）", len(nodes)))
	}
	country := nodes[1]
	if len(country.text) != 3 || !allDigits(country.text) {
		return nil, invalid(SchemeIDcode, s, position(s, country.offset), fmt.Sprintf("country code %s must be 3 digits (ISO 3166-1 numeric, 156 for China)", country.text),
			fmt.Sprintf("国家代码 %s 应为 3 位数字（ISO 3166-1 数字代码，中国为 156）", country.text))
	}
	if strings.EqualFold(nodes[2].text, idcodeMedicalIndustry) {
		return parseIDcodeMedical(s, nodes)
	}

	v := "MA" + s[2:]
	countryText := codeText{}
	if country.text == "156" {
		countryText = codeText{"中国", "China"}
	}
	fields := []Field{
		{Name: "issuingAgency", TitleZH: "发码机构代码", TitleEN: "issuing agency code", Value: "MA", TextZH: "IDcode（ISO/IEC 15459 发码机构 MA）", TextEN: "IDcode (ISO/IEC 15459 issuing agency MA)"},
		{Name: "country", TitleZH: "国家代码", TitleEN: "country code", Value: country.text, TextZH: countryText.zh, TextEN: countryText.en},
		{Name: "industry", TitleZH: "行业或行政区划代码", TitleEN: "industry or division code", Value: nodes[2].text},
		{Name: "user", TitleZH: "用户代码", TitleEN: "user code", Value: nodes[3].text},
	}
	if len(nodes) > 4 {
		fields = append(fields, Field{Name: "object", TitleZH: "品类及自定义节点", TitleEN: "object category and user-defined nodes", Value: v[nodes[4].offset:]})
	}
	return &Code{Scheme: SchemeIDcode, Value: v, Fields: fields, uri: PrefixIDcode + v}, nil
}

// parseIDcodeMedical parses the medical device layout (industry M0).
func parseIDcodeMedical(s string, nodes []idcodeNode) (*Code, error) {
	if len(nodes) < 5 {
		return nil, invalid(SchemeIDcode, s, 0, "medical device code (M0) needs the registrant code and the product code: MA.156.M0.{6 digits}.{8 digits}",
			"医疗器械 MA 码（M0）须含注册人代码和产品编码：MA.156.M0.{6 位}.{8 位}")
	}
	registrant, product := nodes[3], nodes[4]
	if len(registrant.text) != 6 || !allDigits(registrant.text) {
		return nil, invalid(SchemeIDcode, s, position(s, registrant.offset), fmt.Sprintf("registrant code %s must be 6 digits", registrant.text),
			fmt.Sprintf("注册人代码 %s 应为 6 位数字", registrant.text))
	}
	if len(product.text) != 8 || !allDigits(product.text) {
		return nil, invalid(SchemeIDcode, s, position(s, product.offset), fmt.Sprintf("product code %s must be 8 digits (packaging level, 6-digit item, check digit)", product.text),
			fmt.Sprintf("产品编码 %s 应为 8 位数字（包装编码 1 位、项目编码 6 位、校验码 1 位）", product.text))
	}
	country := nodes[1].text
	di := "MA." + country + "." + idcodeMedicalIndustry + "." + registrant.text + "." + product.text

	countryText := codeText{}
	if country == "156" {
		countryText = codeText{"中国", "China"}
	}
	fields := []Field{
		{Name: "issuingAgency", TitleZH: "发码机构代码", TitleEN: "issuing agency code", Value: "MA", TextZH: "IDcode（ISO/IEC 15459 发码机构 MA）", TextEN: "IDcode (ISO/IEC 15459 issuing agency MA)"},
		{Name: "country", TitleZH: "国家代码", TitleEN: "country code", Value: country, TextZH: countryText.zh, TextEN: countryText.en},
		{Name: "industry", TitleZH: "行业代码", TitleEN: "industry code", Value: idcodeMedicalIndustry, TextZH: "医疗器械", TextEN: "medical devices"},
		{Name: "registrant", TitleZH: "注册人代码", TitleEN: "registrant code", Value: registrant.text},
		{Name: "packagingLevel", TitleZH: "包装编码", TitleEN: "packaging level", Value: product.text[0:1]},
		{Name: "item", TitleZH: "项目编码", TitleEN: "item code", Value: product.text[1:7]},
		{Name: "productCheck", TitleZH: "产品编码校验码", TitleEN: "product code check digit", Value: product.text[7:8]},
	}

	value := di
	seen := map[byte]bool{}
	var lot, serial string
	for _, n := range nodes[5:] {
		tag := n.text[0] &^ 0x20 // upper-case ASCII letter
		data := n.text[1:]
		if n.text[0] >= '0' && n.text[0] <= '9' {
			return nil, invalid(SchemeIDcode, s, position(s, n.offset), fmt.Sprintf("data unit %s must start with a letter (L, S, M, D, V, E)", n.text),
				fmt.Sprintf("数据单元 %s 应以字母开头（L、S、M、D、V、E）", n.text))
		}
		if seen[tag] {
			return nil, invalid(SchemeIDcode, s, position(s, n.offset), fmt.Sprintf("data unit %c appears twice", tag),
				fmt.Sprintf("数据单元 %c 重复出现", tag))
		}
		seen[tag] = true
		if data == "" {
			return nil, invalid(SchemeIDcode, s, position(s, n.offset), fmt.Sprintf("data unit %c has no value", tag),
				fmt.Sprintf("数据单元 %c 没有数据", tag))
		}
		value += "." + string(tag) + data
		unit, known := idcodeUnits[tag]
		if !known {
			fields = append(fields, Field{Name: "unit" + string(tag), TitleZH: "数据单元 " + string(tag), TitleEN: "data unit " + string(tag), Value: data})
			continue
		}
		f := Field{Name: unit.name, TitleZH: unit.zh, TitleEN: unit.en, Value: data}
		if unit.isDate {
			iso, err := idcodeDate(data)
			if err != nil {
				return nil, invalid(SchemeIDcode, s, position(s, n.offset+1), fmt.Sprintf("%s %s is not a date (YYMMDD or YYYYMMDD)", unit.en, data),
					fmt.Sprintf("%s %s 不是有效日期（应为 YYMMDD 或 YYYYMMDD）", unit.zh, data))
			}
			f.TextZH, f.TextEN = iso, iso
		}
		switch tag {
		case 'L':
			lot = data
		case 'S':
			serial = data
		}
		fields = append(fields, f)
	}

	c := &Code{Scheme: SchemeIDcode, Value: value, Fields: fields}
	switch {
	case serial != "":
		c.uri = PrefixIDcode + di + ".S" + serial
	case lot != "":
		c.uri = PrefixIDcode + di + ".L" + lot
	default:
		c.uri = PrefixIDcode + di
	}
	c.classURI = PrefixIDcode + di
	if lot != "" {
		c.classURI += ".L" + lot
	}
	return c, nil
}

// idcodeDate converts a YYMMDD or YYYYMMDD date to YYYY-MM-DD. Two-digit
// years are read as 20YY.
func idcodeDate(d string) (string, error) {
	if !allDigits(d) || (len(d) != 6 && len(d) != 8) {
		return "", fmt.Errorf("%q is not 6 or 8 digits", d)
	}
	if len(d) == 6 {
		d = "20" + d
	}
	t, err := time.Parse("20060102", d)
	if err != nil {
		return "", fmt.Errorf("parsing date %q: %w", d, err)
	}
	return t.Format("2006-01-02"), nil
}

package cncode

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Unified social credit code 统一社会信用代码, GB 32100-2015 《法人和其他组织
// 统一社会信用代码编码规则》: 18 characters from the 31-character set of
// digits and upper-case letters without I, O, Z, S and V.
//
//	position 1      registration authority code 登记管理部门代码
//	position 2      organisation type code 机构类别代码
//	positions 3-8   administrative division of the registering authority (GB/T 2260)
//	positions 9-17  organisation code 主体标识码 (GB 11714, its own check character last)
//	position 18     check character 校验码

// usccCharset lists the code characters of GB 32100-2015 table 1 in the
// order of their values 0-30.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccValue returns the GB 32100 value of c, or -1 when c is not a code
// character.
func usccValue(c byte) int {
	return strings.IndexByte(usccCharset, c)
}

// usccWeights are the weights W(i) = 3^(i-1) mod 31 of GB 32100-2015
// clause 5 for positions 1-17.
var usccWeights = func() [17]int {
	var w [17]int
	w[0] = 1
	for i := 1; i < 17; i++ {
		w[i] = w[i-1] * 3 % 31
	}
	return w
}()

// USCCCheckChar computes the check character (position 18) of a unified
// social credit code from its first 17 characters, per GB 32100-2015
// clause 5: C18 = 31 - MOD(Σ Ci×Wi, 31), where the value 31 becomes 0.
// Lower-case letters are accepted. It checks only that first17 has 17
// characters of the code character set; ParseUSCC checks the rest of the
// structure.
func USCCCheckChar(first17 string) (byte, error) {
	up := strings.ToUpper(first17)
	if n := utf8.RuneCountInString(up); n != 17 {
		return 0, invalid(SchemeUSCC, first17, 0, fmt.Sprintf("has %d characters, want the first 17 of a code", n),
			fmt.Sprintf("共 %d 位，应为代码的前 17 位", n))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := usccValue(up[i])
		if v < 0 {
			return 0, badUSCCChar(first17, i)
		}
		sum += v * usccWeights[i]
	}
	return usccCharset[(31-sum%31)%31], nil
}

func badUSCCChar(value string, i int) *Error {
	c := runeAt(value, i)
	return invalid(SchemeUSCC, value, position(value, i),
		fmt.Sprintf("%q is not a code character (digits and upper-case letters except I, O, Z, S, V)", c),
		fmt.Sprintf("“%s”不是代码字符（应为数字或除 I、O、Z、S、V 外的大写字母）", c))
}

// orgCodeWeights are the weights of GB 11714-1997 for the eight body
// characters of an organisation code.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrgCodeCheckChar computes the check character (the ninth character) of
// an organisation code 组织机构代码 from its first eight characters, per
// GB 11714-1997: C9 = 11 - MOD(Σ Ci×Wi, 11), digits count as their value
// and letters A-Z as 10-35; 10 is written "X" and 11 is written "0".
func OrgCodeCheckChar(first8 string) (byte, error) {
	if len(first8) != 8 {
		return 0, fmt.Errorf("%w: organisation code body %q has %d bytes, must have 8", ErrInvalid, first8, len(first8))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := first8[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, fmt.Errorf("%w: organisation code body %q: %q at position %d is not a digit or upper-case letter", ErrInvalid, first8, c, i+1)
		}
		sum += v * orgCodeWeights[i]
	}
	switch r := 11 - sum%11; r {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + r), nil
	}
}

type codeText struct{ zh, en string }

// usccAuthority is one registration authority of GB 32100-2015 with the
// organisation types it registers.
type usccAuthority struct {
	codeText
	types map[byte]codeText
}

var other = codeText{"其他", "other"}

// usccAuthorities is the table of registration authority codes and their
// organisation type codes, as allocated under GB 32100-2015.
var usccAuthorities = map[byte]usccAuthority{
	'1': {codeText{"机构编制", "institutional staffing"}, map[byte]codeText{
		'1': {"机关", "government body"},
		'2': {"事业单位", "public institution"},
		'3': {"中央编办直接管理机构编制的群众团体", "mass organisation under the central staffing office"},
		'9': other,
	}},
	'2': {codeText{"外交", "foreign affairs"}, map[byte]codeText{
		'1': {"外国常住新闻机构", "resident foreign news agency"},
		'9': other,
	}},
	'3': {codeText{"司法行政", "justice administration"}, map[byte]codeText{
		'1': {"律师执业机构", "law firm"},
		'2': {"公证处", "notary office"},
		'3': {"基层法律服务所", "grassroots legal service office"},
		'4': {"司法鉴定机构", "forensic appraisal institution"},
		'5': {"仲裁委员会", "arbitration commission"},
		'9': other,
	}},
	'4': {codeText{"文化", "culture"}, map[byte]codeText{
		'1': {"外国在华文化中心", "foreign cultural centre in China"},
		'9': other,
	}},
	'5': {codeText{"民政", "civil affairs"}, map[byte]codeText{
		'1': {"社会团体", "social organisation"},
		'2': {"民办非企业单位", "private non-enterprise unit"},
		'3': {"基金会", "foundation"},
		'9': other,
	}},
	'6': {codeText{"旅游", "tourism"}, map[byte]codeText{
		'1': {"外国旅游部门常驻代表机构", "representative office of a foreign tourism authority"},
		'2': {"港澳台地区旅游部门常驻内地（大陆）代表机构", "representative office of a Hong Kong, Macao or Taiwan tourism authority"},
		'9': other,
	}},
	'7': {codeText{"宗教", "religious affairs"}, map[byte]codeText{
		'1': {"宗教活动场所", "place of religious activity"},
		'2': {"宗教院校", "religious school"},
		'9': other,
	}},
	'8': {codeText{"工会", "trade union"}, map[byte]codeText{
		'1': {"基层工会", "grassroots trade union"},
		'9': other,
	}},
	'9': {codeText{"工商（市场监管）", "market regulation (industry and commerce)"}, map[byte]codeText{
		'1': {"企业", "enterprise"},
		'2': {"个体工商户", "individual business"},
		'3': {"农民专业合作社", "farmers' specialised cooperative"},
	}},
	'A': {codeText{"中央军委改革和编制办公室", "Central Military Commission reform and staffing office"}, map[byte]codeText{
		'1': {"军队事业单位", "military public institution"},
		'9': other,
	}},
	'N': {codeText{"农业", "agriculture"}, map[byte]codeText{
		'1': {"组级集体经济组织", "group-level collective economic organisation"},
		'2': {"村级集体经济组织", "village-level collective economic organisation"},
		'3': {"乡镇级集体经济组织", "township-level collective economic organisation"},
		'9': other,
	}},
	'Y': {codeText{"其他", "other"}, map[byte]codeText{
		'1': other,
	}},
}

// ParseUSCC parses a unified social credit code (GB 32100-2015), given
// plain or as "urn:cn:uscc:…". Lower-case letters are accepted and
// normalised to upper case. It checks, in this order:
//
//   - the length and that every character is a code character;
//   - the registration authority and organisation type against the
//     published table;
//   - the province of the division code, and in Guangdong the prefecture;
//   - the organisation code check character of GB 11714 at position 17;
//   - the check character at position 18.
func ParseUSCC(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, PrefixUSCC) {
		s = s[len(PrefixUSCC):]
	}
	if n := utf8.RuneCountInString(s); n != 18 {
		return nil, invalid(SchemeUSCC, s, 0, fmt.Sprintf("has %d characters, must have 18", n),
			fmt.Sprintf("共 %d 位，应为 18 位", n))
	}
	v := strings.ToUpper(s)
	for i := 0; i < 18; i++ {
		if usccValue(v[i]) < 0 {
			return nil, badUSCCChar(s, i)
		}
	}

	authority, ok := usccAuthorities[v[0]]
	if !ok {
		return nil, invalid(SchemeUSCC, s, 1, fmt.Sprintf("registration authority code %c is not allocated (known: 1-9, A, N, Y)", v[0]),
			fmt.Sprintf("登记管理部门代码 %c 未分配（应为 1-9、A、N、Y）", v[0]))
	}
	orgType, ok := authority.types[v[1]]
	if !ok {
		return nil, invalid(SchemeUSCC, s, 2, fmt.Sprintf("organisation type code %c is not allocated to registration authority %c (%s); allowed: %s", v[1], v[0], authority.en, typeList(authority)),
			fmt.Sprintf("机构类别代码 %c 不属于登记管理部门 %c（%s），可用：%s", v[1], v[0], authority.zh, typeList(authority)))
	}
	division := v[2:8]
	if i := firstNonDigit(division); i >= 0 {
		return nil, invalid(SchemeUSCC, s, 3+i, fmt.Sprintf("administrative division code %s must be 6 digits", division),
			fmt.Sprintf("登记管理机关行政区划码 %s 应为 6 位数字", division))
	}
	if off, reason, reasonZH, ok := divisionProblem(division, true); !ok {
		return nil, invalid(SchemeUSCC, s, 3+off, reason, reasonZH)
	}
	orgCode := v[8:17]
	want, err := OrgCodeCheckChar(orgCode[:8])
	if err != nil {
		return nil, fmt.Errorf("checking organisation code of %q: %w", s, err)
	}
	if orgCode[8] != want {
		return nil, invalid(SchemeUSCC, s, 17, fmt.Sprintf("organisation code check character must be %c (GB 11714)", want),
			fmt.Sprintf("组织机构代码校验码应为 %c（GB 11714）", want))
	}
	check, err := USCCCheckChar(v[:17])
	if err != nil {
		return nil, err
	}
	if v[17] != check {
		return nil, invalid(SchemeUSCC, s, 18, fmt.Sprintf("check character must be %c", check),
			fmt.Sprintf("校验码应为 %c", check))
	}

	divZH, divEN := divisionText(division)
	return &Code{
		Scheme: SchemeUSCC,
		Value:  v,
		Fields: []Field{
			{Name: "registrationAuthority", TitleZH: "登记管理部门代码", TitleEN: "registration authority code", Value: v[0:1], TextZH: authority.zh, TextEN: authority.en},
			{Name: "organisationType", TitleZH: "机构类别代码", TitleEN: "organisation type code", Value: v[1:2], TextZH: orgType.zh, TextEN: orgType.en},
			{Name: "division", TitleZH: "登记管理机关行政区划码", TitleEN: "administrative division code", Value: division, TextZH: divZH, TextEN: divEN},
			{Name: "organisationCode", TitleZH: "主体标识码（组织机构代码）", TitleEN: "organisation code", Value: orgCode},
			{Name: "checkCharacter", TitleZH: "校验码", TitleEN: "check character", Value: v[17:]},
		},
		uri: PrefixUSCC + v,
	}, nil
}

// typeList lists the organisation type codes of an authority, such as
// "1, 2, 3".
func typeList(a usccAuthority) string {
	var codes []string
	for _, c := range "0123456789" {
		if _, ok := a.types[byte(c)]; ok {
			codes = append(codes, string(c))
		}
	}
	return strings.Join(codes, ", ")
}

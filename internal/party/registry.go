// Package party owns the registry of enterprises, regulators and their
// locations, and the credentials that identify callers (API tokens, web
// users, sessions). It also owns the capture rules that decide whether a
// caller may report an event, and the projection of events for each
// audience: what the public, an enterprise, a regulator and the platform
// administrator may see.
//
// Every endpoint that returns events goes through Project, and every store
// used by the HTTP interface is wrapped by Guard, so that one set of rules
// decides visibility.
package party

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// ErrInvalid is wrapped by every *FieldError: a registration carries a
// value that breaks a rule.
var ErrInvalid = errors.New("invalid registration")

// FieldError names the field of a registration that is wrong, its value,
// and the rule, in English and Chinese.
type FieldError struct {
	Field   string
	Value   string
	Message string
	// MessageZH is the Chinese message; empty when only English exists.
	MessageZH string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Message)
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Licence kinds known to the registry. They follow the Chinese licensing
// regimes named in each comment.
var LicenceKinds = map[string]string{
	"food-production":            "食品生产许可证 (SC)",
	"food-distribution":          "食品经营许可证 (JY)",
	"drug-production":            "药品生产许可证",
	"drug-distribution":          "药品经营许可证",
	"medical-device":             "医疗器械生产/经营许可证",
	"hazardous-chemical":         "危险化学品经营许可证",
	"explosives":                 "民用爆炸物品生产/销售许可证",
	"special-equipment":          "特种设备生产许可证",
	"pesticide":                  "农药生产/经营许可证",
	"veterinary-drug":            "兽药生产/经营许可证",
	"industrial-product":         "工业产品生产许可证",
	"animal-epidemic-prevention": "动物防疫条件合格证",
}

// divisionProvinces lists the two-digit province codes of GB/T 2260.
var divisionProvinces = []string{
	"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
	"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
	"71", "81", "82",
}

// checkDivision checks a GB/T 2260 administrative division code. With
// prefix set it accepts the 2-, 4- or 6-digit prefixes a jurisdiction
// uses; otherwise it requires the full 6 digits.
func checkDivision(field, v string, prefix bool) error {
	okLen := len(v) == 6 || (prefix && (len(v) == 2 || len(v) == 4))
	if !okLen || !allDigits(v) {
		want := "6 digits, such as 440106"
		if prefix {
			want = "2, 4 or 6 digits, such as 44 (Guangdong) or 4401 (Guangzhou)"
		}
		return &FieldError{Field: field, Value: v, Message: "GB/T 2260 division code must be " + want,
			MessageZH: "行政区划代码 (GB/T 2260) 应为" + map[bool]string{false: " 6 位数字", true: " 2、4 或 6 位数字"}[prefix]}
	}
	if !slices.Contains(divisionProvinces, v[:2]) {
		return &FieldError{Field: field, Value: v, Message: fmt.Sprintf("GB/T 2260 province code %s does not exist", v[:2]),
			MessageZH: fmt.Sprintf("省级代码 %s 不存在", v[:2])}
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// NewID returns a new random identifier with the given prefix, such as
// "p" for parties and "tk" for tokens.
func NewID(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("party: crypto/rand failed: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}

// NormalizeParty checks a party registration and brings its values into
// stored form. The USCC is validated with its check characters (GB 32100),
// and the GLN becomes a canonical Digital Link of AI (417). Company
// prefixes and code prefixes are checked, and division codes must exist
// (GB/T 2260). It sets ID when empty and the timestamps. The first broken
// rule is returned as a *FieldError.
func NormalizeParty(p store.Party, now time.Time) (store.Party, error) {
	p.NameZH = strings.TrimSpace(p.NameZH)
	p.NameEN = strings.TrimSpace(p.NameEN)
	switch p.Kind {
	case store.PartyEnterprise, store.PartyRegulator, store.PartyOperator:
	default:
		return p, &FieldError{Field: "kind", Value: string(p.Kind), Message: "must be enterprise, regulator or operator",
			MessageZH: "类型应为 enterprise (企业)、regulator (监管部门) 或 operator (平台运营方)"}
	}
	if p.NameZH == "" {
		return p, &FieldError{Field: "nameZH", Value: "", Message: "the Chinese name is required", MessageZH: "缺少中文名称"}
	}
	if p.ID == "" {
		p.ID = NewID("p")
	} else if !validID(p.ID) {
		return p, &FieldError{Field: "id", Value: p.ID, Message: "must be 1 to 64 letters, digits, '-' or '_'", MessageZH: "ID 只能包含字母、数字、- 和 _，最长 64 位"}
	}

	if p.USCC != "" {
		code, err := cncode.ParseUSCC(p.USCC)
		if err != nil {
			var ce *cncode.Error
			if errors.As(err, &ce) {
				return p, &FieldError{Field: "uscc", Value: p.USCC, Message: ce.Error(), MessageZH: ce.MessageZH()}
			}
			return p, &FieldError{Field: "uscc", Value: p.USCC, Message: err.Error()}
		}
		p.USCC = code.Value
	} else if p.Kind == store.PartyEnterprise {
		return p, &FieldError{Field: "uscc", Value: "", Message: "an enterprise must give its unified social credit code (18 characters)",
			MessageZH: "企业须填写 18 位统一社会信用代码"}
	}

	if p.GLN != "" {
		gln, err := canonicalGLN(p.GLN)
		if err != nil {
			return p, &FieldError{Field: "gln", Value: p.GLN, Message: err.Error() + "; give a 13-digit GLN, a PGLN EPC URN or a Digital Link of AI 417"}
		}
		p.GLN = gln
	}
	for i, cp := range p.CompanyPrefixes {
		cp = strings.TrimSpace(cp)
		if !allDigits(cp) || len(cp) < 4 || len(cp) > 12 {
			return p, &FieldError{Field: fmt.Sprintf("companyPrefixes[%d]", i), Value: cp,
				Message: "a GS1 company prefix has 4 to 12 digits", MessageZH: "GS1 厂商识别代码应为 4 到 12 位数字"}
		}
		p.CompanyPrefixes[i] = cp
	}
	for i, cp := range p.CodePrefixes {
		norm, err := normalizeCodePrefix(cp)
		if err != nil {
			return p, &FieldError{Field: fmt.Sprintf("codePrefixes[%d]", i), Value: cp, Message: err.Error()}
		}
		p.CodePrefixes[i] = norm
	}
	p.CompanyPrefixes = dedupe(p.CompanyPrefixes)
	p.CodePrefixes = dedupe(p.CodePrefixes)

	if p.Region != "" {
		if err := checkDivision("region", p.Region, false); err != nil {
			return p, err
		}
	} else if p.Kind == store.PartyEnterprise {
		return p, &FieldError{Field: "region", Value: "", Message: "an enterprise must give its GB/T 2260 division code", MessageZH: "企业须填写行政区划代码"}
	}

	for i, l := range p.Licences {
		if _, ok := LicenceKinds[l.Kind]; !ok {
			return p, &FieldError{Field: fmt.Sprintf("licences[%d].kind", i), Value: l.Kind,
				Message: "unknown licence kind; use one of " + strings.Join(sortedKeys(LicenceKinds), ", "), MessageZH: "许可证类型未知"}
		}
		if strings.TrimSpace(l.Number) == "" {
			return p, &FieldError{Field: fmt.Sprintf("licences[%d].number", i), Value: "", Message: "the licence number is required", MessageZH: "缺少许可证编号"}
		}
		if l.Kind == "food-production" {
			if _, err := cncode.Parse(l.Number); err != nil {
				return p, &FieldError{Field: fmt.Sprintf("licences[%d].number", i), Value: l.Number, Message: err.Error()}
			}
		}
		if !l.ValidUntil.IsZero() && l.ValidUntil.Before(l.ValidFrom) {
			return p, &FieldError{Field: fmt.Sprintf("licences[%d].validUntil", i), Value: l.ValidUntil.Format(time.DateOnly),
				Message: "ends before validFrom " + l.ValidFrom.Format(time.DateOnly), MessageZH: "有效期截止日早于起始日"}
		}
	}

	if p.Kind == store.PartyRegulator {
		if p.Jurisdiction == "" {
			return p, &FieldError{Field: "jurisdiction", Value: "", Message: "a regulator must give its jurisdiction as a GB/T 2260 division code prefix",
				MessageZH: "监管部门须填写辖区行政区划代码前缀"}
		}
		if err := checkDivision("jurisdiction", p.Jurisdiction, true); err != nil {
			return p, err
		}
		if strings.TrimSpace(p.Department) == "" {
			return p, &FieldError{Field: "department", Value: "", Message: "a regulator must name its department", MessageZH: "监管部门须填写部门名称"}
		}
	} else if p.Jurisdiction != "" {
		return p, &FieldError{Field: "jurisdiction", Value: p.Jurisdiction, Message: "only regulators have a jurisdiction", MessageZH: "只有监管部门有辖区"}
	}

	if p.CreatedAt.IsZero() {
		p.CreatedAt = now.UTC()
	}
	p.UpdatedAt = now.UTC()
	return p, nil
}

// NormalizeLocation checks a location registration: the identifier becomes
// its canonical form (package ident), the division code must exist and the
// owner must be named.
func NormalizeLocation(l store.Location, now time.Time) (store.Location, error) {
	orig := strings.TrimSpace(l.Original)
	if orig == "" {
		orig = strings.TrimSpace(l.ID)
	}
	if orig == "" {
		return l, &FieldError{Field: "id", Value: "", Message: "the location identifier is required (an SGLN EPC URN, a Digital Link or another URI)", MessageZH: "缺少位置标识"}
	}
	canonical, err := ident.Canonical(orig)
	if err != nil {
		return l, &FieldError{Field: "id", Value: orig, Message: err.Error()}
	}
	l.ID, l.Original = canonical, orig
	if strings.TrimSpace(l.PartyID) == "" {
		return l, &FieldError{Field: "partyID", Value: "", Message: "the owning party is required", MessageZH: "缺少所属主体"}
	}
	if strings.TrimSpace(l.Name) == "" {
		return l, &FieldError{Field: "name", Value: "", Message: "the location name is required", MessageZH: "缺少位置名称"}
	}
	if err := checkDivision("division", l.Division, false); err != nil {
		return l, err
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now.UTC()
	}
	l.UpdatedAt = now.UTC()
	return l, nil
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// canonicalGLN returns the canonical Digital Link of a party GLN.
func canonicalGLN(v string) (string, error) {
	v = strings.TrimSpace(v)
	if allDigits(v) {
		gln, err := ident.ParseGLN(v)
		if err != nil {
			return "", err
		}
		return "https://id.gs1.org/417/" + gln, nil
	}
	c, err := ident.Canonical(v)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(c, "https://id.gs1.org/417/") && !strings.HasPrefix(c, "https://id.gs1.org/414/") {
		return "", fmt.Errorf("not a GLN (AI 414 or 417)")
	}
	return strings.Replace(c, "/414/", "/417/", 1), nil
}

// codeClassPrefixes maps the product-level URI prefixes of package cncode
// to the instance-level ones, so that one registered prefix covers both.
var codeClassPrefixes = map[string]string{
	cncode.PrefixDrugClass:      cncode.PrefixDrug,
	cncode.PrefixPesticideClass: cncode.PrefixPesticide,
}

// normalizeCodePrefix checks a Chinese code prefix. It accepts the URI
// form ("urn:cn:nmpa:drug:8100001") and the short form
// ("nmpa:drug:8100001").
func normalizeCodePrefix(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if !strings.HasPrefix(v, "urn:cn:") {
		v = "urn:cn:" + v
	}
	for class, inst := range codeClassPrefixes {
		if strings.HasPrefix(v, class) {
			v = inst + v[len(class):]
		}
	}
	known := []string{cncode.PrefixDrug, cncode.PrefixPesticide, cncode.PrefixVetDrug, cncode.PrefixIDcode}
	for _, k := range known {
		if !strings.HasPrefix(v, k) || len(v) == len(k) {
			continue
		}
		tail := v[len(k):]
		if k == cncode.PrefixIDcode {
			if strings.ContainsAny(tail, " \t/?#") {
				return "", fmt.Errorf("MA code prefix %q must not contain spaces, '/', '?' or '#'", tail)
			}
			return cncode.PrefixIDcode + strings.ToUpper(tail), nil
		}
		if !allDigits(tail) {
			return "", fmt.Errorf("the code part %q of the prefix must be digits", tail)
		}
		return v, nil
	}
	return "", fmt.Errorf("a code prefix is a scheme URI prefix followed by the code's leading characters, such as urn:cn:nmpa:drug:8100001; schemes: %s", strings.Join(known, ", "))
}

func dedupe(list []string) []string {
	slices.Sort(list)
	return slices.Compact(list)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

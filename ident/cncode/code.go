// Package cncode owns the Chinese code schemes that identify parties,
// products and items on Chinese labels and licences. For each scheme it
// has a parser and validator, and a URI under which the platform uses the
// code as an identifier in EPCIS events. The schemes are:
//
//   - unified social credit code 统一社会信用代码, GB 32100-2015, with the
//     organisation code check character of GB 11714-1997 and the
//     administrative division code of GB/T 2260;
//   - drug traceability code 药品追溯码, 20-digit layout of NMPAB/T 1002-2019
//     《药品追溯码编码要求》 as issued through the 码上放心 platform;
//   - pesticide label QR code unit identification code 农药标签二维码单元识别代码,
//     Ministry of Agriculture announcement No. 2579 (2017);
//   - veterinary drug traceability code 兽药产品追溯码, 24 digits issued by
//     the national veterinary drug traceability system (国家兽药产品追溯系统)
//     under Ministry of Agriculture announcement No. 2210 (2015);
//   - food production licence number 食品生产许可证编号, SC + 14 digits,
//     《食品生产许可管理办法》 (SAMR Order No. 24, 2020) article 29;
//   - MA codes (IDcode, MA 码), the ISO/IEC 15459 issuing agency code
//     "MA", in the medical device layout of the MA code rules for unique
//     device identification (MA.156.M0.…) and the general IDcode node form.
//
// Parse detects the scheme of a string, in plain or URI form. Every parser
// returns a *Code with the segments of the code as Fields, or an *Error
// that names the value, the 1-based position of the wrong character where
// there is one, and the rule in English and Chinese.
//
// The package imports only the standard library, so package ident and other
// Go programs can use it. Its tables are read-only, and every function is
// safe for concurrent use.
package cncode

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Scheme names a code scheme. Its values are stable and appear in API
// output.
type Scheme string

// The schemes of this package. The *Class schemes are the product-level
// forms that only occur as URIs (urn:cn:nmpa:drugclass:…).
const (
	SchemeUSCC           Scheme = "uscc"
	SchemeDrug           Scheme = "nmpa-drug"
	SchemeDrugClass      Scheme = "nmpa-drugclass"
	SchemePesticide      Scheme = "moa-pesticide"
	SchemePesticideClass Scheme = "moa-pesticideclass"
	SchemeVetDrug        Scheme = "moa-vetdrug"
	SchemeFoodLicence    Scheme = "samr-sc"
	SchemeIDcode         Scheme = "idcode"
)

// URI prefixes of the schemes. The urn:cn: forms are this platform's own
// URN forms (no registered URN namespace exists for these codes), which
// EPCIS 2.0 accepts because it allows any URI as an identifier where no GS1
// key applies.
const (
	PrefixUSCC           = "urn:cn:uscc:"
	PrefixDrug           = "urn:cn:nmpa:drug:"
	PrefixDrugClass      = "urn:cn:nmpa:drugclass:"
	PrefixPesticide      = "urn:cn:moa:pesticide:"
	PrefixPesticideClass = "urn:cn:moa:pesticideclass:"
	PrefixVetDrug        = "urn:cn:moa:vetdrug:"
	PrefixFoodLicence    = "urn:cn:samr:sc:"
	PrefixIDcode         = "urn:cn:idcode:"
)

// TitleZH returns the Chinese name of the scheme, such as "统一社会信用代码".
func (s Scheme) TitleZH() string { return schemeTitles[s].zh }

// TitleEN returns the English name of the scheme, such as
// "unified social credit code".
func (s Scheme) TitleEN() string { return schemeTitles[s].en }

var schemeTitles = map[Scheme]struct{ zh, en string }{
	SchemeUSCC:           {"统一社会信用代码", "unified social credit code"},
	SchemeDrug:           {"药品追溯码", "drug traceability code"},
	SchemeDrugClass:      {"药品标识码", "drug product code"},
	SchemePesticide:      {"农药标签二维码单元识别代码", "pesticide label unit identification code"},
	SchemePesticideClass: {"农药产品代码", "pesticide product code"},
	SchemeVetDrug:        {"兽药产品追溯码", "veterinary drug traceability code"},
	SchemeFoodLicence:    {"食品生产许可证编号", "food production licence number"},
	SchemeIDcode:         {"MA 码 (IDcode)", "MA code (IDcode)"},
}

// Code is one parsed code.
type Code struct {
	// Scheme is the detected scheme.
	Scheme Scheme
	// Value is the code in its normalised plain form: letters upper case,
	// no URI prefix, such as "91350100M000100Y43".
	Value string
	// Fields lists the segments of the code in the order they appear.
	Fields []Field

	uri      string
	classURI string
}

// URI returns the identifier of the code for EPCIS events, such as
// "urn:cn:uscc:91350100M000100Y43". Parse(c.URI()) returns the same code.
func (c *Code) URI() string { return c.uri }

// ClassURI returns the product-level identifier of the code, such as
// "urn:cn:nmpa:drugclass:8100001" for a drug traceability code, or "" when
// the scheme has none (unified social credit codes, food production licence
// numbers and veterinary drug traceability codes identify no product).
func (c *Code) ClassURI() string { return c.classURI }

// Field returns the value of the field with the given name, or "" when the
// code has no such field.
func (c *Code) Field(name string) string {
	for _, f := range c.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Field is one segment of a code.
type Field struct {
	// Name is the field's stable English identifier, such as
	// "registrationAuthority".
	Name string
	// TitleZH and TitleEN are the field's human-readable names.
	TitleZH string
	TitleEN string
	// Value is the segment as written in the code.
	Value string
	// TextZH and TextEN give the meaning of a coded value, such as
	// "广东省" for the province code "44". Both are empty for values that
	// no published table defines.
	TextZH string
	TextEN string
}

// ErrInvalid is wrapped by every *Error: the string belongs to a known
// scheme (or was given to that scheme's parser) but breaks one of its rules.
var ErrInvalid = errors.New("invalid code")

// ErrUnknownScheme is returned by Parse when the string matches none of the
// schemes of this package. Callers that try several identifier systems in
// turn test for it with errors.Is and move on to the next one.
var ErrUnknownScheme = errors.New("not a known Chinese code scheme")

// Error describes why a code is invalid. It wraps ErrInvalid.
type Error struct {
	Scheme Scheme
	// Value is the input as given to the parser (after trimming spaces).
	Value string
	// Position is the 1-based position of the wrong character within the
	// plain code, or 0 when the rule concerns the whole code.
	Position int
	// Reason and ReasonZH state the broken rule, such as "check character
	// must be 3" and "校验码应为 3".
	Reason   string
	ReasonZH string
}

// Error returns the English message, for example
// `invalid unified social credit code "91350100M000100Y4Z": position 18: check character must be 3`.
func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("invalid %s %q: position %d: %s", e.Scheme.TitleEN(), e.Value, e.Position, e.Reason)
	}
	return fmt.Sprintf("invalid %s %q: %s", e.Scheme.TitleEN(), e.Value, e.Reason)
}

// MessageZH returns the Chinese message, for example
// `统一社会信用代码 "91350100M000100Y4Z" 无效：第 18 位校验码应为 3`.
func (e *Error) MessageZH() string {
	if e.Position > 0 {
		return fmt.Sprintf("%s %q 无效：第 %d 位%s", e.Scheme.TitleZH(), e.Value, e.Position, e.ReasonZH)
	}
	return fmt.Sprintf("%s %q 无效：%s", e.Scheme.TitleZH(), e.Value, e.ReasonZH)
}

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// invalid builds an *Error for value.
func invalid(s Scheme, value string, pos int, reason, reasonZH string) *Error {
	return &Error{Scheme: s, Value: value, Position: pos, Reason: reason, ReasonZH: reasonZH}
}

// maxInput is the maximum length in bytes of a string Parse examines, so
// that a megabyte of garbage is rejected without being scanned. An MA code
// with every data unit, the longest code of this package, is about 90 bytes.
const maxInput = 512

// Parse detects the scheme of s and parses it. It accepts the plain forms:
// 18-character unified social credit codes, "SC" followed by digits, 20-,
// 24- and 32-digit codes, and "MA." codes. It also accepts every URI form
// of this package. Label QR codes often contain an http or https URL, so
// Parse also accepts such URLs when they carry an MA code or a 32-digit
// pesticide code in the path or in a query parameter (see parseURL).
// Surrounding white space is ignored.
//
// Parse returns an *Error (wrapping ErrInvalid) when s has the shape of a
// scheme but breaks its rules, and an error wrapping ErrUnknownScheme when
// s has the shape of none.
func Parse(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxInput {
		return nil, fmt.Errorf("%w: input of %d bytes is longer than any supported code (%d bytes)", ErrUnknownScheme, len(s), maxInput)
	}
	for _, p := range uriParsers {
		if hasPrefixFold(s, p.prefix) {
			return p.parse(s[len(p.prefix):])
		}
	}
	if hasPrefixFold(s, "http://") || hasPrefixFold(s, "https://") {
		return parseURL(s)
	}
	if hasPrefixFold(s, "ma.") || hasPrefixFold(s, "ma/") {
		return ParseIDcode(s)
	}
	if hasPrefixFold(s, "sc") && len(s) > 2 && s[2] >= '0' && s[2] <= '9' {
		return ParseFoodLicence(s)
	}
	if allDigits(s) {
		switch len(s) {
		case 20:
			return ParseDrug(s)
		case 24:
			return ParseVetDrug(s)
		case 32:
			return ParsePesticide(s)
		}
	}
	if len(s) == 18 {
		return ParseUSCC(s)
	}
	return nil, fmt.Errorf("%w: %q: expected an 18-character unified social credit code, SC + 14 digits, a 20-, 24- or 32-digit traceability code, an MA. code or one of their URIs", ErrUnknownScheme, s)
}

var uriParsers = []struct {
	prefix string
	parse  func(string) (*Code, error)
}{
	{PrefixUSCC, ParseUSCC},
	{PrefixDrugClass, parseDrugClass},
	{PrefixDrug, ParseDrug},
	{PrefixPesticideClass, parsePesticideClass},
	{PrefixPesticide, ParsePesticide},
	{PrefixVetDrug, ParseVetDrug},
	{PrefixFoodLicence, ParseFoodLicence},
	{PrefixIDcode, ParseIDcode},
}

// hasPrefixFold reports whether s starts with prefix, ignoring the case of
// ASCII letters only; prefix must be lower-case ASCII.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// firstNonDigit returns the index of the first byte of s that is not an
// ASCII digit, or -1.
func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

// checkDigits returns an *Error unless s is exactly n ASCII digits.
func checkDigits(scheme Scheme, s string, n int) error {
	if i := firstNonDigit(s); i >= 0 {
		return invalid(scheme, s, position(s, i), fmt.Sprintf("%q is not a digit (the code has %d digits)", runeAt(s, i), n),
			fmt.Sprintf("“%s”不是数字（本码由 %d 位数字组成）", runeAt(s, i), n))
	}
	if len(s) != n {
		return invalid(scheme, s, 0, fmt.Sprintf("has %d digits, must have %d", len(s), n),
			fmt.Sprintf("共 %d 位，应为 %d 位数字", len(s), n))
	}
	return nil
}

// position returns the 1-based character position of byte index i of s.
func position(s string, i int) int {
	return utf8.RuneCountInString(s[:i]) + 1
}

// runeAt returns the character that starts at byte i of s, or the byte
// itself in hex when s is not valid UTF-8 there.
func runeAt(s string, i int) string {
	for j, r := range s {
		if j == i {
			if r == '\uFFFD' {
				return fmt.Sprintf("\\x%02x", s[i])
			}
			return string(r)
		}
		if j > i {
			break
		}
	}
	return fmt.Sprintf("\\x%02x", s[i])
}

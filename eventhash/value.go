package eventhash

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
)

// timeLayout writes a timestamp in UTC with exactly three fractional digits
// and the zone as "Z", as the CBV 2.0 hash rules on timestamps require.
const timeLayout = "2006-01-02T15:04:05.000Z"

// formatTime converts t to UTC and rounds it to the millisecond, half up:
// 11:04:03.1415 becomes 11:04:03.142 and 11:04:03.1414 becomes
// 11:04:03.141.
func formatTime(t time.Time) string {
	return t.UTC().Add(500 * time.Microsecond).Truncate(time.Millisecond).Format(timeLayout)
}

// cbvURNPrefixes maps the URN prefixes of the CBV 1.x vocabularies to the
// GS1 web URI prefixes of CBV 2.0, for values found outside the typed
// vocabulary fields, such as in user extensions.
var cbvURNPrefixes = []struct{ urn, web string }{
	{"urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"},
	{"urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"},
	{"urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"},
	{"urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"},
	{"urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"},
}

// standardCURIEs maps the CURIE prefixes of the GS1 vocabularies to their
// namespace IRIs. A value written as such a CURIE is expanded; CURIEs of
// any other prefix stay as written, because their binding belongs to the
// document, not to the event.
var standardCURIEs = []struct{ prefix, iri string }{
	{"gs1:", "https://gs1.org/voc/"},
	{"cbv:", "https://ref.gs1.org/cbv/"},
	{"epcis:", "https://ref.gs1.org/epcis/"},
}

// canonicalValue normalises one value for the pre-hash string. It first
// removes leading and trailing white space. Then a CBV URN becomes its web
// URI and a CURIE of the GS1 vocabularies is expanded. A number loses its
// trailing zeros (see canonicalNumber). Last, an EPC URN becomes its GS1
// Digital Link URI, and a GS1 Digital Link URI is constrained (see
// constrainDigitalLink). Any other value is returned trimmed.
func canonicalValue(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, p := range cbvURNPrefixes {
		if rest, ok := strings.CutPrefix(s, p.urn); ok {
			s = p.web + rest
			break
		}
	}
	for _, p := range standardCURIEs {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok {
			s = p.iri + rest
			break
		}
	}
	if n, ok := canonicalNumber(s); ok {
		return n
	}
	if len(s) > 8 && strings.EqualFold(s[:8], "urn:epc:") {
		// NOTE: ident percent-encodes ";" and "=" in serial numbers and
		// writes escapes in upper case. The reference implementation keeps
		// the URN's escapes as written and leaves ";" and "=" literal, so
		// hashes of such EPCs differ from its output.
		if dl, err := ident.URNToDigitalLink(s); err == nil {
			return dl
		}
		return s
	}
	if dl, ok := constrainDigitalLink(s); ok {
		return dl
	}
	return s
}

// vocabularyValue returns the GS1 web URI form of a value of a CBV or GS1
// web vocabulary field, in canonical form for the pre-hash string.
func vocabularyValue(v epcis.Vocab, s string) string {
	return canonicalValue(epcis.WebURI(v, strings.TrimSpace(s)))
}

// canonicalNumber reports whether s is a decimal number and returns its
// canonical text. It follows the reference implementation, which reads
// every value as an IEEE 754 double: a value with an integral double is
// written as that integer in full ("600.0" -> "600", and
// "111100001111000011110000" -> "111100001111000003641344", the nearest
// double); any other value is written in the shortest form that reads back
// as the same double ("26.10" -> "26.1", "0.00001" -> "1e-05").
//
// The accepted syntax is that of a decimal floating-point literal: an
// optional sign, digits with at most one decimal point, an optional
// exponent, and single underscores between digits. "inf" and "nan" are not
// numbers here, so such values stay as written, and so does a value too
// large for a double.
func canonicalNumber(s string) (string, bool) {
	if !isDecimalLiteral(s) {
		return "", false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil || math.IsInf(f, 0) {
		return "", false
	}
	return formatNumber(f), true
}

// isDecimalLiteral reports whether s is a decimal floating-point literal as
// canonicalNumber describes it.
func isDecimalLiteral(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	intDigits, next, ok := scanDigits(s, i)
	if !ok {
		return false
	}
	i = next
	fracDigits := 0
	if i < len(s) && s[i] == '.' {
		fracDigits, next, ok = scanDigits(s, i+1)
		if !ok {
			return false
		}
		i = next
	}
	if intDigits == 0 && fracDigits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits, next, ok := scanDigits(s, i)
		if !ok || expDigits == 0 {
			return false
		}
		i = next
	}
	return i == len(s)
}

// scanDigits reads digits from s[i:], allowing one underscore between two
// digits. It returns the number of digits read, the index after them, and
// false for a misplaced underscore.
func scanDigits(s string, i int) (count, next int, ok bool) {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			count++
			i++
		case c == '_':
			if count == 0 || i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' {
				return count, i, false
			}
			i++
		default:
			return count, i, true
		}
	}
	return count, i, true
}

// formatNumber writes a finite double as canonicalNumber describes: an
// integral value as its exact integer, any other value in the shortest
// round-trip form, in positional notation for decimal exponents from -5 to
// 15 and in scientific notation ("1e-05") outside them.
func formatNumber(f float64) string {
	if f == math.Trunc(f) {
		if f == 0 {
			return "0" // also for -0
		}
		if math.Abs(f) < 1<<53 {
			return strconv.FormatInt(int64(f), 10)
		}
		return new(big.Float).SetFloat64(f).Text('f', 0)
	}
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return mant + "e" + expText[:1] + twoDigits(expText[1:])
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// twoDigits pads a decimal exponent to at least two digits.
func twoDigits(digits string) string {
	if len(digits) < 2 {
		return "0" + digits
	}
	return digits
}

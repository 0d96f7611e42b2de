package ident

import (
	"fmt"
	"strconv"
	"time"
)

// linter checks the content of one AI data component and returns a
// description of the broken rule, or "" when the content is valid. offset
// is the 0-based index of the first broken character when it is known,
// else -1.
type linter func(v string) (rule string, offset int)

// linters maps the linter names of the GS1 Barcode Syntax Dictionary to
// their checks.
var linters = map[string]linter{
	"csum":           lintCsum,
	"csumalpha":      lintCsumAlpha,
	"gcppos1":        lintGCPPos(0),
	"gcppos2":        lintGCPPos(1),
	"hasnondigit":    lintHasNonDigit,
	"hh":             lintRange("hour", 0, 23),
	"mi":             lintRange("minute", 0, 59),
	"ss":             lintRange("second", 0, 59),
	"hhmi":           lintHHMI,
	"iban":           lintIBAN,
	"importeridx":    lintImporterIndex,
	"iso3166":        lintCodeList("ISO 3166-1 numeric country code", iso3166Numeric, ""),
	"iso3166999":     lintCodeList("ISO 3166-1 numeric country code", iso3166Numeric, "999"),
	"iso3166alpha2":  lintCodeList("ISO 3166-1 alpha-2 country code", iso3166Alpha2, ""),
	"iso4217":        lintCodeList("ISO 4217 numeric currency code", iso4217Numeric, ""),
	"iso5218":        lintOneOf("ISO/IEC 5218 sex code", "0", "1", "2", "9"),
	"latitude":       lintMax("latitude", 1800000000),
	"longitude":      lintMax("longitude", 3600000000),
	"mediatype":      lintMediaType,
	"nonzero":        lintNonZero,
	"nozeroprefix":   lintNoZeroPrefix,
	"packagetype":    lintPackageType,
	"pcenc":          lintPercentEncoding,
	"pieceoftotal":   lintPieceOfTotal,
	"posinseqslash":  lintPositionInSequence,
	"winding":        lintOneOf("winding direction", "0", "1", "9"),
	"yesno":          lintOneOf("yes/no flag", "0", "1"),
	"yymmd0":         lintDate6(true),
	"yymmdd":         lintDate6(false),
	"yyyymmdd":       lintDate8,
	"zero":           lintOneOf("fixed digit", "0"),
	"hyphen":         lintOneOf("hyphen (negative value marker)", "-"),
	"couponcode":     lintCoupon,
	"couponposoffer": lintCoupon,
}

func lintCsum(v string) (string, int) {
	want, err := CheckDigit(v[:len(v)-1])
	if err != nil {
		return "check digit needs digits only", -1
	}
	if v[len(v)-1] != want {
		return fmt.Sprintf("invalid check digit %c, want %c", v[len(v)-1], want), len(v) - 1
	}
	return "", -1
}

// cset82Order is CSET 82 in the order of its values 0 to 81 (GS1 General
// Specifications Figure 7.11-1), used by the check character pair.
const cset82Order = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// cset32 is the alphabet of check character pairs (GS1 General
// Specifications Figure 7.9.5-1).
const cset32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// CheckCharacterPair computes the two check characters of an alphanumeric
// key such as the GMN, AI (8013) (GS1 General Specifications 7.9.5): each
// CSET 82 value is weighted by a prime (2 for the rightmost character, then
// 3, 5, 7 ... to the left), the sum is taken modulo 1021, and its quotient
// and remainder by 32 select the two characters of CSET 32. data has at
// most 23 characters.
func CheckCharacterPair(data string) (string, error) {
	primes := [...]int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83}
	if len(data) > len(primes) {
		return "", fmt.Errorf("%w: %q is longer than %d characters, the maximum for a check character pair", ErrInvalid, data, len(primes))
	}
	sum := 0
	for i := 0; i < len(data); i++ {
		value := indexByte(cset82Order, data[i])
		if value < 0 {
			return "", fmt.Errorf("%w: %q: character %q at position %d is not in CSET 82", ErrInvalid, data, data[i], i+1)
		}
		sum += value * primes[len(data)-1-i]
	}
	sum %= 1021
	return string([]byte{cset32[sum>>5], cset32[sum&31]}), nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func lintCsumAlpha(v string) (string, int) {
	if len(v) < 3 {
		return "too short to carry a check character pair", -1
	}
	want, err := CheckCharacterPair(v[:len(v)-2])
	if err != nil {
		return "check character pair cannot be computed", -1
	}
	if got := v[len(v)-2:]; got != want {
		return fmt.Sprintf("invalid check character pair %s, want %s", got, want), len(v) - 2
	}
	return "", -1
}

// minGCPLength is the shortest GS1 company prefix checked by gcppos1 and
// gcppos2.
//
// NOTE: the GS1 company prefix list is not available here, so only the
// first four digits of the prefix are checked to be digits.
const minGCPLength = 4

func lintGCPPos(start int) linter {
	return func(v string) (string, int) {
		if len(v) < start+minGCPLength {
			return "too short to contain a GS1 company prefix", -1
		}
		for i := start; i < start+minGCPLength; i++ {
			if v[i] < '0' || v[i] > '9' {
				return "GS1 company prefix must start with digits", i
			}
		}
		return "", -1
	}
}

func lintHasNonDigit(v string) (string, int) {
	if isDigits(v) {
		return "must contain at least one character that is not a digit", -1
	}
	return "", -1
}

func lintRange(name string, lo, hi int) linter {
	return func(v string) (string, int) {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return fmt.Sprintf("invalid %s %s, want %02d to %02d", name, v, lo, hi), 0
		}
		return "", -1
	}
}

func lintHHMI(v string) (string, int) {
	if rule, off := lintRange("hour", 0, 23)(v[:2]); rule != "" {
		return rule, off
	}
	if rule, _ := lintRange("minute", 0, 59)(v[2:]); rule != "" {
		return rule, 2
	}
	return "", -1
}

func lintIBAN(v string) (string, int) {
	if len(v) < 5 {
		return "IBAN too short", -1
	}
	if !iso3166Alpha2[v[:2]] {
		return fmt.Sprintf("IBAN country code %s is not an ISO 3166-1 alpha-2 code", v[:2]), 0
	}
	if v[2] < '0' || v[2] > '9' || v[3] < '0' || v[3] > '9' {
		return "IBAN check digits must be digits", 2
	}
	rem := 0
	rearranged := v[4:] + v[:4]
	for i := 0; i < len(rearranged); i++ {
		c := rearranged[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return fmt.Sprintf("IBAN character %q is not a digit or upper-case letter", c), (i + 4) % len(v)
		}
	}
	if rem != 1 {
		return "invalid IBAN check digits (ISO 13616 mod 97)", 2
	}
	return "", -1
}

// importerIndexChars are the characters allowed as importer index of
// AI (7040) (UIC with extension).
var importerIndexChars = newCharset("-", "0-9", "A-Z", "_", "a-z")

func lintImporterIndex(v string) (string, int) {
	if !importerIndexChars.contains(v[0]) {
		return fmt.Sprintf("invalid importer index %q", v), 0
	}
	return "", -1
}

func lintCodeList(name string, list map[string]bool, extra string) linter {
	return func(v string) (string, int) {
		if list[v] || (extra != "" && v == extra) {
			return "", -1
		}
		return fmt.Sprintf("%s is not a valid %s", v, name), 0
	}
}

func lintOneOf(name string, allowed ...string) linter {
	return func(v string) (string, int) {
		for _, a := range allowed {
			if v == a {
				return "", -1
			}
		}
		return fmt.Sprintf("invalid %s %q, want one of %v", name, v, allowed), 0
	}
}

func lintMax(name string, max int64) linter {
	return func(v string) (string, int) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > max {
			return fmt.Sprintf("invalid %s %s, maximum %d", name, v, max), 0
		}
		return "", -1
	}
}

// lintMediaType accepts the AIDC media type codes 01 to 10 and the codes
// 80 to 99 that GS1 leaves to company-internal use.
func lintMediaType(v string) (string, int) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || (n > 10 && n < 80) || n > 99 {
		return fmt.Sprintf("invalid AIDC media type %s, want 01 to 10 or 80 to 99", v), 0
	}
	return "", -1
}

func lintNonZero(v string) (string, int) {
	for i := 0; i < len(v); i++ {
		if v[i] != '0' {
			return "", -1
		}
	}
	return "must not be zero", 0
}

func lintNoZeroPrefix(v string) (string, int) {
	if len(v) > 1 && v[0] == '0' {
		return "must not start with 0", 0
	}
	return "", -1
}

// lintPackageType checks the shape of a UN/ECE Recommendation 21 package
// type code.
//
// NOTE: the code list itself is not embedded, so any two or three
// upper-case letters or digits pass.
func lintPackageType(v string) (string, int) {
	if len(v) < 2 || len(v) > 3 {
		return fmt.Sprintf("invalid package type code %q, want 2 or 3 characters of UN/ECE Recommendation 21", v), 0
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return fmt.Sprintf("invalid package type code %q, want upper-case letters and digits", v), i
		}
	}
	return "", -1
}

func lintPercentEncoding(v string) (string, int) {
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			continue
		}
		if i+2 >= len(v) || unhex(v[i+1]) < 0 || unhex(v[i+2]) < 0 {
			return "invalid percent escape, want % and two hexadecimal digits", i
		}
		i += 2
	}
	return "", -1
}

func lintPieceOfTotal(v string) (string, int) {
	piece, _ := strconv.Atoi(v[:2])
	total, _ := strconv.Atoi(v[2:])
	switch {
	case piece == 0:
		return "piece number must not be 00", 0
	case total == 0:
		return "total count must not be 00", 2
	case piece > total:
		return fmt.Sprintf("piece number %02d is greater than total count %02d", piece, total), 0
	}
	return "", -1
}

func lintPositionInSequence(v string) (string, int) {
	if len(v) != 3 || v[1] != '/' || v[0] < '1' || v[0] > '9' || v[2] < '1' || v[2] > '9' || v[0] > v[2] {
		return fmt.Sprintf("invalid position in sequence %q, want n/m with 1 <= n <= m <= 9", v), 0
	}
	return "", -1
}

// lintCoupon accepts the North American coupon AIs (8110, 8112) as CSET 82
// text.
//
// NOTE: the inner field structure of the coupon code (GS1 US coupon
// guidelines) is not checked.
func lintCoupon(string) (string, int) { return "", -1 }

// dateNow returns the current time for the century window of six-digit
// dates; tests replace it.
var dateNow = time.Now

// ExpandYear returns the four-digit year of a two-digit year YY by the
// sliding window of GS1 General Specifications 7.12. A year 51 or more
// years ahead of the current year belongs to the previous century. A year
// 50 or more years behind it belongs to the next century.
func ExpandYear(yy int, now time.Time) int {
	current := now.Year()
	century := current / 100 * 100
	diff := yy - current%100
	switch {
	case diff > 50:
		century -= 100
	case diff < -49:
		century += 100
	}
	return century + yy
}

// parseDate6 reads a YYMMDD date. With dayZero, day 00 is allowed and
// stands for the last day of the month, as GS1 defines it for the date
// AIs (11) to (17). It returns the date, or a rule description and the
// offset of the fault when invalid.
func parseDate6(v string, dayZero bool) (time.Time, string, int) {
	yy, _ := strconv.Atoi(v[0:2])
	return parseDate(ExpandYear(yy, dateNow()), v[2:], dayZero, 2)
}

func parseDate(year int, mmdd string, dayZero bool, offset int) (time.Time, string, int) {
	month, err1 := strconv.Atoi(mmdd[0:2])
	day, err2 := strconv.Atoi(mmdd[2:4])
	if err1 != nil || err2 != nil {
		return time.Time{}, "invalid date, want digits", offset
	}
	if month < 1 || month > 12 {
		return time.Time{}, fmt.Sprintf("invalid date, month %02d", month), offset
	}
	last := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day == 0 && dayZero {
		return time.Date(year, time.Month(month), last, 0, 0, 0, 0, time.UTC), "", -1
	}
	if day < 1 || day > last {
		return time.Time{}, fmt.Sprintf("invalid date, day %02d in %04d-%02d", day, year, month), offset + 2
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), "", -1
}

func lintDate6(dayZero bool) linter {
	return func(v string) (string, int) {
		_, rule, off := parseDate6(v, dayZero)
		return rule, off
	}
}

func lintDate8(v string) (string, int) {
	year, _ := strconv.Atoi(v[:4])
	_, rule, off := parseDate(year, v[4:], false, 4)
	return rule, off
}

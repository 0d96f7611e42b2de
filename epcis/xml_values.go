package epcis

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Errors returned by the XML value parsers. The decoders turn them into
// FieldErrors that name the element, so callers see them only wrapped.
var (
	errDateTimeStamp  = errors.New("not an EPCIS DateTimeStamp: use YYYY-MM-DDThh:mm:ss[.fff] followed by Z or ±hh:mm, for example 2024-05-01T08:30:00.000+08:00")
	errTimeZoneOffset = errors.New("not a time zone offset: use ±hh:mm between -14:00 and +14:00, for example +08:00")
	errDecimal        = errors.New("not an xsd:decimal: use digits with an optional sign and decimal point, for example 12.5")
	errDouble         = errors.New("not a finite xsd:double: use a decimal number with an optional exponent, for example 26.5 or 1.2E3")
	errBoolean        = errors.New("not an xsd:boolean: use true, false, 1 or 0")
	errHexBinary      = errors.New("not an xsd:hexBinary: use an even number of hexadecimal digits, for example f0f0")
	errEmptyURI       = errors.New("empty: it must hold a URI")
)

// parseDateTimeStamp parses the EPCIS DateTimeStamp type of the EPCIS 2.0
// XSD: an xsd:dateTime whose time zone is required and lies between -14:00
// and +14:00 (an hour of 14 allows only minute 00). Fractional seconds may
// have any number of digits; time.Time keeps nanoseconds.
func parseDateTimeStamp(s string) (time.Time, error) {
	// Shortest form: 2006-01-02T15:04:05Z (20 bytes).
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, errDateTimeStamp
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(s[i]) {
			return time.Time{}, errDateTimeStamp
		}
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 {
			return time.Time{}, errDateTimeStamp
		}
		rest = rest[n:]
	}
	if rest != "Z" {
		if _, err := parseTimeZoneOffset(rest); err != nil {
			return time.Time{}, errDateTimeStamp
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Out-of-range month, day or hour, such as 2024-02-30.
		return time.Time{}, errDateTimeStamp
	}
	return t, nil
}

// parseXSDDateTime parses an xsd:dateTime whose time zone is optional, as
// the creationDate attribute of an EPCIS document allows. A value without
// a time zone is taken as UTC.
func parseXSDDateTime(s string) (time.Time, error) {
	if t, err := parseDateTimeStamp(s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errDateTimeStamp
}

// parseTimeZoneOffset checks an eventTimeZoneOffset, "±hh:mm" with hours
// 00 to 13 and any minute, or exactly ±14:00 (EPCIS 2.0 section 7.4.1 and
// the pattern of the EPCIS 2.0 JSON schema). It returns the offset in
// seconds east of UTC.
func parseTimeZoneOffset(s string) (int, error) {
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
		!isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[4]) || !isDigit(s[5]) {
		return 0, errTimeZoneOffset
	}
	hours := int(s[1]-'0')*10 + int(s[2]-'0')
	minutes := int(s[4]-'0')*10 + int(s[5]-'0')
	if minutes > 59 || hours > 14 || (hours == 14 && minutes != 0) {
		return 0, errTimeZoneOffset
	}
	seconds := hours*3600 + minutes*60
	if s[0] == '-' {
		seconds = -seconds
	}
	return seconds, nil
}

// parseDecimal parses an xsd:decimal: an optional sign, digits and an
// optional fractional part, with no exponent.
func parseDecimal(s string) (float64, error) {
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 || body == "" || body == "." {
		return 0, errDecimal
	}
	dots := 0
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '.':
			dots++
		case !isDigit(body[i]):
			return 0, errDecimal
		}
	}
	if dots > 1 {
		return 0, errDecimal
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, errDecimal
	}
	return v, nil
}

// parseDouble parses an xsd:double. The special values INF, -INF and NaN
// are rejected because the EPCIS 2.0 JSON binding cannot carry them.
func parseDouble(s string) (float64, error) {
	mantissa, exponent := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa, exponent = s[:i], s[i+1:]
		digits := strings.TrimLeft(exponent, "+-")
		if len(exponent)-len(digits) > 1 || digits == "" || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return 0, errDouble
		}
	}
	if _, err := parseDecimal(mantissa); err != nil {
		return 0, errDouble
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errDouble
	}
	return v, nil
}

// parseBoolean parses an xsd:boolean.
func parseBoolean(s string) (bool, error) {
	switch s {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, errBoolean
}

// checkHexBinary checks an xsd:hexBinary value.
func checkHexBinary(s string) error {
	if len(s)%2 != 0 {
		return errHexBinary
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return errHexBinary
		}
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// formatDateTimeStamp writes t in the DateTimeStamp form, keeping its
// offset and writing fractional seconds only when there are any.
func formatDateTimeStamp(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

// formatDecimal writes v as an xsd:decimal, which has no exponent form.
func formatDecimal(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatDouble writes v as an xsd:double.
func formatDouble(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// describeValueError returns the message of a value parser error for a
// FieldError, prefixed with the element or attribute name.
func describeValueError(name string, err error) string {
	return fmt.Sprintf("%s: %v", name, err)
}

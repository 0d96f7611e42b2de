package label

import (
	"fmt"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/ident"
)

// DefaultResolver is the GS1 Digital Link resolver that Product.URI uses
// when Product.Resolver is empty.
const DefaultResolver = "https://id.gs1.org"

// Product is the content of a product label: a GTIN with optional lot,
// serial number and expiry date.
type Product struct {
	// GTIN is a GTIN-8, -12, -13 or -14 with its check digit; URI writes it
	// as 14 digits.
	GTIN string
	// Lot (AI 10) and Serial (AI 21) are optional, up to 20 characters of
	// the GS1 AI encodable character set 82 each.
	Lot    string
	Serial string
	// Expiry (AI 17) is optional; the zero time leaves it out. Only its
	// date in its own location counts.
	Expiry time.Time
	// Resolver is the scheme and host of the Digital Link, such as
	// "https://trace.example.gd.cn"; empty means DefaultResolver.
	Resolver string
}

// cset82 lists the characters of the GS1 AI encodable character set 82
// of the GS1 General Specifications.
const cset82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

// URI returns the GS1 Digital Link URI of the product, such as
// "https://id.gs1.org/01/09506000134352/10/ABC1/21/12345?17=271231". The
// GTIN is written in 14 digits. The lot and the serial follow as path key
// qualifiers in the order of the GS1 Digital Link standard, and the expiry
// date is a query attribute. Lot and serial are percent-encoded except for RFC 3986
// unreserved characters.
func (p Product) URI() (string, error) {
	gtin, err := gtin14(p.GTIN)
	if err != nil {
		return "", err
	}
	resolver := p.Resolver
	if resolver == "" {
		resolver = DefaultResolver
	}
	if !strings.HasPrefix(resolver, "https://") && !strings.HasPrefix(resolver, "http://") {
		return "", fmt.Errorf("%w: resolver %q: give an http or https URL such as %s", ErrInvalid, resolver, DefaultResolver)
	}
	uri := strings.TrimSuffix(resolver, "/") + "/01/" + gtin

	for _, q := range []struct{ ai, name, value string }{{"10", "lot", p.Lot}, {"21", "serial", p.Serial}} {
		if q.value == "" {
			continue
		}
		if err := checkCSet82(q.name, q.value); err != nil {
			return "", err
		}
		uri += "/" + q.ai + "/" + escapeSegment(q.value)
	}
	if !p.Expiry.IsZero() {
		uri += "?17=" + p.Expiry.Format("060102")
	}
	return uri, nil
}

// gtin14 checks a GTIN and pads it to 14 digits.
func gtin14(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w: GTIN %q has %d characters: give 8, 12, 13 or 14 digits", ErrInvalid, s, len(s))
	}
	want, err := ident.CheckDigit(s[:len(s)-1])
	if err != nil {
		return "", fmt.Errorf("%w: GTIN %q must be digits only: %w", ErrInvalid, s, err)
	}
	if got := s[len(s)-1]; got != want {
		return "", fmt.Errorf("%w: GTIN %q: check digit must be %c, not %c", ErrInvalid, s, want, got)
	}
	return strings.Repeat("0", 14-len(s)) + s, nil
}

func checkCSet82(name, v string) error {
	if len(v) > 20 {
		return fmt.Errorf("%w: %s %q has %d characters, at most 20 are allowed", ErrInvalid, name, v, len(v))
	}
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(cset82, v[i]) < 0 {
			return fmt.Errorf("%w: %s %q: character %d is outside the GS1 character set 82 (letters, digits and !\"%%&'()*+,-./:;<=>?_)", ErrInvalid, name, v, i+1)
		}
	}
	return nil
}

// escapeSegment percent-encodes every byte of v except the RFC 3986
// unreserved characters.
func escapeSegment(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

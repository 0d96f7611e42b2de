package ident

import (
	"errors"
	"fmt"
	"strings"
)

// KeyType names a GS1 identification key.
type KeyType string

// GS1 identification keys (GS1 General Specifications chapter 2 and 3) with
// the AI that carries each.
const (
	GTIN  KeyType = "GTIN"  // Global Trade Item Number, AI (01)
	SSCC  KeyType = "SSCC"  // Serial Shipping Container Code, AI (00)
	GLN   KeyType = "GLN"   // Global Location Number of a physical location, AI (414)
	PGLN  KeyType = "PGLN"  // Global Location Number of a party, AI (417)
	GRAI  KeyType = "GRAI"  // Global Returnable Asset Identifier, AI (8003)
	GIAI  KeyType = "GIAI"  // Global Individual Asset Identifier, AI (8004)
	GSRN  KeyType = "GSRN"  // Global Service Relation Number of a recipient, AI (8018)
	GSRNP KeyType = "GSRNP" // Global Service Relation Number of a provider, AI (8017)
	GDTI  KeyType = "GDTI"  // Global Document Type Identifier, AI (253)
	GINC  KeyType = "GINC"  // Global Identification Number for Consignment, AI (401)
	GSIN  KeyType = "GSIN"  // Global Shipment Identification Number, AI (402)
	GCN   KeyType = "GCN"   // Global Coupon Number, AI (255)
	CPID  KeyType = "CPID"  // Component/Part Identifier, AI (8010)
	ITIP  KeyType = "ITIP"  // Identification of an individual trade item piece, AI (8006)
	UPUI  KeyType = "UPUI"  // Unit pack identifier: a GTIN with AI (235); the key value is the TPX
	GMN   KeyType = "GMN"   // Global Model Number, AI (8013)
)

// keyAI maps each key type to its AI.
var keyAI = map[KeyType]string{
	GTIN: "01", SSCC: "00", GLN: "414", PGLN: "417", GRAI: "8003", GIAI: "8004",
	GSRN: "8018", GSRNP: "8017", GDTI: "253", GINC: "401", GSIN: "402",
	GCN: "255", CPID: "8010", ITIP: "8006", UPUI: "235", GMN: "8013",
}

// AI returns the Application Identifier that carries the key, or "" for
// an unknown key type.
func (t KeyType) AI() string { return keyAI[t] }

// KeyTypeOfAI returns the key type carried by an AI.
func KeyTypeOfAI(ai string) (KeyType, bool) {
	for t, a := range keyAI {
		if a == ai {
			return t, true
		}
	}
	return "", false
}

// ParseKey validates a GS1 key of type t and returns its normalised value:
// a GTIN-8, -12 or -13 is padded with zeros to 14 digits, every other key
// is returned as given. The check digit (mod 10, or the check character
// pair of a GMN) is verified, and the value is checked against the AI's
// format. Errors wrap ErrInvalid, and also ErrCheckDigit for a wrong check
// digit.
func ParseKey(t KeyType, s string) (string, error) {
	if t == GTIN {
		g, err := ParseGTIN(s)
		if err != nil {
			return "", err
		}
		return g.GTIN14(), nil
	}
	ai, ok := keyAI[t]
	if !ok {
		return "", fmt.Errorf("%w: unknown GS1 key type %q", ErrInvalid, t)
	}
	if err := ValidateElement(ai, s); err != nil {
		return "", fmt.Errorf("%s %q: %w", t, s, err)
	}
	return s, nil
}

// GTINValue is a GTIN held in its 14-digit form, as AI (01) carries it.
type GTINValue string

// ParseGTIN parses a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14
// and verifies its check digit (GS1 General Specifications 7.9.1). The
// result is the GTIN padded to 14 digits.
func ParseGTIN(s string) (GTINValue, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w: GTIN %q has %d characters; a GTIN has 8, 12, 13 or 14 digits", ErrInvalid, s, len(s))
	}
	if !isDigits(s) {
		return "", fmt.Errorf("%w: GTIN %q must contain digits only", ErrInvalid, s)
	}
	if err := verifyCheckDigit("GTIN", s); err != nil {
		return "", err
	}
	return GTINValue(strings.Repeat("0", 14-len(s)) + s), nil
}

// GTIN14 returns the 14-digit form.
func (g GTINValue) GTIN14() string { return string(g) }

// Short returns the GTIN in its shortest form: GTIN-8 when the 14-digit
// form starts with six zeros, GTIN-12 with two zeros, GTIN-13 with one,
// else GTIN-14. A GTIN-13 that starts with 0 is written as GTIN-12, as a
// UPC-A would be.
func (g GTINValue) Short() string {
	s := string(g)
	switch {
	case strings.HasPrefix(s, "000000"):
		return s[6:]
	case strings.HasPrefix(s, "00"):
		return s[2:]
	case strings.HasPrefix(s, "0"):
		return s[1:]
	}
	return s
}

// Format writes the GTIN with n digits: 8, 12, 13 or 14. Leading zeros are
// dropped or added; a GTIN whose leading significant digits do not fit in
// n digits is an ErrInvalid error. A GTIN-8 in a 14-digit field has six
// leading zeros, a GTIN-12 two and a GTIN-13 one.
func (g GTINValue) Format(n int) (string, error) {
	switch n {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("%w: GTIN length %d, want 8, 12, 13 or 14", ErrInvalid, n)
	}
	s := string(g)
	if strings.TrimLeft(s[:14-n], "0") != "" {
		return "", fmt.Errorf("%w: GTIN %s does not fit in %d digits", ErrInvalid, s, n)
	}
	return s[14-n:], nil
}

// ParseSSCC validates an 18-digit SSCC with its check digit.
func ParseSSCC(s string) (string, error) { return ParseKey(SSCC, s) }

// ParseGLN validates a 13-digit GLN with its check digit.
func ParseGLN(s string) (string, error) { return ParseKey(GLN, s) }

func isCheckDigit(err error) bool { return errors.Is(err, ErrCheckDigit) }

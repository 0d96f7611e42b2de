package ident

import "fmt"

// CheckDigit returns the GS1 mod-10 check digit for digits, a key without
// its check digit (GS1 General Specifications 7.9.1). Weights 3 and 1
// alternate from the rightmost digit, and the check digit brings the
// weighted sum up to a multiple of ten. Anything but ASCII digits is an
// ErrInvalid error.
func CheckDigit(digits string) (byte, error) {
	if digits == "" {
		return 0, fmt.Errorf("%w: empty digit string has no check digit", ErrInvalid)
	}
	sum := 0
	weight := 3
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %q: character %q at position %d is not a digit", ErrInvalid, digits, c, i+1)
		}
		sum += int(c-'0') * weight
		weight = 4 - weight
	}
	return byte('0' + (10-sum%10)%10), nil
}

// withCheckDigit returns digits followed by their GS1 check digit.
func withCheckDigit(digits string) (string, error) {
	c, err := CheckDigit(digits)
	if err != nil {
		return "", err
	}
	return digits + string(c), nil
}

// verifyCheckDigit reports an ErrCheckDigit error when the last digit of
// key is not the GS1 check digit of the digits before it. name is the key's
// name used in the message (for example "GTIN").
func verifyCheckDigit(name, key string) error {
	if len(key) < 2 {
		return fmt.Errorf("%w: %s %q is too short to carry a check digit", ErrInvalid, name, key)
	}
	want, err := CheckDigit(key[:len(key)-1])
	if err != nil {
		return fmt.Errorf("%s %q: %w", name, key, err)
	}
	got := key[len(key)-1]
	if got < '0' || got > '9' {
		return fmt.Errorf("%w: %s %q: check digit %q is not a digit", ErrInvalid, name, key, got)
	}
	if got != want {
		return fmt.Errorf("%w: %s %q has check digit %c, want %c; check the number for a typing error", ErrCheckDigit, name, key, got, want)
	}
	return nil
}

// isDigits reports whether s is non-empty and contains only ASCII digits.
func isDigits(s string) bool {
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

package ident

import "errors"

// Sentinel errors. Every error returned by this package wraps one of them,
// so callers test with errors.Is and never compare error text.
var (
	// ErrInvalid is returned for input that breaks the syntax or a rule of
	// the scheme it claims to be: wrong length, character outside the
	// allowed set, bad percent escape, keys out of order, missing parts.
	ErrInvalid = errors.New("invalid identifier")

	// ErrCheckDigit is returned when a GS1 key's mod-10 check digit does
	// not match its other digits (GS1 General Specifications 7.9.1). It is
	// always wrapped together with ErrInvalid.
	ErrCheckDigit error = &subError{msg: "wrong check digit", parent: ErrInvalid}

	// ErrNoDigitalLink is returned by URNToDigitalLink for a well-formed EPC
	// URN without GS1 Digital Link equivalent. Examples are the TDS schemes
	// gid, usdod, adi, bic and imovn, and EPC patterns over several keys.
	ErrNoDigitalLink = errors.New("no GS1 Digital Link equivalent")

	// ErrNoEPCURN is returned by DigitalLinkToURN for a GS1 key that the
	// EPC Tag Data Standard gives no EPC URN, such as the GMN, AI (8013).
	ErrNoEPCURN = errors.New("no EPC URN equivalent")

	// ErrUnknownPrefixLength is returned by DigitalLinkToURN when the
	// PrefixTable does not know the length of the GS1 company prefix inside
	// a key. An EPC URN cannot be written without it, and the length is
	// never guessed: register the company prefix of the key's owner.
	ErrUnknownPrefixLength = errors.New("unknown GS1 company prefix length")

	// ErrNotURI is returned by Canonical for a string that is neither a
	// known identifier form nor an absolute URI.
	ErrNotURI = errors.New("not an identifier URI")
)

// subError is a sentinel error that also matches its parent sentinel with
// errors.Is.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }

func (e *subError) Is(target error) bool { return target == e.parent }

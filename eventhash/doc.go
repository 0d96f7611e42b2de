// Package eventhash owns the EPCIS Event Hash ID of CBV 2.0 (GS1 Core
// Business Vocabulary standard 2.0): the canonical
// pre-hash string of an event and its SHA-256 digest written as a named
// information URI (RFC 6920), for example
//
//	ni:///sha-256;1a2b…9f?ver=CBV2.0
//
// The pre-hash string concatenates the event's fields in a fixed canonical
// order, each as key=value with no separator. Lists are sorted, identifiers
// become constrained canonical GS1 Digital Link URIs on https://id.gs1.org,
// CBV values become GS1 web URIs, timestamps are written in UTC with
// millisecond precision and numbers lose trailing zeros. The same event
// written in EPCIS 2.0 JSON-LD or XML therefore gets the same hash.
//
// Where the CBV text leaves a choice open, the package follows the output
// of the reference implementation of the algorithm
// (github.com/RalphTro/epcis-event-hash-generator), so that hashes agree
// with other implementations tested against it. The doc comments of the
// functions concerned name each such rule.
//
// The package imports only the standard library and the domain packages
// epcis and ident. Its functions are safe for concurrent use.
package eventhash

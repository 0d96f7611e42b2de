// Package ident owns the identifiers of the platform. It covers GS1
// identification keys and their check digits, the GS1 Application
// Identifier table, element strings (bracketed and raw barcode form), GS1
// Digital Link URIs, compressed or not, and the EPC URNs of the GS1 EPC Tag
// Data Standard (TDS) 2.x. Chinese code schemes come from the sub-package
// cncode. Over all of them, the package defines the one canonical form
// under which the platform stores and matches every identifier.
//
// The canonical form of a GS1 identifier is its GS1 Digital Link URI on
// https://id.gs1.org, with the primary key and its key qualifiers in the
// order of the GS1 Digital Link standard and no query attributes; see
// Canonical.
//
// The package imports only the standard library and its own sub-packages,
// so other Go programs can use it as a library. It is safe for concurrent
// use: its tables are read-only after package initialisation, and
// PrefixLengths carries its own lock.
package ident

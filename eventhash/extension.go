package eventhash

import (
	"slices"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
)

// Name identifies a user extension field by namespace IRI and local name,
// as a document's ignore-fields list names them.
type Name struct {
	Space string
	Local string
}

// rdfsNamespace is the namespace of rdfs:comment, which JSON-LD documents
// use to annotate an event. An annotation is not event data, so it does not
// enter the pre-hash string (as in the reference implementation).
const rdfsNamespace = "http://www.w3.org/2000/01/rdf-schema#"

// xsiNamespace is the XML Schema instance namespace. Its attributes
// (xsi:type, xsi:nil) type an XML value for a schema validator and have no
// counterpart in JSON-LD. They stay out of the pre-hash string, so that the
// same extension hashes alike in both syntaxes.
const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// isComment reports whether el is an rdfs:comment annotation.
func isComment(el *epcis.Element) bool {
	return el.Local == "comment" && (el.Space == rdfsNamespace || el.Space == "")
}

// qualifiedName writes a name in the form the pre-hash string uses for user
// extensions: the namespace IRI in braces, then the local name, as in
// "{https://ns.example.com/epcis/}myField". A name without namespace, such
// as an unqualified XML attribute, is written bare.
func qualifiedName(space, local string) string {
	if space == "" {
		return local
	}
	return "{" + space + "}" + local
}

// elementString writes one user extension element and everything below it:
// its qualified name, "=" and its canonical value when it has one, then its
// XML attributes and child elements, each written the same way and sorted.
func elementString(el *epcis.Element) string {
	var b strings.Builder
	b.WriteString(qualifiedName(el.Space, el.Local))
	// A JSON null carries no value; XML has no equivalent to compare with.
	if el.Kind != epcis.KindNull {
		if v := canonicalValue(el.Value); v != "" {
			b.WriteByte('=')
			b.WriteString(v)
		}
	}
	parts := make([]string, 0, len(el.Attrs)+len(el.Children))
	for _, a := range el.Attrs {
		if a.Space == xsiNamespace {
			continue
		}
		s := qualifiedName(a.Space, a.Local)
		if v := canonicalValue(a.Value); v != "" {
			s += "=" + v
		}
		parts = append(parts, s)
	}
	for i := range el.Children {
		if isComment(&el.Children[i]) {
			continue
		}
		parts = append(parts, elementString(&el.Children[i]))
	}
	slices.Sort(parts)
	for _, p := range parts {
		b.WriteString(p)
	}
	return b.String()
}

// extensionStrings writes each element of els with elementString, leaving
// out annotations and the fields named in ignore. The result is unsorted.
func extensionStrings(els []epcis.Element, ignore []Name) []string {
	out := make([]string, 0, len(els))
	for i := range els {
		el := &els[i]
		if isComment(el) || slices.Contains(ignore, Name{el.Space, el.Local}) {
			continue
		}
		out = append(out, elementString(el))
	}
	return out
}

// sortedExtensions writes the user extensions of an EPCIS field that has an
// extension point (readPoint, bizLocation, sensorElement, sensorMetadata,
// sensorReport): sorted and concatenated, for the end of the field.
func sortedExtensions(els []epcis.Element) string {
	parts := extensionStrings(els, nil)
	slices.Sort(parts)
	return strings.Join(parts, "")
}

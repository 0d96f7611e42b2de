package epcis

import (
	"maps"
	"strings"
)

// EPCISContextURL is the JSON-LD context of EPCIS 2.0, which the encoders
// name in "@context". Documents may name the versioned URL
// (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld)
// instead; the decoder accepts any context URL without fetching it.
const EPCISContextURL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"

// standardPrefixes are the namespace prefixes that the EPCIS 2.0 JSON-LD
// context defines, so documents use them without declaring them.
var standardPrefixes = map[string]string{
	"epcis":   "https://ref.gs1.org/epcis/",
	"cbv":     "https://ref.gs1.org/cbv/",
	"cbvmda":  "urn:epcglobal:cbv:mda:",
	"gs1":     "https://gs1.org/voc/",
	"rdfs":    "http://www.w3.org/2000/01/rdf-schema#",
	"owl":     "http://www.w3.org/2002/07/owl#",
	"xsd":     "http://www.w3.org/2001/XMLSchema#",
	"dcterms": "http://purl.org/dc/terms/",
}

// jsonContext is the part of a JSON-LD active context that the codec
// needs: terms and prefixes bound to IRIs. It is copied, never changed,
// when an event adds its own "@context".
type jsonContext struct {
	terms map[string]string
	// declared holds the terms bound by the document itself rather than by
	// the EPCIS context.
	declared map[string]string
}

func newJSONContext() *jsonContext {
	return &jsonContext{terms: maps.Clone(standardPrefixes), declared: map[string]string{}}
}

// extend returns the context after processing the "@context" value n, and
// the problems found in it. Remote contexts other than the EPCIS one cannot
// be fetched, so the terms they define stay unknown.
func (c *jsonContext) extend(n *jsonNode, ptr string, index int) (*jsonContext, []FieldError) {
	out := &jsonContext{terms: maps.Clone(c.terms), declared: maps.Clone(c.declared)}
	var errs []FieldError
	add := func(item *jsonNode, p string) {
		switch item.kind {
		case jsonString:
			// A context URL: the EPCIS context, or another context that
			// the codec cannot fetch.
		case jsonObject:
			errs = append(errs, out.define(item, p, index)...)
		case jsonNull:
			// A null context resets to nothing, but the EPCIS terms are
			// protected, so the codec keeps them.
		default:
			errs = append(errs, fieldError(index, p, item, "@context type",
				"@context entries must be context URLs or objects; got "+item.kind.String()+" (@context 项必须是 URL 或对象)"))
		}
	}
	if n.kind == jsonArray {
		for i, item := range n.items {
			add(item, ptr+"/"+itoa(i))
		}
	} else {
		add(n, ptr)
	}
	return out, errs
}

// define processes one local context object.
func (c *jsonContext) define(n *jsonNode, ptr string, index int) []FieldError {
	var errs []FieldError
	for _, m := range n.members {
		key := m.key
		if strings.HasPrefix(key, "@") || strings.Contains(key, ":") {
			// Keywords (@version, @vocab…) and type coercions of compact
			// IRIs do not bind prefixes.
			continue
		}
		p := ptr + "/" + escapePointer(key)
		var iri string
		switch m.value.kind {
		case jsonString:
			iri = m.value.text
		case jsonObject:
			id := m.value.member("@id")
			if id == nil || id.kind != jsonString {
				continue // a term with only a type or container
			}
			iri = id.text
		case jsonNull:
			if _, std := standardPrefixes[key]; !std {
				delete(c.terms, key)
				delete(c.declared, key)
			}
			continue
		default:
			errs = append(errs, fieldError(index, p, m.value, "@context term definition",
				"a term definition must be an IRI string or an object with @id (术语定义必须是 IRI 字符串或带 @id 的对象)"))
			continue
		}
		// The EPCIS context protects its prefixes, but published examples
		// rebind them (cbvmda), so the codec follows the document: the
		// last binding wins, as in a JSON-LD processor without protection.
		iri = c.expandIRI(iri)
		if !isURI(iri) {
			errs = append(errs, fieldError(index, p, m.value, "@context term definition",
				"term "+key+" must be bound to an absolute IRI, like https://example.com/ns/ (术语须绑定到绝对 IRI)"))
			continue
		}
		c.terms[key] = iri
		c.declared[key] = iri
	}
	return errs
}

// expandIRI expands a compact IRI whose prefix is a known term.
func (c *jsonContext) expandIRI(s string) string {
	prefix, rest, ok := strings.Cut(s, ":")
	if !ok || strings.HasPrefix(rest, "//") {
		return s
	}
	if iri, ok := c.terms[prefix]; ok {
		return iri + rest
	}
	return s
}

// NoNamespaceIRI stands in JSON-LD for "no namespace". EPCIS 1.2 XML allows
// extension elements without a namespace inside its extension wrappers,
// and JSON-LD has no way to write such a name, so the encoder binds a
// prefix to this IRI and the decoder maps it back to an Element with an
// empty Space.
const NoNamespaceIRI = "urn:suyuan:epcis:no-namespace:"

// resolveKey turns a member name outside the EPCIS vocabulary into an
// extension element name. ok is false when the name is neither a compact
// IRI with a known prefix, an absolute IRI nor a term of the context. In
// that case undefinedPrefix names the unknown prefix, if any.
func (c *jsonContext) resolveKey(key string) (e Element, undefinedPrefix string, ok bool) {
	if prefix, rest, found := strings.Cut(key, ":"); found && prefix != "" && rest != "" {
		if iri, known := c.terms[prefix]; known && !strings.HasPrefix(rest, "//") {
			if iri == NoNamespaceIRI {
				return Element{Local: rest}, "", true
			}
			return Element{Space: iri, Prefix: prefix, Local: rest}, "", true
		}
		if isAbsoluteIRI(key) {
			space, local := splitIRI(key)
			return Element{Space: space, Local: local}, "", true
		}
		return Element{}, prefix, false
	}
	if iri, known := c.terms[key]; known && isAbsoluteIRI(iri) {
		space, local := splitIRI(iri)
		return Element{Space: space, Local: local}, "", true
	}
	return Element{}, "", false
}

// isAbsoluteIRI reports whether s is an absolute IRI that is not a compact
// IRI: it has a scheme followed by "//", or is a URN.
func isAbsoluteIRI(s string) bool {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !validScheme(scheme) {
		return false
	}
	return strings.HasPrefix(rest, "//") || strings.EqualFold(scheme, "urn")
}

// validScheme checks the URI scheme syntax of RFC 3986 section 3.1.
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// splitIRI splits an absolute IRI after its last '#', '/' or (for URNs)
// ':' into a namespace and a local name, so that space+local == iri.
func splitIRI(iri string) (space, local string) {
	i := strings.LastIndexAny(iri, "#/")
	if strings.HasPrefix(strings.ToLower(iri), "urn:") {
		i = max(i, strings.LastIndexByte(iri, ':'))
	}
	if i < 0 || i == len(iri)-1 {
		return "", iri
	}
	return iri[:i+1], iri[i+1:]
}

// escapePointer escapes a member name for a JSON pointer (RFC 6901
// section 3).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

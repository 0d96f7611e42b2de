package epcis

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaValidator checks raw JSON documents and events against the
// official EPCIS 2.0 JSON schema (GS1 EPCIS-JSON-Schema.json, JSON Schema
// draft 7). The decoder does not need it, because it applies the same
// structural rules in Go; operators may configure it for a second opinion,
// and tests use it to check the encoder. It is safe for concurrent use.
type SchemaValidator struct {
	schema *jsonschema.Schema
}

// NewSchemaValidator loads and compiles the schema file at path. Format
// keywords ("uri", "date-time") are asserted, not just annotated.
func NewSchemaValidator(path string) (*SchemaValidator, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read EPCIS JSON schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse EPCIS JSON schema %s: %w", path, err)
	}
	const url = "file:///epcis-json-schema.json"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseRegexpEngine(lookaheadRegexp)
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("add EPCIS JSON schema: %w", err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile EPCIS JSON schema %s: %w", path, err)
	}
	return &SchemaValidator{schema: s}, nil
}

// Validate checks one JSON document or event. The error lists the schema
// violations, or reports JSON that does not parse.
func (v *SchemaValidator) Validate(raw []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parse JSON for schema validation: %w", err)
	}
	if err := v.schema.Validate(doc); err != nil {
		return fmt.Errorf("EPCIS JSON schema: %w", err)
	}
	return nil
}

// negativeLookahead matches the one lookahead form the EPCIS schema uses:
// "^(?!(alternatives))", meaning "does not start with any alternative".
var negativeLookahead = regexp.MustCompile(`^\^\(\?!(.*)\)$`)

// notPrefixRegexp matches strings that do not start with its pattern.
type notPrefixRegexp struct {
	source string
	prefix *regexp.Regexp
}

func (r notPrefixRegexp) MatchString(s string) bool { return !r.prefix.MatchString(s) }
func (r notPrefixRegexp) String() string            { return r.source }

// lookaheadRegexp compiles schema patterns with Go's RE2 engine, adding
// the negative lookahead that RE2 lacks in the anchored form above.
func lookaheadRegexp(pattern string) (jsonschema.Regexp, error) {
	if m := negativeLookahead.FindStringSubmatch(pattern); m != nil && !strings.Contains(m[1], "(?") {
		inner, err := regexp.Compile("^(?:" + m[1] + ")")
		if err != nil {
			return nil, fmt.Errorf("compile schema pattern %q: %w", pattern, err)
		}
		return notPrefixRegexp{source: pattern, prefix: inner}, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("compile schema pattern %q: %w", pattern, err)
	}
	return re, nil
}

package cncode

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// parseURL finds a code in an http or https URL, as printed in label QR
// codes that contain a traceability web address. It looks for an MA code
// in the path (from the segment that starts with "MA." and a three-digit
// country code) or in a query parameter, and for a 32-digit pesticide unit identification code as the
// last path segment or a query parameter. It looks for no other codes,
// because a GS1 Digital Link path can end in a 20- or 24-digit serial
// number that only looks like a drug or veterinary drug code.
func parseURL(s string) (*Code, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is not a valid URL: %w", ErrUnknownScheme, s, err)
	}

	path := u.Path
	for i := 0; i < len(path); i++ {
		if path[i] == '/' && looksLikeIDcode(path[i+1:]) {
			return ParseIDcode(strings.TrimSuffix(path[i+1:], "/"))
		}
	}

	last := path[strings.LastIndex(path, "/")+1:]
	if len(last) == 32 && allDigits(last) {
		return ParsePesticide(last)
	}

	query := u.Query()
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range query[k] {
			v = strings.TrimSpace(v)
			switch {
			case looksLikeIDcode(v):
				return ParseIDcode(v)
			case len(v) == 32 && allDigits(v):
				return ParsePesticide(v)
			}
		}
	}
	return nil, fmt.Errorf("%w: URL %q carries no MA code or 32-digit pesticide code", ErrUnknownScheme, s)
}

// looksLikeIDcode reports whether s starts like an MA code: "MA.", three
// digits and a separator. URLs are only searched for such strings, so that
// an ordinary URL such as https://example.com/MA.html stays an unknown
// scheme instead of becoming an invalid MA code.
func looksLikeIDcode(s string) bool {
	return len(s) >= 7 && hasPrefixFold(s, "ma.") && allDigits(s[3:6]) && (s[6] == '.' || s[6] == '/')
}

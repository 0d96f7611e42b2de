package party

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// CSVColumns lists the columns a registry CSV file may have. The header
// row names the columns used, in any order. Column "type" is required and
// is enterprise, regulator, operator or location. List values are
// separated by ";". A licence is kind|number|categories|validFrom|validUntil
// with categories separated by "," and dates as YYYY-MM-DD; a contact is
// name|role|phone|email.
var CSVColumns = []string{
	"type", "id", "name_zh", "name_en", "uscc", "gln", "company_prefixes", "code_prefixes",
	"region", "department", "jurisdiction", "categories", "licences", "contacts",
	"party_id", "location_id", "address", "division",
}

// LineError is one problem of a CSV file, with its 1-based line number.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// ImportError lists every problem found in a CSV file. It wraps
// ErrInvalid.
type ImportError struct {
	Errors []LineError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors in the registry file", len(e.Errors))
	for _, le := range e.Errors {
		b.WriteString("\n  ")
		b.WriteString(le.Error())
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ImportError) Unwrap() error { return ErrInvalid }

// maxImportErrors caps the errors collected from one file.
const maxImportErrors = 100

// ParseCSV reads a registry CSV file and checks every record with
// NormalizeParty and NormalizeLocation. It returns an *ImportError listing
// every invalid line; a file with any error yields no records. exists
// reports whether a party ID is already registered, for locations of
// parties not in the file.
func ParseCSV(r io.Reader, now time.Time, exists func(partyID string) (bool, error)) ([]store.Party, []store.Location, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, &ImportError{Errors: []LineError{{Line: 1, Err: errors.New("the file is empty; the first line must name the columns")}}}
	}
	if err != nil {
		return nil, nil, &ImportError{Errors: []LineError{{Line: 1, Err: err}}}
	}
	col := map[string]int{}
	var errs []LineError
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if !containsString(CSVColumns, name) {
			errs = append(errs, LineError{Line: 1, Err: fmt.Errorf("unknown column %q; known columns: %s", name, strings.Join(CSVColumns, ", "))})
			continue
		}
		col[name] = i
	}
	if _, ok := col["type"]; !ok {
		errs = append(errs, LineError{Line: 1, Err: errors.New(`the header has no "type" column`)})
	}
	if len(errs) > 0 {
		return nil, nil, &ImportError{Errors: errs}
	}

	var (
		parties   []store.Party
		locations []store.Location
		lines     = map[string]int{} // party ID, USCC and prefixes to their line
	)
	claim := func(key string, line int) error {
		if prev, ok := lines[key]; ok {
			return fmt.Errorf("%s is already given on line %d", key, prev)
		}
		lines[key] = line
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A record that fails to parse has no field positions; the
			// error carries its line.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, LineError{Line: line, Err: err})
			if len(errs) >= maxImportErrors {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		typ := get("type")
		if typ == "location" {
			l, err := NormalizeLocation(store.Location{
				Original: get("location_id"), PartyID: get("party_id"), Name: get("name_zh"),
				Address: get("address"), Division: get("division"),
			}, now)
			if err == nil {
				err = claim("location "+l.ID, line)
			}
			if err == nil {
				if _, inFile := lines["party "+l.PartyID]; !inFile {
					ok, lerr := exists(l.PartyID)
					if lerr != nil {
						return nil, nil, lerr
					}
					if !ok {
						err = fmt.Errorf("party %s of location %s is neither registered nor in the file above this line", l.PartyID, l.ID)
					}
				}
			}
			if err != nil {
				errs = append(errs, LineError{Line: line, Err: err})
			} else {
				locations = append(locations, l)
			}
		} else {
			p, err := partyFromCSV(typ, get)
			if err == nil {
				p, err = NormalizeParty(p, now)
			}
			if err == nil {
				err = claim("party "+p.ID, line)
			}
			if err == nil && p.USCC != "" {
				err = claim("USCC "+p.USCC, line)
			}
			for _, cp := range append(append([]string{}, p.CompanyPrefixes...), p.CodePrefixes...) {
				if err == nil {
					err = claim("prefix "+cp, line)
				}
			}
			if err != nil {
				errs = append(errs, LineError{Line: line, Err: err})
			} else {
				parties = append(parties, p)
			}
		}
		if len(errs) >= maxImportErrors {
			break
		}
	}
	if len(errs) > 0 {
		return nil, nil, &ImportError{Errors: errs}
	}
	return parties, locations, nil
}

func partyFromCSV(typ string, get func(string) string) (store.Party, error) {
	p := store.Party{
		Kind: store.PartyKind(typ), ID: get("id"), NameZH: get("name_zh"), NameEN: get("name_en"),
		USCC: get("uscc"), GLN: get("gln"), CompanyPrefixes: splitList(get("company_prefixes")),
		CodePrefixes: splitList(get("code_prefixes")), Region: get("region"), Department: get("department"),
		Jurisdiction: get("jurisdiction"), Categories: splitList(get("categories")),
	}
	for _, l := range splitList(get("licences")) {
		lic, err := ParseLicence(l)
		if err != nil {
			return p, err
		}
		p.Licences = append(p.Licences, lic)
	}
	for _, c := range splitList(get("contacts")) {
		contact, err := ParseContact(c)
		if err != nil {
			return p, err
		}
		p.Contacts = append(p.Contacts, contact)
	}
	return p, nil
}

// ParseLicence parses the licence notation
// kind|number|categories|validFrom|validUntil, with categories separated by
// "," and dates as YYYY-MM-DD; the last three parts may be left out.
func ParseLicence(s string) (store.Licence, error) {
	f := strings.Split(s, "|")
	if len(f) < 2 || len(f) > 5 {
		return store.Licence{}, &FieldError{Field: "licences", Value: s, Message: "a licence is kind|number|categories|validFrom|validUntil",
			MessageZH: "许可证格式应为 类型|编号|类别|起始日|截止日"}
	}
	lic := store.Licence{Kind: strings.TrimSpace(f[0]), Number: strings.TrimSpace(f[1])}
	if len(f) > 2 {
		lic.Categories = splitOn(f[2], ",")
	}
	for i, dst := range []*time.Time{&lic.ValidFrom, &lic.ValidUntil} {
		if len(f) > 3+i && strings.TrimSpace(f[3+i]) != "" {
			d, err := time.Parse(time.DateOnly, strings.TrimSpace(f[3+i]))
			if err != nil {
				return store.Licence{}, &FieldError{Field: "licences", Value: f[3+i], Message: "a licence date is YYYY-MM-DD", MessageZH: "日期格式应为 YYYY-MM-DD"}
			}
			*dst = d
		}
	}
	return lic, nil
}

// ParseContact parses the contact notation name|role|phone|email; the
// last three parts may be left out.
func ParseContact(s string) (store.Contact, error) {
	f := strings.Split(s, "|")
	if len(f) > 4 || strings.TrimSpace(f[0]) == "" {
		return store.Contact{}, &FieldError{Field: "contacts", Value: s, Message: "a contact is name|role|phone|email", MessageZH: "联系人格式应为 姓名|职务|电话|邮箱"}
	}
	f = append(f, "", "", "")
	return store.Contact{Name: strings.TrimSpace(f[0]), Role: strings.TrimSpace(f[1]), Phone: strings.TrimSpace(f[2]), Email: strings.TrimSpace(f[3])}, nil
}

func splitList(s string) []string { return splitOn(s, ";") }

func splitOn(s, sep string) []string {
	var out []string
	for _, f := range strings.Split(s, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

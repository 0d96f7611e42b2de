package ident

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

func TestURNToDigitalLink(t *testing.T) {
	tests := []struct {
		name, urn, want string
	}{
		{"sgtin", "urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789"},
		{"sgtin indicator zero", "urn:epc:id:sgtin:4012345.011111.987", "https://id.gs1.org/01/04012345111118/21/987"},
		{"sgtin 12 digit prefix", "urn:epc:id:sgtin:401234500001.2.77", "https://id.gs1.org/01/24012345000010/21/77"},
		{"sgtin escaped serial", "urn:epc:id:sgtin:0614141.812345.A%2FB%25C%26D%22E%3F!()*+,:", "https://id.gs1.org/01/80614141123458/21/A%2FB%25C%26D%22E%3F%21%28%29%2A%2B%2C%3A"},
		{"sgtin dot in serial", "urn:epc:id:sgtin:0614141.812345.1.2", "https://id.gs1.org/01/80614141123458/21/1.2"},
		{"sgln dot in extension", "urn:epc:id:sgln:0614141.12345.a.b", "https://id.gs1.org/414/0614141123452/254/a.b"},
		{"sgtin apostrophe literal", "urn:epc:id:sgtin:0614141.812345.O'Neil", "https://id.gs1.org/01/80614141123458/21/O'Neil"},
		{"sgtin lower-case escape", "urn:epc:id:sgtin:0614141.812345.a%2fb", "https://id.gs1.org/01/80614141123458/21/a%2Fb"},
		{"upper-case prefix", "URN:EPC:id:sgtin:0614141.812345.1", "https://id.gs1.org/01/80614141123458/21/1"},
		{"sscc", "urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"},
		{"sgln without extension", "urn:epc:id:sgln:0614141.12345.0", "https://id.gs1.org/414/0614141123452"},
		{"sgln with extension", "urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400"},
		{"sgln extension 00 kept", "urn:epc:id:sgln:0614141.12345.00", "https://id.gs1.org/414/0614141123452/254/00"},
		{"sgln 12 digit prefix", "urn:epc:id:sgln:061414112345..5", "https://id.gs1.org/414/0614141123452/254/5"},
		{"grai", "urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400"},
		{"giai", "urn:epc:id:giai:0614141.12345400", "https://id.gs1.org/8004/061414112345400"},
		{"giai escaped", "urn:epc:id:giai:0614141.A%2FB", "https://id.gs1.org/8004/0614141A%2FB"},
		{"gsrn", "urn:epc:id:gsrn:0614141.1234567890", "https://id.gs1.org/8018/061414112345678902"},
		{"gsrnp", "urn:epc:id:gsrnp:0614141.1234567890", "https://id.gs1.org/8017/061414112345678902"},
		{"gdti", "urn:epc:id:gdti:0614141.12345.400", "https://id.gs1.org/253/0614141123452400"},
		{"gdti 12 digit prefix", "urn:epc:id:gdti:061414112345..X1", "https://id.gs1.org/253/0614141123452X1"},
		{"cpi", "urn:epc:id:cpi:0614141.123ABC.123456789", "https://id.gs1.org/8010/0614141123ABC/8011/123456789"},
		{"cpi escaped", "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345", "https://id.gs1.org/8010/06141415PQ7%2FZ43/8011/12345"},
		{"cpi hash sign", "urn:epc:id:cpi:0614141.A%23B.1", "https://id.gs1.org/8010/0614141A%23B/8011/1"},
		{"sgcn", "urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711"},
		{"ginc", "urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11"},
		{"gsin", "urn:epc:id:gsin:0614141.123456789", "https://id.gs1.org/402/06141411234567890"},
		{"itip", "urn:epc:id:itip:0614141.812345.01.02.6789", "https://id.gs1.org/8006/806141411234580102/21/6789"},
		{"upui", "urn:epc:id:upui:0614141.812345.A<B", ""},
		{"upui escaped", "urn:epc:id:upui:0614141.812345.A%3CB", "https://id.gs1.org/01/80614141123458/235/A%3CB"},
		{"pgln", "urn:epc:id:pgln:0614141.12345", "https://id.gs1.org/417/0614141123452"},
		{"pgln 12 digit prefix", "urn:epc:id:pgln:061414112345.", "https://id.gs1.org/417/0614141123452"},
		{"lgtin", "urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"},
		{"idpat sgtin", "urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"},
		{"idpat sgtin exact", "urn:epc:idpat:sgtin:4012345.012345.7", "https://id.gs1.org/01/04012345123456/21/7"},
		{"idpat grai", "urn:epc:idpat:grai:0614141.12345.*", "https://id.gs1.org/8003/00614141123452"},
		{"idpat gdti", "urn:epc:idpat:gdti:0614141.12345.*", "https://id.gs1.org/253/0614141123452"},
		{"idpat sgcn", "urn:epc:idpat:sgcn:4012345.67890.*", "https://id.gs1.org/255/4012345678901"},
		{"idpat cpi", "urn:epc:idpat:cpi:0614141.123ABC.*", "https://id.gs1.org/8010/0614141123ABC"},
		{"idpat itip", "urn:epc:idpat:itip:0614141.812345.01.02.*", "https://id.gs1.org/8006/806141411234580102"},
		{"idpat upui", "urn:epc:idpat:upui:0614141.812345.*", "https://id.gs1.org/01/80614141123458"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := URNToDigitalLink(tt.urn)
			if tt.want == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("URNToDigitalLink(%q): got %q, %v; want ErrInvalid", tt.urn, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("URNToDigitalLink(%q): %v", tt.urn, err)
			}
			if got != tt.want {
				t.Errorf("URNToDigitalLink(%q): got %q, want %q", tt.urn, got, tt.want)
			}
		})
	}
}

func TestURNToDigitalLinkErrors(t *testing.T) {
	tests := []struct {
		name, urn string
		want      error
	}{
		{"not urn", "https://example.com/x", ErrInvalid},
		{"no fields", "urn:epc:id:sgtin:", ErrInvalid},
		{"unknown kind", "urn:epc:tag:sgtin-96:1.0614141.812345.1", ErrInvalid},
		{"unknown scheme", "urn:epc:id:foo:1.2", ErrInvalid},
		{"short prefix", "urn:epc:id:sgtin:06141.8123456.1", ErrInvalid},
		{"long prefix", "urn:epc:id:sgtin:0614141234567..1", ErrInvalid},
		{"item ref wrong length", "urn:epc:id:sgtin:0614141.81234.1", ErrInvalid},
		{"item ref letters", "urn:epc:id:sgtin:0614141.81234A.1", ErrInvalid},
		{"missing serial", "urn:epc:id:sgtin:0614141.812345", ErrInvalid},
		{"empty serial", "urn:epc:id:sgtin:0614141.812345.", ErrInvalid},
		{"serial too long", "urn:epc:id:sgtin:0614141.812345.123456789012345678901", ErrInvalid},
		{"raw slash in serial", "urn:epc:id:sgtin:0614141.812345.A/B", ErrInvalid},
		{"bad escape", "urn:epc:id:sgtin:0614141.812345.A%2", ErrInvalid},
		{"escape outside cset82", "urn:epc:id:sgtin:0614141.812345.A%20B", ErrInvalid},
		{"non-ascii serial", "urn:epc:id:sgtin:0614141.812345.批号", ErrInvalid},
		{"sscc wrong length", "urn:epc:id:sscc:0614141.123456789", ErrInvalid},
		{"cpi lower case", "urn:epc:id:cpi:0614141.abc.1", ErrInvalid},
		{"cpi escaped dot", "urn:epc:id:cpi:0614141.%2E.1", ErrInvalid},
		{"cpi serial leading zero", "urn:epc:id:cpi:0614141.ABC.01", ErrInvalid},
		{"itip piece zero", "urn:epc:id:itip:0614141.812345.00.02.1", ErrInvalid},
		{"cpi serial letters", "urn:epc:id:cpi:0614141.ABC.1A", ErrInvalid},
		{"sgcn serial too long", "urn:epc:id:sgcn:4012345.67890.1234567890123", ErrInvalid},
		{"itip piece one digit", "urn:epc:id:itip:0614141.812345.1.02.1", ErrInvalid},
		{"class not lgtin", "urn:epc:class:sgtin:4012345.012345.1", ErrNoDigitalLink},
		{"bic", "urn:epc:id:bic:CSQU3054383", ErrNoDigitalLink},
		{"gid", "urn:epc:id:gid:95100000.12345.400", ErrNoDigitalLink},
		{"idpat all wildcards", "urn:epc:idpat:sgtin:4012345.*.*", ErrNoDigitalLink},
		{"idpat sscc", "urn:epc:idpat:sscc:0614141.*", ErrNoDigitalLink},
		{"idpat star in middle", "urn:epc:idpat:sgtin:4012345.*.1", ErrNoDigitalLink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := URNToDigitalLink(tt.urn)
			if !errors.Is(err, tt.want) {
				t.Errorf("URNToDigitalLink(%q): got %q, %v; want error %v", tt.urn, got, err, tt.want)
			}
		})
	}
}

// conformanceDir returns the shared conformance data folder beside the
// repository, or skips the test when it is absent.
func conformanceDir(t testing.TB, sub string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Skip("cannot locate the test source file to find the conformance data")
	}
	// The module root is the parent of this package directory.
	dir := filepath.Join(filepath.Dir(file), "..", "..", "shared", "conformance", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance data %s not present: %v", dir, err)
	}
	return dir
}

var epcURNInText = regexp.MustCompile(`urn:epc:(?:id|class|idpat):[a-z]+:[^"<>\s?&]+`)

func TestURNToDigitalLinkConformanceExamples(t *testing.T) {
	dir := conformanceDir(t, "gs1-epcis")
	seen := 0
	for _, sub := range []string{"JSON", "XML", "XML-1.2"} {
		err := filepath.WalkDir(filepath.Join(dir, sub), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, urn := range epcURNInText.FindAllString(string(data), -1) {
				seen++
				if _, err := URNToDigitalLink(urn); err != nil {
					t.Errorf("%s: URNToDigitalLink(%q): %v", filepath.Base(path), urn, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", sub, err)
		}
	}
	if seen == 0 {
		t.Fatalf("found no EPC URN in %s", dir)
	}
	t.Logf("converted %d EPC URNs", seen)
}

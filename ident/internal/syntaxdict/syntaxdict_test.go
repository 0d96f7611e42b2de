package syntaxdict

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEntries(t *testing.T) {
	const text = `# comment line
00  *?  N18,csum,gcppos2            dlpkey                    # SSCC
253  ?  N13,csum,gcppos1 [X..17]   dlpkey                    # GDTI
3100-3102 *? N6                    req=01,02 ex=310n          # NET WEIGHT (kg)
250  ?  X..30                      req=01+21,03+21            # SECONDARY SERIAL
01  *?  N14,csum                   ex=255,37 dlpkey=22,10,21|235  # GTIN
8110 ?  X..70,couponcode
`
	entries, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var ais []string
	for _, e := range entries {
		ais = append(ais, e.AI)
	}
	if want := []string{"00", "253", "3100", "3101", "3102", "250", "01", "8110"}; !reflect.DeepEqual(ais, want) {
		t.Fatalf("AIs: got %v, want %v", ais, want)
	}
	sscc := entries[0]
	if !sscc.Predefined || !sscc.DLAttribute || !sscc.PrimaryKey || sscc.Title != "SSCC" {
		t.Errorf("SSCC entry: got %+v", sscc)
	}
	if want := (Component{Charset: 'N', Min: 18, Max: 18, Linters: []string{"csum", "gcppos2"}}); !reflect.DeepEqual(sscc.Components[0], want) {
		t.Errorf("SSCC component: got %+v, want %+v", sscc.Components[0], want)
	}
	gdti := entries[1]
	if want := (Component{Charset: 'X', Min: 1, Max: 17, Optional: true}); !reflect.DeepEqual(gdti.Components[1], want) {
		t.Errorf("GDTI serial component: got %+v, want %+v", gdti.Components[1], want)
	}
	weight := entries[3]
	if !reflect.DeepEqual(weight.Requires, [][][]string{{{"01"}, {"02"}}}) || !reflect.DeepEqual(weight.Excludes, []string{"310n"}) {
		t.Errorf("3101 pairing: got req %v ex %v", weight.Requires, weight.Excludes)
	}
	if got := entries[5].Requires; !reflect.DeepEqual(got, [][][]string{{{"01", "21"}, {"03", "21"}}}) {
		t.Errorf("250 requires: got %v", got)
	}
	if got := entries[6].Qualifiers; !reflect.DeepEqual(got, [][]string{{"22", "10", "21"}, {"235"}}) {
		t.Errorf("01 qualifiers: got %v", got)
	}
	if entries[7].Title != "" {
		t.Errorf("8110 title: got %q, want empty", entries[7].Title)
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		"01",
		"01 *? Q14",
		"01 *? N0",
		"01 *? [N14",
		"3105-3100 N6",
		"01 *? N14 foo=bar",
		"01 *? req=01",
	} {
		if _, err := Parse(strings.NewReader(line)); err == nil {
			t.Errorf("Parse(%q): got no error", line)
		}
	}
}

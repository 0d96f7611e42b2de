package epcis

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// conformanceDir returns the GS1 EPCIS conformance folder, which sits next
// to the repository root, or skips the test when it is absent.
func conformanceDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the package folder; cannot locate the conformance data")
		}
		dir = parent
	}
	conf := filepath.Join(dir, "..", "shared", "conformance", "gs1-epcis")
	if _, err := os.Stat(conf); err != nil {
		t.Skipf("conformance data not present at %s; skipping", conf)
	}
	return conf
}

func TestExpandCBVForms(t *testing.T) {
	tests := []struct {
		vocab Vocab
		in    string
		want  string
	}{
		{VocabBizStep, "shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabBizStep, "https://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabBizStep, "http://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabBizStep, "cbv:BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabBizStep, "shippping", "shippping"},
		{VocabBizStep, "https://example.com/steps/grading", "https://example.com/steps/grading"},
		{VocabBizStep, "", ""},
		{VocabDisposition, "in_transit", "urn:epcglobal:cbv:disp:in_transit"},
		{VocabBizTransactionType, "po", "urn:epcglobal:cbv:btt:po"},
		{VocabSourceDestType, "owning_party", "urn:epcglobal:cbv:sdt:owning_party"},
		{VocabErrorReason, "incorrect_data", "urn:epcglobal:cbv:er:incorrect_data"},
		{VocabSensorMeasurementType, "Temperature", "https://gs1.org/voc/Temperature"},
		{VocabSensorMeasurementType, "gs1:Temperature", "https://gs1.org/voc/Temperature"},
		{VocabSensorMeasurementType, "https://www.gs1.org/voc/Temperature", "https://gs1.org/voc/Temperature"},
		{VocabSensorMeasurementType, "gs1:Molar_concentration", "https://gs1.org/voc/Molar_concentration"},
		{VocabSensorMeasurementType, "example:someSensorProperty", "example:someSensorProperty"},
		{VocabSensorAlertType, "ALARM_CONDITION", "https://gs1.org/voc/ALARM_CONDITION"},
		{VocabComponent, "x", "https://ref.gs1.org/cbv/Comp-x"},
		{VocabComponent, "cbv:Comp-easting", "https://ref.gs1.org/cbv/Comp-easting"},
		// A term of one vocabulary is not expanded in another.
		{VocabDisposition, "shipping", "shipping"},
	}
	for _, tt := range tests {
		t.Run(tt.vocab.String()+"/"+tt.in, func(t *testing.T) {
			if got := ExpandCBV(tt.vocab, tt.in); got != tt.want {
				t.Errorf("ExpandCBV(%v, %q): got %q, want %q", tt.vocab, tt.in, got, tt.want)
			}
		})
	}
}

func TestCompactCBVForms(t *testing.T) {
	tests := []struct {
		vocab Vocab
		in    string
		want  string
	}{
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shipping", "shipping"},
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:grading", "urn:epcglobal:cbv:bizstep:grading"},
		{VocabBizStep, "https://example.com/steps/grading", "https://example.com/steps/grading"},
		{VocabSensorMeasurementType, "https://gs1.org/voc/Temperature", "Temperature"},
		{VocabSensorMeasurementType, "https://gs1.org/voc/Molar_concentration", "gs1:Molar_concentration"},
		{VocabComponent, "https://ref.gs1.org/cbv/Comp-latitude", "latitude"},
		{VocabSensorAlertType, "https://gs1.org/voc/ERROR_CONDITION", "ERROR_CONDITION"},
	}
	for _, tt := range tests {
		t.Run(tt.vocab.String()+"/"+tt.in, func(t *testing.T) {
			if got := CompactCBV(tt.vocab, tt.in); got != tt.want {
				t.Errorf("CompactCBV(%v, %q): got %q, want %q", tt.vocab, tt.in, got, tt.want)
			}
		})
	}
}

func TestWebURIAndXMLForm(t *testing.T) {
	tests := []struct {
		vocab   Vocab
		in      string
		wantWeb string
		wantXML string
	}{
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"},
		{VocabDisposition, "urn:epcglobal:cbv:disp:in_transit", "https://ref.gs1.org/cbv/Disp-in_transit", "urn:epcglobal:cbv:disp:in_transit"},
		{VocabSensorMeasurementType, "https://gs1.org/voc/Temperature", "https://gs1.org/voc/Temperature", "gs1:Temperature"},
		{VocabComponent, "https://ref.gs1.org/cbv/Comp-x", "https://ref.gs1.org/cbv/Comp-x", "cbv:Comp-x"},
		{VocabBizStep, "https://example.com/steps/grading", "https://example.com/steps/grading", "https://example.com/steps/grading"},
	}
	for _, tt := range tests {
		t.Run(tt.vocab.String()+"/"+tt.in, func(t *testing.T) {
			if got := WebURI(tt.vocab, tt.in); got != tt.wantWeb {
				t.Errorf("WebURI(%v, %q): got %q, want %q", tt.vocab, tt.in, got, tt.wantWeb)
			}
			if got := XMLForm(tt.vocab, tt.in); got != tt.wantXML {
				t.Errorf("XMLForm(%v, %q): got %q, want %q", tt.vocab, tt.in, got, tt.wantXML)
			}
		})
	}
}

func TestIsStandardValues(t *testing.T) {
	tests := []struct {
		vocab Vocab
		in    string
		want  bool
	}{
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shipping", true},
		{VocabBizStep, "shipping", false}, // not canonical
		{VocabBizStep, "urn:epcglobal:cbv:bizstep:shippping", false},
		{VocabBizTransactionType, "urn:epcglobal:cbv:btt:packevent", false},
		{VocabSensorMeasurementType, "https://gs1.org/voc/Temperature", true},
		{VocabSensorMeasurementType, "https://gs1.org/voc/Molar_concentration", false},
		{VocabComponent, "https://ref.gs1.org/cbv/Comp-altitude", true},
		{Vocab(99), "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.vocab.String()+"/"+tt.in, func(t *testing.T) {
			if got := IsStandard(tt.vocab, tt.in); got != tt.want {
				t.Errorf("IsStandard(%v, %q): got %v, want %v", tt.vocab, tt.in, got, tt.want)
			}
		})
	}
}

// TestCBVTablesMatchOntology checks the tables against the GS1 CBV ontology
// and the JSON-LD context files of the conformance data.
func TestCBVTablesMatchOntology(t *testing.T) {
	conf := conformanceDir(t)
	raw, err := os.ReadFile(filepath.Join(conf, "Ontology", "CBV.jsonld"))
	if err != nil {
		t.Fatalf("read CBV ontology: %v", err)
	}
	var onto struct {
		Graph []struct {
			ID   string `json:"@id"`
			Type any    `json:"@type"`
		} `json:"@graph"`
	}
	if err := json.Unmarshal(raw, &onto); err != nil {
		t.Fatalf("parse CBV ontology: %v", err)
	}
	classes := map[string]Vocab{
		"cbv:BizStep": VocabBizStep,
		"cbv:Disp":    VocabDisposition,
		"cbv:BTT":     VocabBizTransactionType,
		"cbv:SDT":     VocabSourceDestType,
		"cbv:ER":      VocabErrorReason,
		"cbv:Comp":    VocabComponent,
	}
	want := map[Vocab][]string{}
	for _, node := range onto.Graph {
		class, ok := node.Type.(string)
		if !ok {
			continue
		}
		v, ok := classes[class]
		if !ok {
			continue
		}
		_, term, _ := strings.Cut(node.ID, "-")
		want[v] = append(want[v], term)
	}
	for _, ctx := range []struct {
		file  string
		vocab Vocab
	}{
		{"gs1-context-measurement-type.jsonld", VocabSensorMeasurementType},
		{"gs1-context-sensor-alert-type.jsonld", VocabSensorAlertType},
	} {
		raw, err := os.ReadFile(filepath.Join(conf, "JSON-LD-Context", ctx.file))
		if err != nil {
			t.Fatalf("read %s: %v", ctx.file, err)
		}
		var doc struct {
			Context map[string]any `json:"@context"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("parse %s: %v", ctx.file, err)
		}
		for k := range doc.Context {
			if !strings.HasPrefix(k, "@") && k != "gs1" {
				want[ctx.vocab] = append(want[ctx.vocab], k)
			}
		}
	}
	for v := VocabBizStep; v <= VocabComponent; v++ {
		t.Run(v.String(), func(t *testing.T) {
			got := StandardTerms(v)
			w := append([]string(nil), want[v]...)
			sort.Strings(got)
			sort.Strings(w)
			if strings.Join(got, " ") != strings.Join(w, " ") {
				t.Errorf("terms of %v:\n got %v\nwant %v", v, got, w)
			}
			for _, term := range w {
				if c := ExpandCBV(v, term); !IsStandard(v, c) {
					t.Errorf("ExpandCBV(%v, %q) = %q is not standard", v, term, c)
				}
			}
		})
	}
}

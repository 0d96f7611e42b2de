package ident

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/suyuan-trace/suyuan/ident/internal/syntaxdict"
)

func TestAITableMatchesDictionary(t *testing.T) {
	path := filepath.Join(conformanceDir(t, "gs1-syntax"), "gs1-syntax-dictionary.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("GS1 syntax dictionary not readable: %v", err)
	}
	defer f.Close()
	entries, err := syntaxdict.Parse(f)
	if err != nil {
		t.Fatalf("parse dictionary: %v", err)
	}
	if len(entries) != len(aiTable) {
		t.Errorf("AI count: dictionary has %d, table has %d; run go generate in ident", len(entries), len(aiTable))
	}
	for _, e := range entries {
		d, ok := LookupAI(e.AI)
		if !ok {
			t.Errorf("AI (%s) %s: missing from the table", e.AI, e.Title)
			continue
		}
		if d.Title != e.Title || d.Predefined != e.Predefined || d.DLAttribute != e.DLAttribute || d.PrimaryKey != e.PrimaryKey {
			t.Errorf("AI (%s): table %q predefined=%v dl=%v pkey=%v, dictionary %q %v %v %v",
				e.AI, d.Title, d.Predefined, d.DLAttribute, d.PrimaryKey, e.Title, e.Predefined, e.DLAttribute, e.PrimaryKey)
		}
		if len(d.Components) != len(e.Components) {
			t.Errorf("AI (%s): %d components, dictionary %d", e.AI, len(d.Components), len(e.Components))
			continue
		}
		for i, c := range e.Components {
			got := d.Components[i]
			if byte(got.Charset) != c.Charset || got.Min != c.Min || got.Max != c.Max || got.Optional != c.Optional || !reflect.DeepEqual(got.Linters, c.Linters) {
				t.Errorf("AI (%s) component %d: table %+v, dictionary %+v", e.AI, i+1, got, c)
			}
		}
		if !reflect.DeepEqual(d.Requires, e.Requires) {
			t.Errorf("AI (%s) requires: table %v, dictionary %v", e.AI, d.Requires, e.Requires)
		}
		if !reflect.DeepEqual(d.Excludes, e.Excludes) {
			t.Errorf("AI (%s) excludes: table %v, dictionary %v", e.AI, d.Excludes, e.Excludes)
		}
		if !reflect.DeepEqual(d.Qualifiers, e.Qualifiers) {
			t.Errorf("AI (%s) qualifiers: table %v, dictionary %v", e.AI, d.Qualifiers, e.Qualifiers)
		}
	}
}

func TestAITableLintersImplemented(t *testing.T) {
	for _, d := range AIs() {
		for _, c := range d.Components {
			for _, name := range c.Linters {
				if _, ok := linters[name]; !ok {
					t.Errorf("AI (%s): linter %q not implemented", d.AI, name)
				}
			}
		}
	}
}

func TestAITableKnownEntries(t *testing.T) {
	tests := []struct {
		ai               string
		min, max         int
		predefined, pkey bool
		titleZH          string
	}{
		{"00", 18, 18, true, true, "系列货运包装箱代码（SSCC，物流单元代码）"},
		{"01", 14, 14, true, true, "全球贸易项目代码（GTIN，商品条码）"},
		{"10", 1, 20, false, false, "批号"},
		{"11", 6, 6, true, false, "生产日期"},
		{"15", 6, 6, true, false, "保质期至"},
		{"17", 6, 6, true, false, "有效期至"},
		{"21", 1, 20, false, false, "序列号"},
		{"253", 13, 30, false, true, "全球文件类型代码（GDTI）"},
		{"3103", 6, 6, true, false, "净重（千克）"},
		{"414", 13, 13, true, true, "参与方位置代码（GLN，物理位置）"},
		{"8003", 14, 30, false, true, "全球可回收资产标识符（GRAI）"},
		{"8006", 18, 18, false, true, "贸易项目组件标识符（ITIP）"},
		{"99", 1, 90, false, false, "公司内部信息"},
	}
	for _, tt := range tests {
		t.Run(tt.ai, func(t *testing.T) {
			d, ok := LookupAI(tt.ai)
			if !ok {
				t.Fatalf("LookupAI(%s): not found", tt.ai)
			}
			if got := d.MinLength(); got != tt.min {
				t.Errorf("MinLength: got %d, want %d", got, tt.min)
			}
			if got := d.MaxLength(); got != tt.max {
				t.Errorf("MaxLength: got %d, want %d", got, tt.max)
			}
			if d.Predefined != tt.predefined {
				t.Errorf("Predefined: got %v, want %v", d.Predefined, tt.predefined)
			}
			if d.PrimaryKey != tt.pkey {
				t.Errorf("PrimaryKey: got %v, want %v", d.PrimaryKey, tt.pkey)
			}
			if d.TitleZH != tt.titleZH {
				t.Errorf("TitleZH: got %q, want %q", d.TitleZH, tt.titleZH)
			}
		})
	}
}

func TestAITablePrefixFree(t *testing.T) {
	all := AIs()
	for _, a := range all {
		for _, b := range all {
			if a.AI != b.AI && len(a.AI) < len(b.AI) && b.AI[:len(a.AI)] == a.AI {
				t.Errorf("AI (%s) is a prefix of AI (%s); raw element strings would be ambiguous", a.AI, b.AI)
			}
		}
	}
}

package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/party"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func TestRegistryDirectoryPlaceOfLocation(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "registry.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })

	svc := &party.Service{Store: st}
	p := store.Party{ID: "pa", Kind: store.PartyEnterprise, NameZH: "甲乳业有限公司", NameEN: "A Dairy", USCC: "914401010812345618", Region: "440106", CompanyPrefixes: []string{"6901234"},
		Licences: []store.Licence{{Kind: "food-distribution", Number: "JY14401060000001"}}}
	if _, err := svc.CreateParty(ctx, p); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}
	locations := []struct{ id, division string }{
		{"urn:epc:id:sgln:6901234.00001.0", "440106"},
		{"urn:epc:id:sgln:6901234.00002.0", "440305"},
	}
	for _, l := range locations {
		if _, err := svc.PutLocation(ctx, store.Location{Original: l.id, PartyID: "pa", Name: "仓库", Division: l.division}); err != nil {
			t.Fatalf("PutLocation(%s): %v", l.id, err)
		}
	}

	dir := registryDirectory{st}
	tests := []struct {
		name, id, wantDivision string
		wantOK                 bool
	}{
		{"head office location", "urn:epc:id:sgln:6901234.00001.0", "440106", true},
		{"branch in another city", "urn:epc:id:sgln:6901234.00002.0", "440305", true},
		{"unregistered location", "urn:epc:id:sgln:6901234.00003.0", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ident.Canonical(tt.id)
			if err != nil {
				t.Fatalf("Canonical(%s): %v", tt.id, err)
			}
			got, ok, err := dir.Party(ctx, id)
			if err != nil {
				t.Fatalf("Party(%s): %v", tt.id, err)
			}
			if ok != tt.wantOK {
				t.Fatalf("Party(%s): ok %v, want %v", tt.id, ok, tt.wantOK)
			}
			if got.Division != tt.wantDivision {
				t.Errorf("division: got %q, want %q", got.Division, tt.wantDivision)
			}
			if ok && got.NameZH != "甲乳业有限公司" {
				t.Errorf("name: got %q, want 甲乳业有限公司", got.NameZH)
			}
			if ok && (len(got.Licences) != 1 || got.Licences[0] != "food-distribution") {
				t.Errorf("licences: got %v, want [food-distribution]", got.Licences)
			}
		})
	}
}

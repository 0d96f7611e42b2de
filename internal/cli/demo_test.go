package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/store/sqlite"
)

func TestRegisterDemoPartiesOnce(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	gen, err := demo.New(1)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out}
	for i := 0; i < 2; i++ {
		if err := registerDemoParties(ctx, env, st, gen.Directory()); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	hospital, err := ident.Canonical("urn:epc:id:sgln:6934003.00001.0")
	if err != nil {
		t.Fatal(err)
	}
	loc, err := st.Location(ctx, hospital)
	if err != nil {
		t.Fatalf("hospital location: %v", err)
	}
	p, err := st.Party(ctx, loc.PartyID)
	if err != nil {
		t.Fatal(err)
	}
	if p.NameZH != "东莞仁和医院" || p.Kind != store.PartyEnterprise || p.Region != "441900" {
		t.Errorf("hospital: got %q %s %s", p.NameZH, p.Kind, p.Region)
	}
	if !bytes.Contains(out.Bytes(), []byte("already registered")) {
		t.Errorf("second run did not report the enterprises as registered: %s", out.String())
	}
}

package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/demo"
	"github.com/suyuan-trace/suyuan/internal/recall"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// newRegulatorDB returns a SQLite store path with a registered regulator
// rgd (Guangdong) and enterprise pgz (Guangzhou).
func newRegulatorDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "suyuan.db")
	for _, args := range [][]string{
		{"party", "add", "--db", db, "--id", "rgd", "--kind", "regulator", "--name-zh", "广东省市场监督管理局", "--department", "食品安全抽检监测处", "--jurisdiction", "44"},
		{"party", "add", "--db", db, "--id", "pgz", "--name-zh", "广州甲食品有限公司", "--uscc", "914401010812345618", "--region", "440106"},
	} {
		if code, _, stderr := runMain(t, "", args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	return db
}

func TestRecallCommands(t *testing.T) {
	db := newRegulatorDB(t)
	code, stdout, stderr := runMain(t, "", "recall", "open", "--db", db, "--number", "粤食召〔2026〕017号", "--regulator", "rgd",
		"--level", "一级", "--reason-zh", "检出盐酸克伦特罗", "--reason-en", "clenbuterol found", "--id", "(01)06901234000016(10)L1")
	if code != 0 {
		t.Fatalf("recall open: exit %d: %s", code, stderr)
	}
	// The two party registrations of newRegulatorDB are decisions 1 and 2.
	if !strings.Contains(stderr, "recall.open seq 3") {
		t.Errorf("recall open: stderr %q lacks the decision seq", stderr)
	}
	for _, want := range []string{"粤食召〔2026〕017号", "一级 (I)", "https://id.gs1.org/01/06901234000016/10/L1", "无追溯记录 / no events"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("recall open output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, stderr = runMain(t, "", "recall", "show", "--db", db, "--json", "粤食召〔2026〕017号")
	if code != 0 {
		t.Fatalf("recall show: exit %d: %s", code, stderr)
	}
	var n recall.Notice
	if err := json.Unmarshal([]byte(stdout), &n); err != nil {
		t.Fatalf("recall show --json: %v\n%s", err, stdout)
	}
	if n.Regulator != "rgd" || n.Decisions[0].Actor == "" || !strings.HasPrefix(n.Decisions[0].Actor, "cli:") {
		t.Errorf("notice = %+v, want regulator rgd and a cli: actor", n)
	}

	if code, _, stderr = runMain(t, "", "recall", "update", "--db", db, "--recovered", "850.5", "--uom", "KGM", "--note-zh", "已下架", n.ID); code != 0 {
		t.Fatalf("recall update: exit %d: %s", code, stderr)
	}
	if code, _, stderr = runMain(t, "", "recall", "close", "--db", db, "--result-zh", "已全部召回并销毁", n.ID); code != 0 {
		t.Fatalf("recall close: exit %d: %s", code, stderr)
	}
	code, _, stderr = runMain(t, "", "recall", "update", "--db", db, "--note-zh", "补充", n.ID)
	if code == 0 || !strings.Contains(stderr, "召回公告已结束") {
		t.Errorf("update after close: exit %d, stderr %q; want a failure saying the notice is closed", code, stderr)
	}

	code, stdout, _ = runMain(t, "", "recall", "list", "--db", db, "--status", "closed")
	if code != 0 || !strings.Contains(stdout, "粤食召〔2026〕017号") || !strings.Contains(stdout, "已结束 closed") {
		t.Errorf("recall list --status closed: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = runMain(t, "", "recall", "list", "--db", db, "--status", "open")
	if code != 0 || strings.Contains(stdout, "017号") {
		t.Errorf("recall list --status open: exit %d, lists the closed notice:\n%s", code, stdout)
	}

	code, _, stderr = runMain(t, "", "recall", "open", "--db", db, "--number", "N2", "--regulator", "rgd", "--level", "I", "--reason-zh", "x", "--id", "(01)0690123")
	if code == 0 || !strings.Contains(stderr, "ids[0]") || !strings.Contains(stderr, "(01)0690123") {
		t.Errorf("bad identifier: exit %d, stderr %q; want an error naming ids[0] and its value", code, stderr)
	}
}

func TestCreditCommands(t *testing.T) {
	db := newRegulatorDB(t)
	code, stdout, stderr := runMain(t, "", "credit", "add", "--db", db, "--party", "pgz", "--regulator", "rgd",
		"--reason-zh", "生产销售不合格食品", "--document", "粤市监信〔2026〕3号", "--from", "2026-01-01")
	if code != 0 {
		t.Fatalf("credit add: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "广州甲食品有限公司") || !strings.Contains(stdout, "在列 listed") || !strings.Contains(stderr, "credit.add") {
		t.Errorf("credit add output:\n%s\n%s", stdout, stderr)
	}
	id := strings.Fields(strings.Split(stdout, "\n")[1])[0]

	code, stdout, _ = runMain(t, "", "credit", "list", "--db", db, "--party", "914401010812345618")
	if code != 0 || !strings.Contains(stdout, id) {
		t.Errorf("credit list --party USCC: exit %d:\n%s", code, stdout)
	}
	if code, _, stderr = runMain(t, "", "credit", "remove", "--db", db, "--reason-zh", "完成信用修复", id); code != 0 {
		t.Fatalf("credit remove: exit %d: %s", code, stderr)
	}
	code, stdout, _ = runMain(t, "", "credit", "list", "--db", db)
	if code != 0 || strings.Contains(stdout, id) {
		t.Errorf("credit list after removal: exit %d, still lists %s:\n%s", code, id, stdout)
	}
	code, stdout, _ = runMain(t, "", "credit", "list", "--db", db, "--status", "removed")
	if code != 0 || !strings.Contains(stdout, "已移出 removed") {
		t.Errorf("credit list --status removed: exit %d:\n%s", code, stdout)
	}

	code, _, stderr = runMain(t, "", "credit", "add", "--db", db, "--party", "914401010812345619", "--name-zh", "x", "--regulator", "rgd", "--reason-zh", "x", "--document", "D9")
	if code == 0 || !strings.Contains(stderr, "914401010812345619") {
		t.Errorf("bad USCC: exit %d, stderr %q; want an error naming the value", code, stderr)
	}
}

func TestSeedDemoIssuesDecisions(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "demo.db")
	gen, err := demo.New(1)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	env := &Env{Stdout: &out, Stderr: &out}
	if err := seedDemo(ctx, env, db, gen, 2); err != nil {
		t.Fatalf("seedDemo: %v\n%s", err, out.String())
	}
	st, recalls, creditList, err := openDecisions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := recalls.Get(ctx, gen.PlantedRecall().Number)
	if err != nil {
		t.Fatalf("planted recall: %v\n%s", err, out.String())
	}
	if n.Regulator != demo.Regulator.ID || n.Scope.Affected == 0 || n.Decisions[0].LeafIndex == 0 {
		t.Errorf("planted recall = %+v, want the demo regulator's notice with a scope and an audit-log leaf", n)
	}
	for _, b := range n.Scope.ByRegion {
		if b.Key == "unknown" || len(b.Key) != 6 {
			t.Errorf("scope region %q: want the division of a registered location", b.Key)
		}
	}
	covering, err := recalls.Covering(ctx, n.IDs)
	if err != nil || len(covering) != 1 {
		t.Errorf("Covering(recalled lot) = %v, %v; want the notice", covering, err)
	}
	entries, err := creditList.Listed(ctx, gen.PlantedCreditEntries()[0].USCC)
	if err != nil || len(entries) != 1 || entries[0].PartyID == "" {
		t.Errorf("planted credit entry = %+v, %v; want one entry about a registered party", entries, err)
	}
	leaf, err := st.LeafHashes(ctx, n.Decisions[0].LeafIndex, n.Decisions[0].LeafIndex+1)
	if err != nil || len(leaf) != 1 {
		t.Fatalf("leaf of the recall decision: %v", err)
	}
	ds, err := st.Decisions(ctx, store.DecisionFilter{Subject: n.ID})
	if err != nil || len(ds) != 1 || string(ds[0].LeafHash) != string(leaf[0]) {
		t.Errorf("recall decision's leaf hash does not match the audit-log leaf")
	}

	out.Reset()
	if err := seedDemoDecisions(ctx, env, st, gen); err != nil {
		t.Fatalf("second seedDemoDecisions: %v", err)
	}
	if !strings.Contains(out.String(), "already issued") || !strings.Contains(out.String(), "already added") {
		t.Errorf("second seeding did not keep the decisions: %s", out.String())
	}
}

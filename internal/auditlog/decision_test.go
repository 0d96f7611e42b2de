package auditlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

func sampleDecision() store.Decision {
	return store.Decision{
		Kind: "party.update", Subject: "P1", Actor: "admin", ActorPartyID: "operator",
		Time: time.Date(2026, 3, 2, 9, 15, 30, 120_000_000, time.FixedZone("CST", 8*3600)),
		Body: json.RawMessage(`{"id":"P1"}`),
	}
}

// TestDecisionLeafDataLayout builds the expected leaf data byte by byte
// from the documented layout.
func TestDecisionLeafDataLayout(t *testing.T) {
	d := sampleDecision()
	body := sha256.Sum256([]byte(`{"id":"P1"}`))
	var want bytes.Buffer
	want.WriteString("suyuan/auditlog/decision/v1\n")
	for _, f := range []string{"party.update", "P1", "admin", "operator", "2026-03-02T01:15:30.120Z", "sha256", string(body[:])} {
		want.Write([]byte{0, 0, 0, byte(len(f))})
		want.WriteString(f)
	}
	if got := DecisionLeafData(d); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("DecisionLeafData:\ngot  %q\nwant %q", got, want.Bytes())
	}
	if got, want := DecisionLeafHash(SHA256, d), SHA256.HashLeaf(want.Bytes()); !bytes.Equal(got, want) {
		t.Errorf("DecisionLeafHash(SHA256): got %x, want %x", got, want)
	}
}

func TestDecisionLeafBindsEveryField(t *testing.T) {
	base := DecisionLeafHash(SHA256, sampleDecision())
	changes := []struct {
		name   string
		change func(d *store.Decision)
	}{
		{"kind", func(d *store.Decision) { d.Kind = "party.create" }},
		{"subject", func(d *store.Decision) { d.Subject = "P2" }},
		{"actor", func(d *store.Decision) { d.Actor = "system" }},
		{"actor party", func(d *store.Decision) { d.ActorPartyID = "" }},
		{"time", func(d *store.Decision) { d.Time = d.Time.Add(time.Millisecond) }},
		{"body", func(d *store.Decision) { d.Body = json.RawMessage(`{"id":"P2"}`) }},
		{"body escape", func(d *store.Decision) { d.Body = json.RawMessage(`{"id":"\u0050\u0031"}`) }},
		// Moving bytes between adjacent fields keeps their concatenation.
		{"field boundary", func(d *store.Decision) { d.Subject, d.Actor = "P1a", "dmin" }},
	}
	for _, c := range changes {
		d := sampleDecision()
		c.change(&d)
		if got := DecisionLeafHash(SHA256, d); bytes.Equal(got, base) {
			t.Errorf("DecisionLeafHash unchanged after a change of %s", c.name)
		}
	}
	if bytes.Equal(DecisionLeafHash(SM3, sampleDecision()), base) {
		t.Errorf("DecisionLeafHash: SM3 and SHA-256 give the same hash")
	}
	d := sampleDecision()
	d.Seq, d.LeafIndex = 7, 9
	if got := DecisionLeafHash(SHA256, d); !bytes.Equal(got, base) {
		t.Errorf("DecisionLeafHash depends on Seq or LeafIndex, which the store assigns after hashing")
	}
}

func TestDecisionLeafDiffersFromEventLeaf(t *testing.T) {
	d := sampleDecision()
	if bytes.HasPrefix(DecisionLeafData(d), []byte(leafLabel)) {
		t.Errorf("decision leaf data starts with the event leaf label %q", leafLabel)
	}
}

// TestDecisionLeafSurvivesJSONEncoding encodes a decision as the API does,
// indented and with HTML escaping, decodes it, and recomputes its leaf.
func TestDecisionLeafSurvivesJSONEncoding(t *testing.T) {
	d := sampleDecision()
	d.Body = json.RawMessage(`{ "note": "<b>召回</b> & more",
		"list": [1, 2] }`)
	want := DecisionLeafHash(SM3, d)
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var back store.Decision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(back.Body, d.Body) {
		t.Fatalf("the encoder kept the body bytes; the test no longer shows that compact form is needed")
	}
	if got := DecisionLeafHash(SM3, back); !bytes.Equal(got, want) {
		t.Errorf("leaf after a JSON round trip: got %x, want %x (body %s)", got, want, back.Body)
	}
}

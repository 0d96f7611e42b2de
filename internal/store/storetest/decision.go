package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// decisionStore is a store with decisions.
type decisionStore interface {
	store.Store
	store.DecisionStore
}

// RunDecision runs the behavioural suite of store.DecisionStore against
// the backend that open creates. The store open returns must implement
// store.DecisionStore.
func RunDecision(t *testing.T, open Open) {
	fresh := func(t *testing.T) decisionStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		ds, ok := s.(decisionStore)
		if !ok {
			t.Fatalf("store %T does not implement store.DecisionStore", s)
		}
		return ds
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s decisionStore)
	}{
		{"AppendRoundTrip", testDecisionRoundTrip},
		{"WithoutLeaf", testDecisionWithoutLeaf},
		{"Invalid", testDecisionInvalid},
		{"Filter", testDecisionFilter},
		{"InterleavedWithCaptures", testDecisionInterleaved},
		{"Concurrent", testDecisionConcurrent},
		{"RegistryChanges", testDecisionRegistryChanges},
		{"RegistryChangeFails", testDecisionRegistryChangeFails},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, fresh(t)) })
	}
}

// decisionTime is a decision time with whole milliseconds, in a zone other
// than UTC, so that the round trip shows the store returns it in UTC.
var decisionTime = time.Date(2026, 3, 2, 9, 15, 30, 123_000_000, time.FixedZone("CST", 8*3600))

// decision returns a decision with a leaf hash derived from its fields.
func decision(kind, subject string, body string) store.Decision {
	leaf := sha256.Sum256([]byte("decision\n" + kind + "\n" + subject + "\n" + body))
	return store.Decision{
		Kind: kind, Subject: subject, Actor: "admin", ActorPartyID: "operator",
		Time: decisionTime, Body: json.RawMessage(body), LeafHash: leaf[:],
	}
}

func appendDecision(t *testing.T, s store.DecisionStore, d store.Decision) store.Decision {
	t.Helper()
	got, err := s.AppendDecision(context.Background(), d)
	if err != nil {
		t.Fatalf("AppendDecision(%s %s): %v", d.Kind, d.Subject, err)
	}
	return got
}

// checkDecision compares the stored fields and leaf hash of got and want.
// The callers check Seq and LeafIndex.
func checkDecision(t *testing.T, got, want store.Decision) {
	t.Helper()
	if got.Kind != want.Kind || got.Subject != want.Subject || got.Actor != want.Actor || got.ActorPartyID != want.ActorPartyID {
		t.Errorf("decision %d: got %s %q by %q (%q), want %s %q by %q (%q)", got.Seq,
			got.Kind, got.Subject, got.Actor, got.ActorPartyID, want.Kind, want.Subject, want.Actor, want.ActorPartyID)
	}
	if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
		t.Errorf("decision %d: time got %v, want %v in UTC", got.Seq, got.Time, want.Time)
	}
	if !bytes.Equal(got.Body, want.Body) {
		t.Errorf("decision %d: body got %q, want the bytes %q", got.Seq, got.Body, want.Body)
	}
	if !bytes.Equal(got.LeafHash, want.LeafHash) || (got.LeafHash == nil) != (want.LeafHash == nil) {
		t.Errorf("decision %d: leaf hash got %x, want %x", got.Seq, got.LeafHash, want.LeafHash)
	}
}

func testDecisionRoundTrip(t *testing.T, s decisionStore) {
	ctx := context.Background()
	// Odd spacing, key order and escapes must survive byte for byte.
	body := `{ "z": 1,"a" :"召回 \u00e9", "nested": {"b": [1, 2.50, null]} }`
	want := decision("recall.open", "RC-2026-0001", body)
	got := appendDecision(t, s, want)
	if got.Seq != 1 || got.LeafIndex != 0 {
		t.Errorf("AppendDecision: got seq %d leaf %d, want seq 1 leaf 0", got.Seq, got.LeafIndex)
	}
	checkDecision(t, got, want)

	second := appendDecision(t, s, decision("recall.close", "RC-2026-0001", `{}`))
	if second.Seq != 2 || second.LeafIndex != 1 {
		t.Errorf("second AppendDecision: got seq %d leaf %d, want seq 2 leaf 1", second.Seq, second.LeafIndex)
	}
	if n := logSize(t, s); n != 2 {
		t.Errorf("LogSize: got %d, want 2", n)
	}

	at, err := s.DecisionAt(ctx, 0)
	if err != nil {
		t.Fatalf("DecisionAt(0): %v", err)
	}
	if at.Seq != 1 || at.LeafIndex != 0 {
		t.Errorf("DecisionAt(0): got seq %d leaf %d, want seq 1 leaf 0", at.Seq, at.LeafIndex)
	}
	checkDecision(t, at, want)
	hashes, err := s.LeafHashes(ctx, 0, 2)
	if err != nil {
		t.Fatalf("LeafHashes: %v", err)
	}
	if !bytes.Equal(hashes[0], want.LeafHash) {
		t.Errorf("leaf 0: got %x, want the decision's leaf hash %x", hashes[0], want.LeafHash)
	}
	if _, err := s.DecisionAt(ctx, 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecisionAt(2) beyond the log: got %v, want ErrNotFound", err)
	}
	if _, err := s.LeafEvent(ctx, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LeafEvent(0) of a decision leaf: got %v, want ErrNotFound", err)
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{})
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	if len(list) != 2 {
		t.Fatalf("Decisions: got %d, want 2", len(list))
	}
	checkDecision(t, list[0], want)
}

func testDecisionWithoutLeaf(t *testing.T, s decisionStore) {
	ctx := context.Background()
	d := decision("party.create", "P1", `{"id":"P1"}`)
	d.LeafHash = nil
	got := appendDecision(t, s, d)
	if got.Seq != 1 {
		t.Errorf("AppendDecision without leaf: got seq %d, want 1", got.Seq)
	}
	if n := logSize(t, s); n != 0 {
		t.Errorf("LogSize after a decision without leaf: got %d, want 0", n)
	}
	if _, err := s.DecisionAt(ctx, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecisionAt(0) with no leaves: got %v, want ErrNotFound", err)
	}
	withLeaf := appendDecision(t, s, decision("party.update", "P1", `{"id":"P1"}`))
	if withLeaf.Seq != 2 || withLeaf.LeafIndex != 0 {
		t.Errorf("AppendDecision with leaf: got seq %d leaf %d, want seq 2 leaf 0", withLeaf.Seq, withLeaf.LeafIndex)
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{Subject: "P1"})
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	if len(list) != 2 {
		t.Fatalf("Decisions(subject P1): got %d, want 2", len(list))
	}
	checkDecision(t, list[0], d)
}

func testDecisionInvalid(t *testing.T, s decisionStore) {
	ctx := context.Background()
	cases := []struct {
		name   string
		change func(d *store.Decision)
	}{
		{"kind without domain", func(d *store.Decision) { d.Kind = "open" }},
		{"kind ends with dot", func(d *store.Decision) { d.Kind = "recall." }},
		{"empty subject", func(d *store.Decision) { d.Subject = "" }},
		{"empty actor", func(d *store.Decision) { d.Actor = "" }},
		{"zero time", func(d *store.Decision) { d.Time = time.Time{} }},
		{"sub-millisecond time", func(d *store.Decision) { d.Time = d.Time.Add(time.Microsecond) }},
		{"body not JSON", func(d *store.Decision) { d.Body = json.RawMessage(`{"a":`) }},
		{"body an array", func(d *store.Decision) { d.Body = json.RawMessage(`[1]`) }},
		{"empty body", func(d *store.Decision) { d.Body = nil }},
		{"short leaf hash", func(d *store.Decision) { d.LeafHash = d.LeafHash[:31] }},
	}
	for _, tc := range cases {
		d := decision("recall.open", "RC-1", `{"a":1}`)
		tc.change(&d)
		if _, err := s.AppendDecision(ctx, d); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("AppendDecision(%s): got %v, want ErrInvalid", tc.name, err)
		}
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{})
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	if len(list) != 0 || logSize(t, s) != 0 {
		t.Errorf("after invalid appends: got %d decisions and %d leaves, want none", len(list), logSize(t, s))
	}
	for _, f := range []store.DecisionFilter{{Limit: -1}, {AfterSeq: -1}} {
		if _, err := s.Decisions(ctx, f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Decisions(%+v): got %v, want ErrInvalid", f, err)
		}
	}
}

func testDecisionFilter(t *testing.T, s decisionStore) {
	ctx := context.Background()
	for _, d := range []store.Decision{
		decision("recall.open", "RC-1", `{}`),   // 1
		decision("credit.add", "P1", `{}`),      // 2
		decision("recall.close", "RC-1", `{}`),  // 3
		decision("credit_list.add", "P1", `{}`), // 4: "_" must not match any character
		decision("party.update", "P1", `{}`),    // 5
		decision("recall.open", "RC-2", `{}`),   // 6
		decision("creditXlist.add", "P2", `{}`), // 7
		decision("recall.notice", "RC-1", `{}`), // 8
	} {
		appendDecision(t, s, d)
	}
	cases := []struct {
		name string
		f    store.DecisionFilter
		want []int64
	}{
		{"all", store.DecisionFilter{}, []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"kind prefix recall.", store.DecisionFilter{KindPrefix: "recall."}, []int64{1, 3, 6, 8}},
		{"kind prefix credit.", store.DecisionFilter{KindPrefix: "credit."}, []int64{2}},
		{"kind prefix credit_", store.DecisionFilter{KindPrefix: "credit_"}, []int64{4}},
		{"whole kind", store.DecisionFilter{KindPrefix: "recall.open"}, []int64{1, 6}},
		{"subject", store.DecisionFilter{Subject: "RC-1"}, []int64{1, 3, 8}},
		{"subject and kind", store.DecisionFilter{Subject: "P1", KindPrefix: "credit"}, []int64{2, 4}},
		{"after seq", store.DecisionFilter{AfterSeq: 5}, []int64{6, 7, 8}},
		{"after seq with subject", store.DecisionFilter{Subject: "RC-1", AfterSeq: 1}, []int64{3, 8}},
		{"limit", store.DecisionFilter{Limit: 3}, []int64{1, 2, 3}},
		{"limit after seq", store.DecisionFilter{Limit: 2, AfterSeq: 2, KindPrefix: "recall."}, []int64{3, 6}},
		{"unknown subject", store.DecisionFilter{Subject: "RC-9"}, nil},
		{"after the last", store.DecisionFilter{AfterSeq: 8}, nil},
	}
	for _, tc := range cases {
		got, err := s.Decisions(ctx, tc.f)
		if err != nil {
			t.Errorf("Decisions(%s): %v", tc.name, err)
			continue
		}
		var seqs []int64
		for _, d := range got {
			seqs = append(seqs, d.Seq)
		}
		if fmt.Sprint(seqs) != fmt.Sprint(tc.want) {
			t.Errorf("Decisions(%s): got seqs %v, want %v", tc.name, seqs, tc.want)
		}
	}
}

func testDecisionInterleaved(t *testing.T, s decisionStore) {
	ctx := context.Background()
	e0 := record(objectEvent(0, epcis.ActionObserve, sgtin1))
	e1 := record(objectEvent(1, epcis.ActionObserve, sgtin1))
	e3 := record(objectEvent(3, epcis.ActionObserve, sgtin2))
	capture(t, s, "job-1", e0, e1)
	d2 := appendDecision(t, s, decision("recall.open", "RC-1", `{"n":2}`))
	capture(t, s, "job-2", e3)
	decl := declaration(e0, "urn:epcglobal:cbv:er:incorrect_data", base.Add(time.Hour))
	capture(t, s, "job-3", decl)
	d5 := appendDecision(t, s, decision("recall.close", "RC-1", `{"n":5}`))

	if d2.LeafIndex != 2 || d5.LeafIndex != 5 {
		t.Errorf("decision leaves: got %d and %d, want 2 and 5", d2.LeafIndex, d5.LeafIndex)
	}
	if n := logSize(t, s); n != 6 {
		t.Fatalf("LogSize: got %d, want 6", n)
	}
	wantHashes := [][]byte{e0.LeafHash, e1.LeafHash, d2.LeafHash, e3.LeafHash, decl.LeafHash, d5.LeafHash}
	hashes, err := s.LeafHashes(ctx, 0, 6)
	if err != nil {
		t.Fatalf("LeafHashes: %v", err)
	}
	for i := range wantHashes {
		if !bytes.Equal(hashes[i], wantHashes[i]) {
			t.Errorf("leaf %d: got %x, want %x", i, hashes[i], wantHashes[i])
		}
	}
	events := map[uint64]string{0: e0.Event.EventID, 1: e1.Event.EventID, 3: e3.Event.EventID, 4: e0.Event.EventID}
	decisions := map[uint64]int64{2: d2.Seq, 5: d5.Seq}
	for i := range uint64(6) {
		id, errEvent := s.LeafEvent(ctx, i)
		d, errDecision := s.DecisionAt(ctx, i)
		if want, ok := events[i]; ok {
			if errEvent != nil || id != want {
				t.Errorf("LeafEvent(%d): got %q, %v; want %q", i, id, errEvent, want)
			}
			if !errors.Is(errDecision, store.ErrNotFound) {
				t.Errorf("DecisionAt(%d) of an event leaf: got %v, want ErrNotFound", i, errDecision)
			}
			continue
		}
		if !errors.Is(errEvent, store.ErrNotFound) {
			t.Errorf("LeafEvent(%d) of a decision leaf: got %q, %v; want ErrNotFound", i, id, errEvent)
		}
		if errDecision != nil || d.Seq != decisions[i] || d.LeafIndex != i {
			t.Errorf("DecisionAt(%d): got seq %d leaf %d, %v; want seq %d", i, d.Seq, d.LeafIndex, errDecision, decisions[i])
		}
	}
	for _, c := range []struct {
		id   string
		want uint64
	}{{e0.Event.EventID, 0}, {e1.Event.EventID, 1}, {e3.Event.EventID, 3}} {
		if idx, err := s.LeafIndex(ctx, c.id); err != nil || idx != c.want {
			t.Errorf("LeafIndex(%s): got %d, %v; want %d", c.id, idx, err, c.want)
		}
	}
}

// testDecisionConcurrent appends decisions while other goroutines capture,
// and checks that every leaf index from 0 to the log size belongs to
// exactly one event or decision.
func testDecisionConcurrent(t *testing.T, s decisionStore) {
	ctx := context.Background()
	const writers, perWriter = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers*perWriter)
	var mu sync.Mutex
	leafHashes := map[uint64][]byte{}
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				d, err := s.AppendDecision(ctx, decision("credit.add", fmt.Sprintf("P-%d-%d", w, i), `{}`))
				if err != nil {
					errs <- fmt.Errorf("AppendDecision %d/%d: %w", w, i, err)
					return
				}
				mu.Lock()
				if _, dup := leafHashes[d.LeafIndex]; dup {
					errs <- fmt.Errorf("decision %d/%d got leaf %d twice", w, i, d.LeafIndex)
				}
				leafHashes[d.LeafIndex] = d.LeafHash
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			for i := range perWriter {
				e := objectEvent(w*perWriter+i, epcis.ActionObserve, fmt.Sprintf("https://id.gs1.org/01/09521234500019/21/9%03d", w*perWriter+i))
				if _, err := s.Capture(ctx, fmt.Sprintf("job-%d-%d", w, i), []store.Record{record(e)}); err != nil {
					errs <- fmt.Errorf("Capture %d/%d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	const total = 2 * writers * perWriter
	if n := logSize(t, s); n != total {
		t.Fatalf("LogSize: got %d, want %d", n, total)
	}
	hashes, err := s.LeafHashes(ctx, 0, total)
	if err != nil {
		t.Fatalf("LeafHashes: %v", err)
	}
	var events, decisions int
	for i := range uint64(total) {
		_, errEvent := s.LeafEvent(ctx, i)
		d, errDecision := s.DecisionAt(ctx, i)
		switch {
		case errEvent == nil && errors.Is(errDecision, store.ErrNotFound):
			events++
		case errDecision == nil && errors.Is(errEvent, store.ErrNotFound):
			decisions++
			if !bytes.Equal(hashes[i], leafHashes[i]) {
				t.Errorf("leaf %d: got %x, want the hash of decision %d", i, hashes[i], d.Seq)
			}
		default:
			t.Errorf("leaf %d: LeafEvent %v, DecisionAt %v; want exactly one to find it", i, errEvent, errDecision)
		}
	}
	if events != writers*perWriter || decisions != writers*perWriter {
		t.Errorf("leaves: got %d events and %d decisions, want %d of each", events, decisions, writers*perWriter)
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{})
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	for i, d := range list {
		if d.Seq != int64(i+1) {
			t.Errorf("decision %d: got seq %d, want %d (dense from 1)", i, d.Seq, i+1)
		}
	}
}

// registryStore returns s as a PartyStore, or fails the test.
func registryStore(t *testing.T, s decisionStore) store.PartyStore {
	t.Helper()
	ps, ok := s.(store.PartyStore)
	if !ok {
		t.Fatalf("store %T does not implement store.PartyStore", s)
	}
	return ps
}

// countDecisions returns the number of stored decisions and leaves.
func countDecisions(t *testing.T, s decisionStore) (int, uint64) {
	t.Helper()
	list, err := s.Decisions(context.Background(), store.DecisionFilter{})
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	return len(list), logSize(t, s)
}

// testDecisionRegistryChanges makes every kind of registry change with a
// decision and checks that each decision is stored, numbered in place
// and given the next leaf.
func testDecisionRegistryChanges(t *testing.T, s decisionStore) {
	ctx := context.Background()
	ps := registryStore(t, s)
	var seq int64
	check := func(what string, err error, ds ...*store.Decision) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for _, d := range ds {
			seq++
			if d.Seq != seq || d.LeafIndex != uint64(seq-1) {
				t.Errorf("%s: decision got seq %d leaf %d, want seq %d leaf %d", what, d.Seq, d.LeafIndex, seq, seq-1)
			}
		}
	}
	d := decision("party.create", "pa", `{"id":"pa"}`)
	check("CreateParty", ps.CreateParty(ctx, enterprise("pa", "914401010812345618", "6901234"), &d), &d)
	updated := enterprise("pa", "914401010812345618", "6901234")
	updated.Region = "440305"
	d = decision("party.update", "pa", `{"changed":["region"]}`)
	check("UpdateParty", ps.UpdateParty(ctx, updated, &d), &d)
	loc := store.Location{ID: "https://id.gs1.org/414/6901234000013", PartyID: "pa", Name: "广州仓", Division: "440106", CreatedAt: partyTime, UpdatedAt: partyTime}
	d = decision("location.create", "pa", `{"id":"x"}`)
	check("PutLocation", ps.PutLocation(ctx, loc, &d), &d)
	d1, d2 := decision("party.create", "pb", `{}`), decision("party.create", "pc", `{}`)
	check("ImportRegistry", ps.ImportRegistry(ctx, []store.Party{
		enterprise("pb", "914403000812345614", "6905678"), enterprise("pc", "91420100081234561H", "6909999"),
	}, nil, &d1, &d2), &d1, &d2)
	tok := store.Token{ID: "tk1", PartyID: "pa", Name: "ERP", Hash: bytes.Repeat([]byte{7}, 32), Scopes: []store.Scope{store.ScopeQuery}, CreatedBy: "admin", CreatedAt: partyTime}
	d = decision("token.issue", "pa", `{"id":"tk1"}`)
	check("CreateToken", ps.CreateToken(ctx, tok, &d), &d)
	d = decision("token.revoke", "pa", `{"id":"tk1"}`)
	check("RevokeToken", ps.RevokeToken(ctx, "tk1", partyTime, &d), &d)
	u := store.User{Username: "li", PartyID: "pa", PasswordHash: "$argon2id$x", Scopes: []store.Scope{store.ScopeQuery}, CreatedAt: partyTime}
	d = decision("user.create", "pa", `{"username":"li"}`)
	check("CreateUser", ps.CreateUser(ctx, u, &d), &d)
	u.Disabled = true
	d = decision("user.disable", "pa", `{"username":"li"}`)
	check("UpdateUser", ps.UpdateUser(ctx, u, &d), &d)
	check("CreateParty without decision", ps.CreateParty(ctx, enterprise("pd", "91110000081234561X", "6908888")))

	n, leaves := countDecisions(t, s)
	if n != int(seq) || leaves != uint64(seq) {
		t.Errorf("after the changes: got %d decisions and %d leaves, want %d of each", n, leaves, seq)
	}
	list, err := s.Decisions(ctx, store.DecisionFilter{Subject: "pa", KindPrefix: "token."})
	if err != nil || len(list) != 2 || list[0].Kind != "token.issue" || list[1].Kind != "token.revoke" {
		t.Errorf("Decisions(pa, token.): got %+v, %v; want token.issue and token.revoke", list, err)
	}
}

// testDecisionRegistryChangeFails checks that a change that fails stores
// neither the change nor its decision, and that an invalid decision
// stores neither.
func testDecisionRegistryChangeFails(t *testing.T, s decisionStore) {
	ctx := context.Background()
	ps := registryStore(t, s)
	d := decision("party.create", "pa", `{}`)
	if err := ps.CreateParty(ctx, enterprise("pa", "914401010812345618", "6901234"), &d); err != nil {
		t.Fatalf("CreateParty: %v", err)
	}

	conflicting := decision("party.create", "pb", `{}`)
	if err := ps.CreateParty(ctx, enterprise("pb", "914403000812345614", "6901234"), &conflicting); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateParty with a conflicting prefix: got %v, want ErrConflict", err)
	}
	if conflicting.Seq != 0 {
		t.Errorf("CreateParty failed but set the decision's seq to %d", conflicting.Seq)
	}
	missing := decision("token.revoke", "pa", `{}`)
	if err := ps.RevokeToken(ctx, "tk-missing", partyTime, &missing); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevokeToken(missing): got %v, want ErrNotFound", err)
	}
	noUser := decision("user.disable", "pa", `{}`)
	if err := ps.UpdateUser(ctx, store.User{Username: "nobody", PartyID: "pa"}, &noUser); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateUser(missing): got %v, want ErrNotFound", err)
	}
	loc := store.Location{ID: "https://id.gs1.org/414/6909999000019", PartyID: "p-none", Name: "无主", CreatedAt: partyTime, UpdatedAt: partyTime}
	orphan := decision("location.create", "p-none", `{}`)
	if err := ps.PutLocation(ctx, loc, &orphan); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutLocation(unknown party): got %v, want ErrNotFound", err)
	}

	invalid := decision("party.create", "pc", `not json`)
	if err := ps.CreateParty(ctx, enterprise("pc", "91420100081234561H", "6905678"), &invalid); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateParty with an invalid decision: got %v, want ErrInvalid", err)
	}
	if _, err := ps.Party(ctx, "pc"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("party pc after an invalid decision: got %v, want ErrNotFound", err)
	}
	if err := ps.CreateParty(ctx, enterprise("pc", "91420100081234561H", "6905678"), nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateParty with a nil decision: got %v, want ErrInvalid", err)
	}

	if n, leaves := countDecisions(t, s); n != 1 || leaves != 1 {
		t.Errorf("after failed changes: got %d decisions and %d leaves, want 1 of each", n, leaves)
	}
	next := decision("party.create", "pc", `{}`)
	if err := ps.CreateParty(ctx, enterprise("pc", "91420100081234561H", "6905678"), &next); err != nil {
		t.Fatalf("CreateParty pc: %v", err)
	}
	if next.Seq != 2 || next.LeafIndex != 1 {
		t.Errorf("decision after failed changes: got seq %d leaf %d, want seq 2 leaf 1 (no gap)", next.Seq, next.LeafIndex)
	}
}

package auditlog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/eventhash"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/note"
)

// FindingKind classifies one problem Audit found.
type FindingKind string

// Finding kinds.
const (
	// FindingContentChanged: the stored event no longer gives its leaf
	// hash, so its eventID, CBV 2.0 hash or document bytes were changed
	// after capture.
	FindingContentChanged FindingKind = "content-changed"
	// FindingHashMismatch: the event's stored CBV 2.0 hash differs from
	// the hash recomputed from its document.
	FindingHashMismatch FindingKind = "hash-mismatch"
	// FindingUnreadable: the stored document no longer decodes as an
	// EPCIS event, so its hash cannot be recomputed.
	FindingUnreadable FindingKind = "unreadable"
	// FindingEventMissing: a leaf names an event that is not stored.
	FindingEventMissing FindingKind = "event-missing"
	// FindingNoLeaf: a stored event has no leaf in the log.
	FindingNoLeaf FindingKind = "no-leaf"
	// FindingRootMismatch: the stored leaf hashes do not give the root
	// hash of the latest signed checkpoint, or the log shrank below it.
	FindingRootMismatch FindingKind = "root-mismatch"
	// FindingBadCheckpoint: the latest checkpoint does not parse or its
	// signature does not verify with the given key.
	FindingBadCheckpoint FindingKind = "bad-checkpoint"
	// FindingDecisionChanged: the stored decision no longer gives its
	// leaf hash, so its kind, subject, actor, actor party, time or body
	// was changed after it was appended.
	FindingDecisionChanged FindingKind = "decision-changed"
	// FindingDecisionMissing: a leaf records neither an event nor a
	// stored decision, so its decision was deleted.
	FindingDecisionMissing FindingKind = "decision-missing"
)

// Finding is one problem found by Audit. A finding about an event names
// it by EventID; one about a decision names it by DecisionSeq,
// DecisionKind and DecisionSubject.
type Finding struct {
	Kind    FindingKind
	EventID string
	// DecisionSeq is the decision's Seq, or 0 for a finding that is not
	// about a stored decision.
	DecisionSeq     int64
	DecisionKind    string
	DecisionSubject string
	// LeafIndex is the leaf concerned, or -1 when none is.
	LeafIndex int64
	Detail    string
}

// AuditReport is the outcome of Audit.
type AuditReport struct {
	// Leaves is the number of leaves read, Events the number of stored
	// events scanned and Decisions the number of stored decisions
	// scanned.
	Leaves    uint64
	Events    int
	Decisions int
	// CheckpointSize is the size of the latest checkpoint (0 if none);
	// SignatureChecked reports whether its signature was verified.
	CheckpointSize   uint64
	SignatureChecked bool
	// Unverifiable counts leaves whose content the store no longer
	// serves: the original capture leaf of an event that later received
	// an error declaration, whose document the store replaced.
	Unverifiable int
	Findings     []Finding
}

// OK reports whether the audit found no problem.
func (r AuditReport) OK() bool { return len(r.Findings) == 0 }

// AuditOptions configures Audit.
type AuditOptions struct {
	// Hasher is the log's tree hasher; nil means SHA256.
	Hasher *Hasher
	// LogKey, when set, verifies the latest checkpoint's signature, and
	// Origin, when set, must match its origin line.
	LogKey note.Verifier
	Origin string
	// BatchSize is the number of events per ScanEvents call; 0 means 500.
	BatchSize int
}

type leafRef struct {
	index uint64
	hash  []byte
}

// Audit recomputes every leaf from the stored events and decisions and
// compares it with the log. It reports every event or decision whose
// stored content no longer matches its leaf, every leaf whose event or
// decision is missing and every event or decision without a leaf.
// Decisions are checked when st also implements store.DecisionStore. It also checks that the stored leaf hashes still give the latest
// signed checkpoint's root hash. Audit returns an error only when the
// store cannot be read, because problems in the data are findings.
//
// NOTE: Audit keeps every leaf hash in memory (about 100 bytes per leaf),
// which suits logs up to tens of millions of events.
func Audit(ctx context.Context, st store.LogStore, sc store.Scanner, opts AuditOptions) (AuditReport, error) {
	h := opts.Hasher
	if h == nil {
		h = SHA256
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 500
	}
	var rep AuditReport

	size, err := st.LogSize(ctx)
	if err != nil {
		return rep, fmt.Errorf("read log size: %w", err)
	}
	rep.Leaves = size
	byEvent := make(map[string][]leafRef)
	decisions, _ := st.(store.DecisionStore)
	// decisionLeaves holds the leaves that record no event, by index,
	// until a stored decision claims them.
	decisionLeaves := make(map[uint64][]byte)
	rng := (&compact.RangeFactory{Hash: h.HashChildren}).NewEmptyRange(0)
	// computedRoot is the root of the stored leaves at the checkpoint's size.
	var computedRoot []byte
	cpSize, cpRoot, err := auditCheckpoint(ctx, st, opts, &rep)
	if err != nil {
		return rep, err
	}
	const leafBatch = 4096
	for start := uint64(0); start < size; start += leafBatch {
		end := min(start+leafBatch, size)
		hashes, err := st.LeafHashes(ctx, start, end)
		if err != nil {
			return rep, fmt.Errorf("read leaf hashes [%d, %d): %w", start, end, err)
		}
		for i, lh := range hashes {
			index := start + uint64(i)
			id, err := st.LeafEvent(ctx, index)
			switch {
			case errors.Is(err, store.ErrNotFound) && decisions != nil:
				decisionLeaves[index] = lh
			case err != nil:
				return rep, fmt.Errorf("read event of leaf %d: %w", index, err)
			default:
				byEvent[id] = append(byEvent[id], leafRef{index: index, hash: lh})
			}
			if err := rng.Append(lh, nil); err != nil {
				return rep, fmt.Errorf("append leaf %d: %w", index, err)
			}
			if rng.End() == cpSize {
				if computedRoot, err = rng.GetRootHash(nil); err != nil {
					return rep, fmt.Errorf("compute root at %d: %w", cpSize, err)
				}
			}
		}
	}
	if cpSize > 0 {
		switch {
		case computedRoot == nil:
			rep.Findings = append(rep.Findings, Finding{Kind: FindingRootMismatch, LeafIndex: -1,
				Detail: fmt.Sprintf("the signed checkpoint covers %d leaves but only %d are stored; leaves were deleted", cpSize, size)})
		case string(computedRoot) != string(cpRoot):
			rep.Findings = append(rep.Findings, Finding{Kind: FindingRootMismatch, LeafIndex: -1,
				Detail: fmt.Sprintf("the stored leaf hashes give root %x at size %d, the signed checkpoint states %x; leaf rows were changed", computedRoot, cpSize, cpRoot)})
		}
	}

	seen := make(map[string]bool)
	for after := int64(0); ; {
		events, err := sc.ScanEvents(ctx, after, batch)
		if err != nil {
			return rep, fmt.Errorf("scan events after %d: %w", after, err)
		}
		if len(events) == 0 {
			break
		}
		for _, ev := range events {
			after = ev.Seq
			rep.Events++
			seen[ev.EventID] = true
			checkEvent(h, ev, byEvent[ev.EventID], &rep)
		}
	}
	for id, refs := range byEvent {
		if seen[id] {
			continue
		}
		for _, ref := range refs {
			rep.Findings = append(rep.Findings, Finding{Kind: FindingEventMissing, EventID: id, LeafIndex: int64(ref.index),
				Detail: fmt.Sprintf("leaf %d records event %s, which is no longer stored", ref.index, id)})
		}
	}
	if decisions != nil {
		if err := auditDecisions(ctx, h, decisions, decisionLeaves, &rep); err != nil {
			return rep, err
		}
	}
	sortFindings(rep.Findings)
	return rep, nil
}

// auditDecisions compares every stored decision with its leaf, removing
// the leaves it claims from leaves, and reports the leaves left over.
func auditDecisions(ctx context.Context, h *Hasher, ds store.DecisionStore, leaves map[uint64][]byte, rep *AuditReport) error {
	for after := int64(0); ; {
		list, err := ds.Decisions(ctx, store.DecisionFilter{AfterSeq: after, Limit: store.DefaultDecisionLimit})
		if err != nil {
			return fmt.Errorf("list decisions after %d: %w", after, err)
		}
		if len(list) == 0 {
			break
		}
		for _, d := range list {
			after = d.Seq
			rep.Decisions++
			checkDecision(h, d, leaves, rep)
		}
	}
	for index := range leaves {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingDecisionMissing, LeafIndex: int64(index),
			Detail: fmt.Sprintf("leaf %d records no event and no stored decision; its decision was deleted", index)})
	}
	return nil
}

// checkDecision compares one stored decision with the leaf it names.
func checkDecision(h *Hasher, d store.Decision, leaves map[uint64][]byte, rep *AuditReport) {
	finding := Finding{DecisionSeq: d.Seq, DecisionKind: d.Kind, DecisionSubject: d.Subject, LeafIndex: -1}
	name := fmt.Sprintf("decision %d (%s %s)", d.Seq, d.Kind, d.Subject)
	if d.LeafHash == nil {
		finding.Kind = FindingNoLeaf
		finding.Detail = name + " has no audit-log leaf; it was stored while the log was disabled or outside the platform's services"
		rep.Findings = append(rep.Findings, finding)
		return
	}
	finding.LeafIndex = int64(d.LeafIndex)
	stored, ok := leaves[d.LeafIndex]
	delete(leaves, d.LeafIndex)
	if !ok {
		finding.Kind = FindingDecisionChanged
		finding.Detail = fmt.Sprintf("%s names leaf %d, which records an event; the decision or the leaf row was changed", name, d.LeafIndex)
		rep.Findings = append(rep.Findings, finding)
		return
	}
	if got := DecisionLeafHash(h, d); string(got) != string(stored) {
		finding.Kind = FindingDecisionChanged
		finding.Detail = fmt.Sprintf("stored %s gives leaf hash %x but leaf %d holds %x; the decision was changed after it was appended", name, got, d.LeafIndex, stored)
		rep.Findings = append(rep.Findings, finding)
	}
}

// auditCheckpoint reads the latest checkpoint and returns its size and
// root hash; a checkpoint that fails to parse or verify is a finding.
func auditCheckpoint(ctx context.Context, st store.LogStore, opts AuditOptions, rep *AuditReport) (uint64, []byte, error) {
	size, msg, err := st.Checkpoint(ctx, 0)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read latest checkpoint: %w", err)
	}
	var c Checkpoint
	if opts.LogKey != nil {
		c, err = OpenCheckpoint(msg, opts.Origin, opts.LogKey)
		rep.SignatureChecked = err == nil
	} else {
		c, err = ParseCheckpointUnverified(msg)
	}
	if err == nil && c.Size != size {
		err = fmt.Errorf("%w: stored for size %d but states %d", ErrInvalidCheckpoint, size, c.Size)
	}
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingBadCheckpoint, LeafIndex: -1,
			Detail: fmt.Sprintf("latest checkpoint (size %d): %v", size, err)})
		return 0, nil, nil
	}
	rep.CheckpointSize = c.Size
	return c.Size, c.Hash, nil
}

// checkEvent compares one stored event with its leaves. The first leaf
// records the capture; an event with an error declaration has a later
// leaf for the declaration, whose document the store now serves.
func checkEvent(h *Hasher, ev store.StoredEvent, refs []leafRef, rep *AuditReport) {
	if len(refs) == 0 {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingNoLeaf, EventID: ev.EventID, LeafIndex: -1,
			Detail: fmt.Sprintf("event %s (seq %d) has no audit-log leaf; it was stored outside the capture service", ev.EventID, ev.Seq)})
		return
	}
	want := refs[0]
	if ev.Declared && len(refs) > 1 {
		want = refs[len(refs)-1]
		rep.Unverifiable += len(refs) - 1
	}
	e, err := epcis.UnmarshalEventJSON(ev.Doc)
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingUnreadable, EventID: ev.EventID, LeafIndex: int64(want.index),
			Detail: fmt.Sprintf("stored document of event %s no longer decodes: %v", ev.EventID, err)})
		return
	}
	hash, err := eventhash.Hash(e)
	if err != nil {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingUnreadable, EventID: ev.EventID, LeafIndex: int64(want.index),
			Detail: fmt.Sprintf("CBV 2.0 hash of event %s cannot be computed: %v", ev.EventID, err)})
		return
	}
	if got := LeafHash(h, ev.EventID, hash, ev.Doc); string(got) != string(want.hash) {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingContentChanged, EventID: ev.EventID, LeafIndex: int64(want.index),
			Detail: fmt.Sprintf("stored event %s gives leaf hash %x but leaf %d holds %x; the event was changed after capture", ev.EventID, got, want.index, want.hash)})
		return
	}
	if !ev.Declared && hash != ev.Hash {
		rep.Findings = append(rep.Findings, Finding{Kind: FindingHashMismatch, EventID: ev.EventID, LeafIndex: int64(want.index),
			Detail: fmt.Sprintf("event %s stores hash %s but its document hashes to %s", ev.EventID, ev.Hash, hash)})
	}
}

// sortFindings orders findings by leaf index, then eventID and decision
// Seq, so reports are stable.
func sortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		if c := cmp.Compare(a.LeafIndex, b.LeafIndex); c != 0 {
			return c
		}
		if c := cmp.Compare(a.EventID, b.EventID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.DecisionSeq, b.DecisionSeq); c != 0 {
			return c
		}
		return cmp.Compare(a.Kind, b.Kind)
	})
}

package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/ident"
)

// RecallNotice is an open recall notice as the consumer page shows it.
type RecallNotice struct {
	// Number is the notice number (文号), such as 粤食召〔2026〕017号.
	Number             string
	ReasonZH, ReasonEN string
}

// Recalls finds recall notices; package recall implements it.
type Recalls interface {
	// Covering returns the open notices that cover any of ids (canonical
	// identifiers: the scanned code and its lot), including notices of an
	// upstream lot, container or input.
	Covering(ctx context.Context, ids []string) ([]RecallNotice, error)
}

// CreditEntry is a credit-list entry in force, as the page shows it.
type CreditEntry struct {
	ReasonZH, ReasonEN string
	// DocumentNumber is the number of the regulator's decision document.
	DocumentNumber string
}

// CreditList finds the entries of the quality-credit list; package
// credit implements it.
type CreditList interface {
	// Listed returns the entries in force now about any of keys (party
	// IDs or unified social credit codes).
	Listed(ctx context.Context, keys ...string) ([]CreditEntry, error)
}

// scanIDs returns the canonical identifiers a lookup reads: the scanned
// code and, when the scan names a lot or class beyond the product, that
// too.
func scanIDs(sc *ident.Scan) []string {
	ids := []string{sc.Canonical}
	if sc.Class != "" && sc.Class != sc.Product && sc.Class != sc.Canonical {
		ids = append(ids, sc.Class)
	}
	return ids
}

// recallWarnings returns a warning for each open notice covering ids
// (the scanned code and its lot or product class), and one for the first
// recall event of the journey whose notice is not among them. A failing
// Recalls is logged, and the page then shows the journey's recall alone.
func (h *Handler) recallWarnings(ctx context.Context, v *pageView, ids []string, j *journey) []warning {
	var out []warning
	shown := map[string]bool{}
	if h.opts.Recalls != nil {
		notices, err := h.coveringNotices(ctx, ids, j)
		if err != nil {
			h.log.Error("look up recall notices", "code", ids[0], "err", err)
		}
		for _, n := range notices {
			shown[n.Number] = true
			out = append(out, warning{Kind: "recall", Text: v.T("recalled"), Detail: noticeDetail(v, n.ReasonZH, n.ReasonEN, n.Number)})
		}
	}
	for _, s := range j.steps {
		if !s.Recalled || (s.RecallNotice != "" && shown[s.RecallNotice]) {
			continue
		}
		out = append(out, warning{Kind: "recall", Text: v.T("recalled"), Detail: noticeDetail(v, s.RecallReason, s.RecallReasonEN, s.RecallNotice)})
		break
	}
	return out
}

// noticeDetail returns a recall's reason in the page's language, falling
// back to the other language, followed by the notice number.
func noticeDetail(v *pageView, zh, en, number string) string {
	reason := pick(v.D.Lang, zh, en)
	if reason == "" {
		reason = pick(v.D.Lang, en, zh)
	}
	if number == "" {
		return reason
	}
	return strings.TrimSpace(reason + " " + fmt.Sprintf(v.T("recallNotice"), number))
}

// creditWarnings returns a warning when the producer is on the credit
// list (or flagged in master data) and one for each other enterprise of
// the journey on the list, with the reason and decision document.
func (h *Handler) creditWarnings(ctx context.Context, v *pageView, prod Product, found bool, j *journey) []warning {
	var out []warning
	seen := map[string]bool{}
	if found {
		if pp, ok := h.party(ctx, prod.Producer); ok {
			keys := creditKeys(pp)
			for _, k := range keys {
				seen[k] = true
			}
			entries := h.listed(ctx, keys)
			if pp.Blacklisted || len(entries) > 0 {
				out = append(out, warning{Kind: "blacklist", Text: v.T("blacklisted"), Detail: creditDetail(v, entries)})
			}
		}
	}
	for _, s := range j.steps {
		if len(s.CreditKeys) == 0 || seen[s.CreditKeys[0]] {
			continue
		}
		for _, k := range s.CreditKeys {
			seen[k] = true
		}
		if entries := h.listed(ctx, s.CreditKeys); len(entries) > 0 {
			name := pick(v.D.Lang, s.Enterprise, s.EnterpriseEN)
			out = append(out, warning{Kind: "blacklist", Text: fmt.Sprintf(v.T("blacklistedParty"), name), Detail: creditDetail(v, entries)})
		}
	}
	return out
}

// creditKeys returns the keys of a directory party in the credit list:
// its registry ID and its unified social credit code. A private party
// has none.
func creditKeys(p Party) []string {
	if p.Private {
		return nil
	}
	var keys []string
	for _, k := range []string{p.USCC, p.ID} {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// listed returns the credit-list entries in force about keys; a failing
// CreditList is logged and gives none.
func (h *Handler) listed(ctx context.Context, keys []string) []CreditEntry {
	if h.opts.Credit == nil || len(keys) == 0 {
		return nil
	}
	entries, err := h.opts.Credit.Listed(ctx, keys...)
	if err != nil {
		h.log.Error("look up the credit list", "keys", keys, "err", err)
		return nil
	}
	return entries
}

// creditDetail returns the reasons and decision documents of entries in
// the page's language.
func creditDetail(v *pageView, entries []CreditEntry) string {
	var parts []string
	for _, e := range entries {
		reason := pick(v.D.Lang, e.ReasonZH, e.ReasonEN)
		if reason == "" {
			reason = pick(v.D.Lang, e.ReasonEN, e.ReasonZH)
		}
		if e.DocumentNumber != "" {
			reason = strings.TrimSpace(reason + " " + v.T("creditDocument") + ": " + e.DocumentNumber)
		}
		parts = append(parts, reason)
	}
	return strings.Join(parts, pick(v.D.Lang, "；", "; "))
}

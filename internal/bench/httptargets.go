package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/query"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// Code is an identifier sampled from a store for the load mixes, in
// canonical form.
type Code struct {
	Canonical string
	// Kind is the identifier's form, such as "GS1 01/10" for a GTIN with
	// lot or "urn:cn:nmpa:drug" for a Chinese drug traceability code. It
	// is "recalled" for an identifier of a recalled lot or object, and
	// "unknown" for a well-formed code that the store has no events for.
	Kind string
}

// SampleOptions configure SampleCodes.
type SampleOptions struct {
	// PerGroup is the number of codes taken from each group of codes of
	// one product (or of one kind, when the code names no product).
	PerGroup int
	// Unknown is the number of well-formed unknown codes added.
	Unknown int
	// Seed makes the sample reproducible for one store.
	Seed uint64
}

// Bounds of the scan of SampleCodes: events are read in windows of
// scanWindow from random positions until maxScannedEvents are read, or
// all of them on a smaller store.
const (
	maxScannedEvents = 20_000
	scanWindow       = 200
)

// SampleCodes returns codes from a store for the consumer page and
// resolver mixes. It takes up to PerGroup codes of each product (by GTIN
// or Chinese product code), or of each kind for codes without a product.
// It adds the identifiers of up to 10 recalled events, and Unknown codes
// formed like stored GS1 codes but with a lot or serial number that no
// stored event names. Codes are read from the events' object, parent, child,
// input and output identifiers and quantity classes, so lots count too.
// Location and party identifiers (GLN, AI 414 and 417) are left out, as
// no consumer scans them.
func SampleCodes(ctx context.Context, st store.Store, opts SampleOptions) ([]Code, error) {
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x10ad))
	ids, err := scanIdentifiers(ctx, st, rng)
	if err != nil {
		return nil, err
	}
	groups := map[string][]Code{}
	var groupOrder []string
	for _, id := range ids {
		kind, group, ok := codeKind(id)
		if !ok {
			continue
		}
		if _, seen := groups[group]; !seen {
			groupOrder = append(groupOrder, group)
		}
		groups[group] = append(groups[group], Code{Canonical: id, Kind: kind})
	}
	var out []Code
	for _, g := range groupOrder {
		codes := groups[g]
		rng.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
		out = append(out, codes[:min(len(codes), opts.PerGroup)]...)
	}

	recalled, err := recalledCodes(ctx, st)
	if err != nil {
		return nil, err
	}
	out = append(out, recalled...)

	unknown, err := unknownCodes(ctx, st, out, opts.Unknown, rng)
	if err != nil {
		return nil, err
	}
	return append(out, unknown...), nil
}

// scanIdentifiers returns the distinct canonical identifiers of the
// events read from st, in first-seen order.
func scanIdentifiers(ctx context.Context, st store.Store, rng *rand.Rand) ([]string, error) {
	sc, ok := st.(store.Scanner)
	if !ok {
		return nil, fmt.Errorf("sample codes: this store type cannot scan its events")
	}
	size, err := st.LogSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("sample codes: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	var after int64
	for scanned := 0; scanned < maxScannedEvents; {
		if size > maxScannedEvents {
			after = rng.Int64N(int64(size))
		}
		evs, err := sc.ScanEvents(ctx, after, scanWindow)
		if err != nil {
			return nil, fmt.Errorf("sample codes: %w", err)
		}
		if len(evs) == 0 {
			if size > maxScannedEvents {
				continue
			}
			break
		}
		scanned += len(evs)
		after = evs[len(evs)-1].Seq
		for _, se := range evs {
			e, err := epcis.UnmarshalEventJSON(se.Doc)
			if err != nil {
				return nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
			}
			for _, id := range objectIdentifiers(e) {
				c, err := ident.Canonical(id)
				if err == nil && !seen[c] {
					seen[c] = true
					out = append(out, c)
				}
			}
		}
	}
	return out, nil
}

// objectIdentifiers lists the identifiers of the objects and classes an
// event names, leaving out its read point and business location.
func objectIdentifiers(e *epcis.Event) []string {
	ids := slices.Concat(e.EPCList, e.ChildEPCs, e.InputEPCList, e.OutputEPCList)
	if e.ParentID != "" {
		ids = append(ids, e.ParentID)
	}
	for _, list := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range list {
			ids = append(ids, q.EPCClass)
		}
	}
	return ids
}

// unknownCodes returns up to n codes made from the GTIN-based codes
// among sampled with the last lot or serial number replaced by one that
// no stored event names.
func unknownCodes(ctx context.Context, st store.Store, sampled []Code, n int, rng *rand.Rand) ([]Code, error) {
	var bases []string
	for _, c := range sampled {
		if strings.HasPrefix(c.Kind, "GS1 01/") {
			bases = append(bases, c.Canonical)
		}
	}
	var out []Code
	for i := 0; i < n && len(bases) > 0; i++ {
		base := bases[rng.IntN(len(bases))]
		code := fmt.Sprintf("%s/X%08d", base[:strings.LastIndexByte(base, '/')], rng.IntN(100_000_000))
		page, err := st.QueryEvents(ctx, store.Query{Matches: []store.IDMatch{{Roles: slices.Concat(store.InstanceRoles, store.ClassRoles), Values: []string{code}}}, PerPage: 1})
		if err != nil {
			return nil, fmt.Errorf("check unknown code %s: %w", code, err)
		}
		if len(page.Events) == 0 {
			out = append(out, Code{Canonical: code, Kind: "unknown"})
		}
	}
	return out, nil
}

// codeKind returns the kind of a canonical identifier and the group it
// is sampled in; ok is false for identifiers that are not sampled.
func codeKind(canonical string) (kind, group string, ok bool) {
	sc, err := ident.Parse(canonical)
	if err != nil {
		return "", "", false
	}
	if sc.CNCode != nil {
		kind = canonical[:strings.LastIndexByte(canonical, ':')]
		group = kind
		if sc.Class != "" {
			group = sc.Class
		}
		return kind, group, true
	}
	if len(sc.Elements) == 0 {
		return "", "", false
	}
	var ais []string
	for _, e := range sc.Elements {
		ais = append(ais, e.AI)
	}
	switch ais[0] {
	case "414", "417":
		return "", "", false
	}
	kind = "GS1 " + strings.Join(ais, "/")
	group = kind
	if sc.Product != "" {
		group = kind + " " + sc.Product
	}
	return kind, group, true
}

// recalledCodes returns the identifiers named by up to 10 events with the
// CBV disposition recalled.
func recalledCodes(ctx context.Context, st store.Store) ([]Code, error) {
	q, err := query.Parse(url.Values{"EQ_disposition": {"recalled"}})
	if err != nil {
		return nil, fmt.Errorf("query recalled events: %w", err)
	}
	q.PerPage = 10
	page, err := st.QueryEvents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("query recalled events: %w", err)
	}
	var out []Code
	for _, se := range page.Events {
		e, err := epcis.UnmarshalEventJSON(se.Doc)
		if err != nil {
			return nil, fmt.Errorf("decode stored event %s: %w", se.EventID, err)
		}
		for _, id := range objectIdentifiers(e) {
			c, err := ident.Canonical(id)
			if err != nil {
				continue
			}
			if _, _, ok := codeKind(c); ok && !slices.ContainsFunc(out, func(o Code) bool { return o.Canonical == c }) {
				out = append(out, Code{Canonical: c, Kind: "recalled"})
			}
		}
	}
	return out, nil
}

// PageTargets returns the consumer page mix: /scan?code= for every code,
// expecting 200 for known codes and 404 for unknown ones.
func PageTargets(codes []Code) []Target {
	var out []Target
	for _, c := range codes {
		status := http.StatusOK
		if c.Kind == "unknown" {
			status = http.StatusNotFound
		}
		out = append(out, Target{Kind: "page " + c.Kind, Path: "/scan?code=" + url.QueryEscape(c.Canonical), Status: status})
	}
	return out
}

// ResolverTargets returns the resolver mix for the GS1 Digital Link codes
// among codes: each is requested three times, plain (307 to the consumer
// page), with linkType=all and with Accept: application/linkset+json
// (200 with the linkset). The resolver does not read the store, so
// unknown codes expect the same statuses.
func ResolverTargets(codes []Code) []Target {
	const gs1Host = "https://id.gs1.org"
	var out []Target
	for _, c := range codes {
		path, ok := strings.CutPrefix(c.Canonical, gs1Host)
		if !ok {
			continue
		}
		out = append(out,
			Target{Kind: "resolver 307", Path: path, Status: http.StatusTemporaryRedirect},
			Target{Kind: "resolver linkType=all", Path: path + "?linkType=all", Status: http.StatusOK},
			Target{Kind: "resolver Accept linkset", Path: path, Header: http.Header{"Accept": {"application/linkset+json"}}, Status: http.StatusOK},
		)
	}
	return out
}

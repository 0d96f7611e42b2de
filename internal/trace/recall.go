package trace

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/ident/cncode"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// RegionUnknown is the region of a holder whose administrative division
// cannot be found.
const RegionUnknown = "unknown"

// RegionResolver finds the administrative division code (GB/T 2260, six
// digits) of a holder. The party registry implements it with the
// registered address of each enterprise.
type RegionResolver interface {
	// Region returns the division code of h, or ok false when unknown.
	Region(ctx context.Context, h Holder) (code string, ok bool, err error)
}

// IdentifierRegions resolves regions from the identifiers alone, for use
// when no enterprise registry is present. A party or location given as a
// unified social credit code (GB 32100) carries the division code of its
// registration authority at characters 3 to 8, and a food production
// licence number (SC…) the division of its issuing authority. GLNs and
// other location identifiers carry no region, so they stay unknown.
type IdentifierRegions struct{}

// Region implements RegionResolver.
func (IdentifierRegions) Region(_ context.Context, h Holder) (string, bool, error) {
	for _, v := range []string{h.Party, h.Location} {
		if v == "" {
			continue
		}
		code, err := cncode.Parse(v)
		if err != nil {
			continue
		}
		switch code.Scheme {
		case cncode.SchemeUSCC:
			if d := code.Field("division"); d != "" {
				return d, true, nil
			}
		case cncode.SchemeFoodLicence:
			// Characters 4 to 9 of a food production licence number are
			// the division of the issuing authority.
			if d := code.Field("province") + code.Field("prefecture") + code.Field("county"); len(d) == 6 {
				return d, true, nil
			}
		}
	}
	return "", false, nil
}

// Channel is the route by which an object reaches consumers.
type Channel string

// Channels.
const (
	// ChannelRetail is a retail sale (CBV bizStep retail_selling or
	// disposition retail_sold).
	ChannelRetail Channel = "retail"
	// ChannelDispensing is a hospital or pharmacy dispensing (bizStep
	// dispensing or disposition dispensed).
	ChannelDispensing Channel = "dispensing"
	// ChannelECommerce is an online sale; only a party registry can tell.
	ChannelECommerce Channel = "e-commerce"
	// ChannelDistribution is the supply chain before any sale.
	ChannelDistribution Channel = "distribution"
	// ChannelUnknown is used when no event or registry gives the channel.
	ChannelUnknown Channel = "unknown"
)

// ChannelResolver finds the channel of an object from its last known
// holder.
type ChannelResolver interface {
	Channel(ctx context.Context, h Holder) (Channel, error)
}

// StepChannels derives the channel from the last event's bizStep and
// disposition (CBV 2.0 vocabularies). It cannot see e-commerce,
// which needs the party type of the holder.
type StepChannels struct{}

// Channel implements ChannelResolver.
func (StepChannels) Channel(_ context.Context, h Holder) (Channel, error) {
	step, disp := cbvLocal(h.BizStep), cbvLocal(h.Disposition)
	switch {
	case step == "retail_selling" || disp == "retail_sold":
		return ChannelRetail, nil
	case step == "dispensing" || disp == "dispensed":
		return ChannelDispensing, nil
	case step == "" && disp == "":
		return ChannelUnknown, nil
	}
	return ChannelDistribution, nil
}

// cbvLocal returns the last part of a vocabulary URI, so that
// "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/BizStep-shipping",
// "https://ns.example.com/bizstep/shipping" and "shipping" all give
// "shipping".
func cbvLocal(v string) string {
	if i := strings.LastIndexAny(v, ":/"); i >= 0 {
		v = v[i+1:]
	}
	for _, p := range []string{"BizStep-", "Disp-", "BTT-", "SDT-", "ER-"} {
		if after, ok := strings.CutPrefix(v, p); ok {
			return after
		}
	}
	return v
}

// Status is the recall standing of an affected object.
type Status string

// Recall statuses.
const (
	// StatusInStock is held by a business in the supply chain.
	StatusInStock Status = "in_stock"
	// StatusInTransit was shipped and not yet received.
	StatusInTransit Status = "in_transit"
	// StatusDelivered reached end consumers (retail sale or dispensing).
	StatusDelivered Status = "delivered"
	// StatusDestroyed was destroyed or decommissioned, so needs no recall.
	StatusDestroyed Status = "destroyed"
	// StatusUnknown has no event to tell.
	StatusUnknown Status = "unknown"
)

// statusOf returns the recall status implied by a holder's last event.
func statusOf(h *Holder) Status {
	if h == nil {
		return StatusUnknown
	}
	step, disp := cbvLocal(h.BizStep), cbvLocal(h.Disposition)
	switch {
	case disp == "destroyed" || disp == "disposed" || step == "destroying" || step == "decommissioning":
		return StatusDestroyed
	case step == "retail_selling" || step == "dispensing" || disp == "retail_sold" || disp == "dispensed":
		return StatusDelivered
	case disp == "in_transit" || step == "shipping" || step == "departing":
		return StatusInTransit
	}
	return StatusInStock
}

// Affected is one object in a recall scope.
type Affected struct {
	ID       string   `json:"id"`
	Kind     NodeKind `json:"kind"`
	Holder   *Holder  `json:"holder,omitempty"`
	Region   string   `json:"region"`
	Channel  Channel  `json:"channel"`
	Status   Status   `json:"status"`
	Quantity float64  `json:"quantity"`
	UOM      string   `json:"uom"`
}

// Bucket sums affected objects that share a key (a holder, region,
// channel or status). Quantities are per unit of measure; instances count
// as 1 EA (UN/CEFACT Rec 20 "each").
type Bucket struct {
	Key        string             `json:"key"`
	Objects    int                `json:"objects"`
	Quantities map[string]float64 `json:"quantities"`
	// InStock counts objects in stock or in transit; Delivered those that
	// reached consumers.
	InStock   int `json:"inStock"`
	Delivered int `json:"delivered"`
}

// Scope is the reach of a recall.
type Scope struct {
	IDs       []string   `json:"ids"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	Affected  []Affected `json:"affected"`
	Lots      []string   `json:"lots"`
	ByHolder  []Bucket   `json:"byHolder"`
	ByRegion  []Bucket   `json:"byRegion"`
	ByChannel []Bucket   `json:"byChannel"`
	ByStatus  []Bucket   `json:"byStatus"`
}

// RecallScope returns every item and lot downstream of ids (any form
// CanonicalID reads) whose exposure falls in [from, to) (zero times do not
// bound), with its last known holder, region, channel and status, summed
// by holder, region, channel and status. Containers and transformation
// nodes are walked through but not listed. An identifier no event names
// gives an error wrapping store.ErrNotFound.
func (t *Tracer) RecallScope(ctx context.Context, ids []string, from, to time.Time) (*Scope, error) {
	if len(ids) == 0 {
		return nil, fmt.Errorf("%w: no identifier given; name at least one lot or item", ErrInvalid)
	}
	sc := &Scope{Affected: []Affected{}, Lots: []string{}}
	if !from.IsZero() {
		sc.From = &from
	}
	if !to.IsZero() {
		sc.To = &to
	}
	// A node reached from two of ids is listed once, with what the first
	// trace found.
	var nodes []*Node
	seen := map[string]bool{}
	for _, id := range ids {
		g, err := t.trace(ctx, id, Options{Direction: Forward, From: from, To: to}, true)
		if err != nil {
			return nil, fmt.Errorf("recall scope: %w", err)
		}
		sc.IDs = append(sc.IDs, g.Root)
		for i := range g.Nodes {
			if n := &g.Nodes[i]; len(ids) == 1 || !seen[n.ID] {
				if len(ids) > 1 {
					seen[n.ID] = true
				}
				nodes = append(nodes, n)
			}
		}
	}
	if len(ids) == 1 {
		nodes = mergeByID(nodes)
	} else {
		slices.SortFunc(nodes, func(a, b *Node) int { return strings.Compare(a.ID, b.ID) })
	}
	sc.Affected = make([]Affected, 0, len(nodes))

	buckets := map[string]map[string]*Bucket{"holder": {}, "region": {}, "channel": {}, "status": {}}
	// Nodes with the same last event share its holder (see describe), so
	// each holder is resolved once.
	resolved := map[*Holder]resolvedHolder{}
	for _, n := range nodes {
		id := n.ID
		if n.Kind == KindContainer || n.Kind == KindTransformation {
			continue
		}
		if n.Kind == KindClass {
			if _, lot := gtinLot(id); lot != "" {
				sc.Lots = append(sc.Lots, id)
			}
			if n.Holder == nil && n.Quantity == nil {
				// A lot known only through its items: they are listed.
				continue
			}
		}
		for _, a := range sharesOf(*n) {
			if a.Holder != nil {
				r, ok := resolved[a.Holder]
				if !ok {
					var err error
					if r, err = t.resolve(ctx, *a.Holder); err != nil {
						return nil, fmt.Errorf("recall scope: %s: %w", id, err)
					}
					resolved[a.Holder] = r
				}
				if r.regionOK {
					a.Region = r.region
				}
				a.Channel = r.channel
			}
			sc.Affected = append(sc.Affected, a)
			sc.add(buckets, a)
		}
	}
	sc.ByHolder = sorted(buckets["holder"])
	sc.ByRegion = sorted(buckets["region"])
	sc.ByChannel = sorted(buckets["channel"])
	sc.ByStatus = sorted(buckets["status"])
	return sc, nil
}

// mergeByID returns the nodes of one graph, which describe sorts by depth
// and then by identifier, sorted by identifier. Each depth is a sorted
// run, so merging the runs costs one comparison per node and run.
func mergeByID(nodes []*Node) []*Node {
	var runs [][]*Node
	for start := 0; start < len(nodes); {
		end := start + 1
		for end < len(nodes) && nodes[end].Depth == nodes[start].Depth {
			end++
		}
		runs = append(runs, nodes[start:end])
		start = end
	}
	if len(runs) <= 1 {
		return nodes
	}
	merged := runs[0]
	for _, run := range runs[1:] {
		out := make([]*Node, 0, len(merged)+len(run))
		i, j := 0, 0
		for i < len(merged) && j < len(run) {
			if merged[i].ID <= run[j].ID {
				out = append(out, merged[i])
				i++
			} else {
				out = append(out, run[j])
				j++
			}
		}
		out = append(out, merged[i:]...)
		merged = append(out, run[j:]...)
	}
	return merged
}

// resolvedHolder is the region and channel of a holder.
type resolvedHolder struct {
	region   string
	regionOK bool
	channel  Channel
}

// resolve finds the region and channel of h with the tracer's resolvers.
func (t *Tracer) resolve(ctx context.Context, h Holder) (resolvedHolder, error) {
	var (
		r   resolvedHolder
		err error
	)
	if r.region, r.regionOK, err = t.regions.Region(ctx, h); err != nil {
		return r, fmt.Errorf("region: %w", err)
	}
	if r.channel, err = t.channels.Channel(ctx, h); err != nil {
		return r, fmt.Errorf("channel: %w", err)
	}
	return r, nil
}

// add counts a in the buckets of every dimension.
func (sc *Scope) add(buckets map[string]map[string]*Bucket, a Affected) {
	holder := "unknown"
	if a.Holder != nil {
		holder = a.Holder.Party
		if holder == "" {
			holder = a.Holder.Location
		}
		if holder == "" {
			holder = "unknown"
		}
	}
	for _, d := range [...]struct{ dim, key string }{{"holder", holder}, {"region", a.Region}, {"channel", string(a.Channel)}, {"status", string(a.Status)}} {
		b := buckets[d.dim][d.key]
		if b == nil {
			b = &Bucket{Key: d.key, Quantities: map[string]float64{}}
			buckets[d.dim][d.key] = b
		}
		b.Objects++
		if a.UOM != "" {
			// Round away the binary noise of summed decimals.
			b.Quantities[a.UOM] = math.Round((b.Quantities[a.UOM]+a.Quantity)*1e6) / 1e6
		}
		switch a.Status {
		case StatusInStock, StatusInTransit:
			b.InStock++
		case StatusDelivered:
			b.Delivered++
		}
	}
}

// sharesOf returns the affected entries of a node. An instance is one
// entry of 1 EA with its last known holder. A class (a lot) can be split
// over several holders, so it gets one share per holder, kept like a
// ledger over the events that give a quantity of it:
//   - the first event without destinations (commissioning, a
//     transformation output) opens a share at its bizLocation;
//   - a shipping (bizStep shipping or departing, or disposition in_transit)
//     moves its quantity from the share of its source party or location
//     (else from the first share) to the share of its destination party
//     (or location);
//   - another event with destinations (a receiving, say) opens the
//     destination's share with its quantity if none exists, and otherwise
//     only updates that share's holder and status;
//   - an event without destinations at a share's location updates that
//     share's status (a retail sale, a recall hold).
//
// A class without quantity events is one entry with its last holder.
//
// NOTE: quantities sold, consumed or destroyed are not subtracted, so a
// share whose last event is a retail sale counts wholly as delivered.
func sharesOf(n Node) []Affected {
	base := Affected{ID: n.ID, Kind: n.Kind, Holder: n.Holder, Region: RegionUnknown, Channel: ChannelUnknown, Status: statusOf(n.Holder), Quantity: 1, UOM: "EA"}
	if n.Kind != KindClass {
		return []Affected{base}
	}
	base.Quantity, base.UOM = 0, ""
	if n.Quantity != nil {
		base.Quantity, base.UOM = *n.Quantity, n.UOM
	}

	var (
		order  []string
		origin string // the share opened by the first event, if any
	)
	shares := map[string]*Affected{}
	open := func(key string, h *Holder, q float64, uom string) *Affected {
		a := &Affected{ID: n.ID, Kind: n.Kind, Region: RegionUnknown, Channel: ChannelUnknown, Holder: h, Quantity: q, UOM: uom}
		shares[key] = a
		order = append(order, key)
		return a
	}
	for i, st := range n.Steps {
		h := holderOf(st)
		tc := n.touches[i]
		if tc.Quantity == nil {
			updateAt(shares, st)
			continue
		}
		q := *tc.Quantity
		if len(st.Destinations) == 0 {
			if len(shares) == 0 {
				origin = "location " + h.Location
				open(origin, h, q, tc.UOM)
				continue
			}
			updateAt(shares, st)
			continue
		}
		key := "party " + h.Party
		if h.Party == "" {
			key = "location " + h.Location
		}
		if isShipping(st) {
			from := sourceShare(shares, st)
			if from == nil && origin != "" {
				// The producer often ships from another of its locations.
				from = shares[origin]
			}
			if from != nil && from != shares[key] {
				from.Quantity = max(0, from.Quantity-q)
			}
			if a := shares[key]; a != nil {
				a.Quantity += q
				a.Holder = h
				continue
			}
		}
		if a := shares[key]; a != nil {
			a.Holder = h
			continue
		}
		open(key, h, q, tc.UOM)
	}
	var out []Affected
	for _, key := range order {
		a := shares[key]
		if a.Quantity <= 0 && len(order) > 1 {
			continue
		}
		a.Status = statusOf(a.Holder)
		out = append(out, *a)
	}
	if len(out) == 0 {
		return []Affected{base}
	}
	return out
}

// isShipping reports whether an event moves goods away from their holder.
func isShipping(st store.Step) bool {
	step := cbvLocal(st.BizStep)
	return step == "shipping" || step == "departing" || cbvLocal(st.Disposition) == "in_transit"
}

// sourceShare returns the share a shipping takes its quantity from: the
// one of its source party, else of its source location or bizLocation.
func sourceShare(shares map[string]*Affected, st store.Step) *Affected {
	for _, typ := range []string{sdOwningParty, sdPossessingParty} {
		for _, s := range st.Sources {
			if a := shares["party "+s.Value]; s.Type == typ && a != nil {
				return a
			}
		}
	}
	for _, s := range st.Sources {
		if a := shares["location "+s.Value]; s.Type == sdLocation && a != nil {
			return a
		}
	}
	for _, a := range shares {
		if st.BizLocation != "" && a.Holder.Location == st.BizLocation {
			return a
		}
	}
	return nil
}

// updateAt moves the holder of every share located at the event's
// bizLocation on to the event.
func updateAt(shares map[string]*Affected, st store.Step) {
	for _, a := range shares {
		if st.BizLocation != "" && st.BizLocation == a.Holder.Location {
			moved := *a.Holder
			moved.Time, moved.BizStep, moved.Disposition, moved.EventID = st.EventTime, st.BizStep, st.Disposition, st.EventID
			a.Holder = &moved
		}
	}
}

func sorted(m map[string]*Bucket) []Bucket {
	out := make([]Bucket, 0, len(m))
	for _, b := range m {
		out = append(out, *b)
	}
	slices.SortFunc(out, func(a, b Bucket) int { return strings.Compare(a.Key, b.Key) })
	return out
}

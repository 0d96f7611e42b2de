package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// EdgeKind names the relation a lineage edge records between two
// identifiers.
type EdgeKind string

// Lineage edge kinds. From is always the upstream or enclosing side.
const (
	// EdgeContains records that From (a parentID) held To (a child EPC or
	// a child EPC class) from an AggregationEvent. Op records whether the
	// event put the child in (ADD, OBSERVE) or took it out (DELETE); a
	// DELETE without children gives one edge to AllChildren. Stores build
	// these edges from the parent and child rows of the identifier index,
	// so capture writes no row for them and ignores them in Lineage.Edges.
	EdgeContains EdgeKind = "contains"
	// EdgeAssociated records an AssociationEvent between a parentID and a
	// child, with the same meaning and the same source as EdgeContains.
	EdgeAssociated EdgeKind = "associated"
	// EdgeTransformedInto records that From, an input, went into To, an
	// output, in a TransformationEvent or in an ObjectEvent ADD that lists
	// a class of another product next to new instances. Quantity is the
	// quantity of the output when it is a class.
	EdgeTransformedInto EdgeKind = "transformed_into"
	// EdgeSameLot records that the instance To belongs to the lot From
	// (an LGTIN https://id.gs1.org/01/{gtin}/10/{lot}): the instance was
	// commissioned with ilmd lotNumber, or an event listed both.
	EdgeSameLot EdgeKind = "same_lot"
)

// EdgeOp is the operation an event applied to a containment or
// association.
type EdgeOp string

// Edge operations. Edges of kind EdgeTransformedInto and EdgeSameLot have
// OpAdd.
const (
	OpAdd     EdgeOp = "add"
	OpObserve EdgeOp = "observe"
	OpDelete  EdgeOp = "delete"
)

// AllChildren is the To value of an EdgeContains or EdgeAssociated delete
// edge of an event that lists no children: EPCIS 2.0 reads such an
// AggregationEvent DELETE as taking every child out of the parent.
const AllChildren = ""

// Edge is one lineage edge. Identifiers are canonical (package ident).
type Edge struct {
	From, To string
	Kind     EdgeKind
	Op       EdgeOp
	// Time is the eventTime of the event that wrote the edge.
	Time time.Time
	// Seq is the store's number of that event; set by the store on read.
	Seq int64
	// Declared reports, on read, that an error declaration was attached to
	// the event, so the edge should not be trusted.
	Declared bool
	Quantity *float64
	UOM      string
}

// Touch records that an event named an identifier in an object role
// (epc, parent, child, input, output or one of the class roles). Stores
// read touches from the identifier index, one per (identifier, event)
// under the first role the event names it in.
type Touch struct {
	ID   string
	Role Role
	// Seq is the event's store number.
	Seq  int64
	Time time.Time
	// Quantity and UOM are the quantity the event gave for a class.
	Quantity *float64
	UOM      string
}

// ObjectRoles are the roles whose identifier rows are touches.
var ObjectRoles = []Role{RoleEPC, RoleParent, RoleChild, RoleInput, RoleOutput,
	RoleClass, RoleChildClass, RoleInputClass, RoleOutputClass}

// Step is the trace view of one event: who did what where, with the
// documents and certifications the event carried.
type Step struct {
	Seq               int64                  `json:"-"`
	EventID           string                 `json:"eventID"`
	EventType         string                 `json:"type"`
	EventTime         time.Time              `json:"eventTime"`
	TimeZoneOffset    string                 `json:"eventTimeZoneOffset,omitempty"`
	Action            string                 `json:"action,omitempty"`
	BizStep           string                 `json:"bizStep,omitempty"`
	Disposition       string                 `json:"disposition,omitempty"`
	ReadPoint         string                 `json:"readPoint,omitempty"`
	BizLocation       string                 `json:"bizLocation,omitempty"`
	Sources           []epcis.SourceDest     `json:"sourceList,omitempty"`
	Destinations      []epcis.SourceDest     `json:"destinationList,omitempty"`
	BizTransactions   []epcis.BizTransaction `json:"bizTransactionList,omitempty"`
	CertificationInfo []string               `json:"certificationInfo,omitempty"`
	TransformationID  string                 `json:"transformationID,omitempty"`
	// ILMD holds the leaf values of the event's ilmd by local name, such
	// as lotNumber, itemExpirationDate or productionDate.
	ILMD map[string]string `json:"ilmd,omitempty"`
	// Declared reports that an error declaration was attached to the
	// event; set by the store on read.
	Declared bool `json:"errorDeclared,omitempty"`
}

// Lineage is the lineage index content of one event, computed by package
// trace at capture. Containment edges, touches and steps need no rows of
// their own: stores read them from the identifier index and the stored
// document.
type Lineage struct {
	Edges []Edge
}

// EdgeFilter selects lineage edges: those with From in From, or To in To
// (either matches), restricted to Kinds when it is not empty.
type EdgeFilter struct {
	From, To []string
	Kinds    []EdgeKind
	// EmptiedOnly restricts the edges matched by From to the DELETEs that
	// list no children (To is AllChildren): what a walk needs of a
	// container whose content it reads from the content's side.
	EmptiedOnly bool
}

// LineageStore reads the lineage index that Capture writes for every
// stored record with a Lineage, together with the identifier index and
// the stored events. Every method reads by index, never by a scan of
// events. Implementations are safe for concurrent use.
type LineageStore interface {
	// Edges returns the edges matching f in ascending (Time, Seq, From,
	// To) order. An empty filter returns no edges.
	Edges(ctx context.Context, f EdgeFilter) ([]Edge, error)
	// Touches returns the touches of the given identifiers in ascending
	// (Time, Seq) order.
	Touches(ctx context.Context, ids []string) ([]Touch, error)
	// Steps returns the steps of the given event numbers (see StepOf),
	// keyed by Seq, from the events as first captured. Numbers of no
	// stored event are left out, not reported as errors.
	Steps(ctx context.Context, seqs []int64) (map[int64]Step, error)
	// ClassTouches returns the touches whose identifier starts with
	// prefix, such as every lot of one GTIN
	// ("https://id.gs1.org/01/06901234567892/"), between from and to
	// (zero times do not restrict), in ascending (Time, Seq) order.
	ClassTouches(ctx context.Context, prefix string, from, to time.Time) ([]Touch, error)
	// Adjacent returns what a walk reads next to ids: their touches, the
	// edges leaving them and the containment edges reaching them, equal
	// to what AdjacentOf gathers with the three calls above. With
	// emptiedOnly, the edges leaving are read as EdgeFilter.EmptiedOnly
	// reads them. Stores serve it with one read of the identifier index
	// per identifier.
	Adjacent(ctx context.Context, ids []string, emptiedOnly bool) (*Adjacency, error)
}

// Adjacency is the part of the lineage index next to a set of
// identifiers. Each list is grouped by identifier, in ascending order of
// the identifier, and each group keeps the order of Touches or Edges, so
// that a caller can take one identifier's part as a subslice.
type Adjacency struct {
	// Touches are the touches of the identifiers, as Touches returns them,
	// grouped by ID.
	Touches []Touch
	// Out holds every edge leaving the identifiers, as Edges returns them
	// for a filter with From only, grouped by From.
	Out []Edge
	// In holds the EdgeContains and EdgeAssociated edges reaching the
	// identifiers, as Edges returns them for a filter with To and those
	// two kinds, grouped by To.
	In []Edge
}

// Group sorts the lists of a into the grouping Adjacency documents. Each
// list must be in the order Touches or Edges returns.
func (a *Adjacency) Group() {
	slices.SortStableFunc(a.Touches, func(x, y Touch) int { return strings.Compare(x.ID, y.ID) })
	slices.SortStableFunc(a.Out, func(x, y Edge) int { return strings.Compare(x.From, y.From) })
	slices.SortStableFunc(a.In, func(x, y Edge) int { return strings.Compare(x.To, y.To) })
}

// EdgeSources returns the identifier rows, of role RoleEdgeFrom, that
// mark the From of each edge of lin that the lineage index stores (all but
// containment and association), each From once.
func EdgeSources(lin *Lineage) []IDRef {
	if lin == nil {
		return nil
	}
	var out []IDRef
	for _, e := range lin.Edges {
		if e.Kind == EdgeContains || e.Kind == EdgeAssociated {
			continue
		}
		if !slices.ContainsFunc(out, func(r IDRef) bool { return r.Canonical == e.From }) {
			out = append(out, IDRef{Canonical: e.From, Original: e.From, Role: RoleEdgeFrom})
		}
	}
	return out
}

// AdjacentOf gathers the adjacency of ids with Touches and Edges. It is
// the meaning of LineageStore.Adjacent, for stores that have no shorter
// way to read it and for tests.
func AdjacentOf(ctx context.Context, ls LineageStore, ids []string, emptiedOnly bool) (*Adjacency, error) {
	if len(ids) == 0 {
		return &Adjacency{}, nil
	}
	var (
		a   Adjacency
		err error
	)
	if a.Touches, err = ls.Touches(ctx, ids); err != nil {
		return nil, err
	}
	if a.Out, err = ls.Edges(ctx, AdjacentOut(ids, emptiedOnly)); err != nil {
		return nil, err
	}
	if a.In, err = ls.Edges(ctx, EdgeFilter{To: ids, Kinds: []EdgeKind{EdgeContains, EdgeAssociated}}); err != nil {
		return nil, err
	}
	a.Group()
	return &a, nil
}

// AdjacentOut returns the filter of the edges leaving ids that Adjacent
// reads.
func AdjacentOut(ids []string, emptiedOnly bool) EdgeFilter {
	if emptiedOnly {
		return EdgeFilter{From: ids, Kinds: []EdgeKind{EdgeContains, EdgeAssociated}, EmptiedOnly: true}
	}
	return EdgeFilter{From: ids}
}

// StepOf returns the trace step of e. Seq and Declared are left for the
// store to set.
func StepOf(e *epcis.Event) Step {
	st := Step{
		EventID:           e.EventID,
		EventType:         string(e.Type),
		EventTime:         e.EventTime,
		TimeZoneOffset:    e.EventTimeZoneOffset,
		Action:            string(e.Action),
		BizStep:           e.BizStep,
		Disposition:       e.Disposition,
		Sources:           e.SourceList,
		Destinations:      e.DestinationList,
		BizTransactions:   e.BizTransactionList,
		CertificationInfo: e.CertificationInfo,
		TransformationID:  e.TransformationID,
	}
	if e.ReadPoint != nil {
		st.ReadPoint = e.ReadPoint.ID
	}
	if e.BizLocation != nil {
		st.BizLocation = e.BizLocation.ID
	}
	if len(e.ILMD) > 0 {
		st.ILMD = map[string]string{}
		flattenILMD(e.ILMD, st.ILMD)
	}
	return st
}

// flattenILMD copies the leaf values of els into out by local name; the
// first of equal names wins.
func flattenILMD(els []epcis.Element, out map[string]string) {
	for _, el := range els {
		if el.Kind == epcis.KindObject {
			flattenILMD(el.Children, out)
			continue
		}
		if _, dup := out[el.Local]; !dup {
			out[el.Local] = el.Value
		}
	}
}

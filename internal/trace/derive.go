package trace

import (
	"net/url"
	"strings"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// gs1Base is the host and path start of canonical GS1 Digital Link URIs.
const gs1Base = "https://id.gs1.org/"

// Derive computes the lineage edges of one event from
// the event and its canonical identifiers (as the capture service lists
// them for the identifier index). The capture service stores the result
// with the event, so Derive must stay deterministic. It returns no
// error: identifiers that give no edge are left out.
//
// Containment (AggregationEvent and AssociationEvent) needs no edges here,
// because stores read it from the identifier index (see store.EdgeContains).
// Edges come from:
//   - TransformationEvent: every input to every output. With a
//     transformationID, inputs go to the transformation node (the ID
//     itself) and the node to outputs, so that events sharing the ID link
//     up (EPCIS 2.0 transformationID);
//   - ObjectEvent ADD listing instances and classes: a class of the same
//     GTIN is the instances' lot, another class is consumed into them;
//   - ilmd lotNumber on an ObjectEvent ADD or a TransformationEvent:
//     every SGTIN listed (outputs for a transformation) belongs to the
//     LGTIN of its GTIN and that lot (CBV 2.0 master data cbvmda:lotNumber).
func Derive(e *epcis.Event, ids []store.IDRef) *store.Lineage {
	d := deriver{e: e, canon: map[store.Role]map[string]store.IDRef{}}
	for _, id := range ids {
		m := d.canon[id.Role]
		if m == nil {
			m = map[string]store.IDRef{}
			d.canon[id.Role] = m
		}
		m[id.Original] = id
	}
	lin := &store.Lineage{}
	d.lin = lin

	switch e.Type {
	case epcis.TransformationEvent:
		d.transformation()
		d.lots(store.RoleOutput, store.RoleOutputClass)
	case epcis.ObjectEvent:
		if e.Action == epcis.ActionAdd {
			d.commissioning()
			d.lots(store.RoleEPC, store.RoleClass)
		}
	}
	return lin
}

type deriver struct {
	e     *epcis.Event
	canon map[store.Role]map[string]store.IDRef
	lin   *store.Lineage
	// written holds the edges written so far: an event links two
	// identifiers by one kind at most once, as the stores' keys require.
	written map[[3]string]bool
}

// ref returns the index row of original in role; ok is false when capture
// did not list it.
func (d *deriver) ref(role store.Role, original string) (store.IDRef, bool) {
	r, ok := d.canon[role][original]
	return r, ok
}

func (d *deriver) edge(from, to string, kind store.EdgeKind, op store.EdgeOp, q *float64, uom string) {
	key := [3]string{from, to, string(kind)}
	if from == to || d.written[key] {
		return
	}
	if d.written == nil {
		d.written = map[[3]string]bool{}
	}
	d.written[key] = true
	d.lin.Edges = append(d.lin.Edges, store.Edge{From: from, To: to, Kind: kind, Op: op, Time: d.e.EventTime, Quantity: q, UOM: uom})
}

// sides returns the canonical identifiers of an instance list and a class
// list of the event.
func (d *deriver) sides(instRole store.Role, insts []string, classRole store.Role, classes []epcis.QuantityElement) []store.IDRef {
	var out []store.IDRef
	for _, v := range insts {
		if r, ok := d.ref(instRole, v); ok {
			out = append(out, r)
		}
	}
	for _, q := range classes {
		if r, ok := d.ref(classRole, q.EPCClass); ok {
			out = append(out, r)
		}
	}
	return out
}

func (d *deriver) transformation() {
	e := d.e
	inputs := d.sides(store.RoleInput, e.InputEPCList, store.RoleInputClass, e.InputQuantityList)
	outputs := d.sides(store.RoleOutput, e.OutputEPCList, store.RoleOutputClass, e.OutputQuantityList)
	if e.TransformationID != "" {
		node := e.TransformationID
		for _, in := range inputs {
			d.edge(in.Canonical, node, store.EdgeTransformedInto, store.OpAdd, in.Quantity, in.UOM)
		}
		for _, out := range outputs {
			d.edge(node, out.Canonical, store.EdgeTransformedInto, store.OpAdd, out.Quantity, out.UOM)
		}
		return
	}
	for _, in := range inputs {
		for _, out := range outputs {
			q, uom := out.Quantity, out.UOM
			if q == nil {
				q, uom = in.Quantity, in.UOM
			}
			d.edge(in.Canonical, out.Canonical, store.EdgeTransformedInto, store.OpAdd, q, uom)
		}
	}
}

// commissioning links the classes and instances of an ObjectEvent ADD.
func (d *deriver) commissioning() {
	e := d.e
	var insts []store.IDRef
	for _, v := range e.EPCList {
		if r, ok := d.ref(store.RoleEPC, v); ok {
			insts = append(insts, r)
		}
	}
	for _, q := range e.QuantityList {
		class, ok := d.ref(store.RoleClass, q.EPCClass)
		if !ok {
			continue
		}
		classGTIN, classLot := gtinLot(class.Canonical)
		for _, in := range insts {
			gtin, _ := gtinLot(in.Canonical)
			switch {
			case gtin != "" && gtin == classGTIN && classLot != "":
				d.edge(class.Canonical, in.Canonical, store.EdgeSameLot, store.OpAdd, nil, "")
			case gtin != "" && gtin == classGTIN:
				// A GTIN without lot adds no lineage.
			default:
				d.edge(class.Canonical, in.Canonical, store.EdgeTransformedInto, store.OpAdd, class.Quantity, class.UOM)
			}
		}
	}
}

// lots writes same-lot edges from the ilmd lotNumber and from lot classes
// listed next to instances of the same GTIN.
func (d *deriver) lots(instRole, classRole store.Role) {
	lot := ilmdLot(d.e.ILMD)
	classes := d.e.QuantityList
	if classRole == store.RoleOutputClass {
		classes = d.e.OutputQuantityList
	}
	var lotClasses []string
	for _, q := range classes {
		r, ok := d.ref(classRole, q.EPCClass)
		if _, l := gtinLot(r.Canonical); ok && l != "" {
			lotClasses = append(lotClasses, r.Canonical)
		}
	}
	lgtins := map[string]string{}
	for _, original := range d.instanceOrder(instRole) {
		r := d.canon[instRole][original]
		gtin, serialLot := gtinLot(r.Canonical)
		if gtin == "" || serialLot != "" {
			continue
		}
		if lot != "" {
			if lgtin, ok := lgtins[gtin]; ok {
				d.edge(lgtin, r.Canonical, store.EdgeSameLot, store.OpAdd, nil, "")
			} else if lgtin, err := ident.Canonical(gs1Base + "01/" + gtin + "/10/" + url.PathEscape(lot)); err == nil {
				// Items of one event mostly share a GTIN, so the LGTIN is
				// made canonical once per GTIN.
				lgtins[gtin] = lgtin
				d.edge(lgtin, r.Canonical, store.EdgeSameLot, store.OpAdd, nil, "")
			}
		}
		if d.e.Type == epcis.ObjectEvent {
			continue // commissioning wrote these already
		}
		for _, c := range lotClasses {
			if g, _ := gtinLot(c); g == gtin {
				d.edge(c, r.Canonical, store.EdgeSameLot, store.OpAdd, nil, "")
			}
		}
	}
}

// instanceOrder returns the event's instance identifiers of role in
// document order, so that edges come out deterministically.
func (d *deriver) instanceOrder(role store.Role) []string {
	switch role {
	case store.RoleEPC:
		return d.e.EPCList
	case store.RoleOutput:
		return d.e.OutputEPCList
	}
	return nil
}

// gtinLot returns the GTIN of a canonical GS1 identifier of the forms
// /01/{gtin}, /01/{gtin}/21/{serial} or /01/{gtin}/10/{lot}, and the lot
// of the last form; both are empty for other identifiers.
func gtinLot(canonical string) (gtin, lot string) {
	rest, ok := strings.CutPrefix(canonical, gs1Base+"01/")
	if !ok {
		return "", ""
	}
	gtin, rest, _ = strings.Cut(rest, "/")
	if l, ok := strings.CutPrefix(rest, "10/"); ok {
		lot, _, _ = strings.Cut(l, "/")
	}
	return gtin, lot
}

// ilmdLot returns the lotNumber of an ilmd, from the CBV master data
// namespace (urn:epcglobal:cbv:mda, or its https form), or "".
func ilmdLot(ilmd []epcis.Element) string {
	for _, el := range ilmd {
		if el.Local == "lotNumber" && isMDASpace(el.Space) && el.Kind != epcis.KindObject {
			return strings.TrimSpace(el.Value)
		}
	}
	return ""
}

func isMDASpace(space string) bool {
	s := strings.TrimRight(space, "#/:")
	return s == "urn:epcglobal:cbv:mda" || strings.HasSuffix(s, "/cbv/mda") || s == "https://gs1.org/voc"
}

package demo

import (
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// Item references of the domestic infant formula chain, under the
// producers' prefixes. itemMain (1) is raw milk at the farms, the 800 g
// can at the formula plant and the nutrient premix at the ingredient
// supplier.
const (
	itemFormulaCase  = 2 // case of 6 cans, formula plant
	itemStandardMilk = 3 // standardised milk, formula plant
	itemBasePowder   = 4 // base powder, formula plant
	itemWhey         = 2 // demineralised whey powder D90, ingredient supplier
)

// Wide rounds plant a lot whose forward scope reaches more than 100,000
// items. Round r is wide when r%WideLotEvery == WideLotRound. Both are
// even because the chain runs in even rounds only. The first wide round is
// round 5000, about 350,000 events into a generation, so the data of the
// demo command (a few dozen rounds) has none.
const (
	WideLotEvery = 10000
	WideLotRound = 5000
)

// Sizes of the domestic infant formula chain.
const (
	cansPerCase     = 6
	casesPerPallet  = 120
	palletsPerTruck = 20
	// cansPerEvent is how many cans one commissioning event serialises:
	// one filling line's run between two code-printer batches.
	cansPerEvent = 360
	// ordinaryCans is the cans of an ordinary round's one batch.
	ordinaryCans = 2 * cansPerCase
	// wideBatches and wideBatchCans give a wide round's production
	// campaign: 40 batches of 2,520 cans, 100,800 cans in all, all made
	// with the round's one lot of demineralised whey.
	wideBatches   = 40
	wideBatchCans = 7 * cansPerEvent
	// canKg is the net weight of one can.
	canKg = 0.8
)

// IsWideRound reports whether round r plants a wide lot.
func IsWideRound(r int) bool { return r%WideLotEvery == WideLotRound }

// WideLotPrefix returns the canonical identifier prefix shared by every
// lot of the ingredient that wide rounds plant, demineralised whey powder,
// such as https://id.gs1.org/01/06939003000028/10/. Only wide rounds
// make lots of that product.
func (g *Generator) WideLotPrefix() string {
	return "https://id.gs1.org/01/0" + gtin13(g.parties["ingredients"].Prefix, itemWhey) + "/10/"
}

// lgtinOf returns the LGTIN EPC class URN of an item reference of a prefix.
func lgtinOf(prefix string, item int, lot string) string {
	return fmt.Sprintf("urn:epc:class:lgtin:%s.0%05d.%s", prefix, item, lot)
}

// sgtinOf returns the SGTIN EPC URN of an item reference of a prefix.
func sgtinOf(prefix string, item int, serial string) string {
	return fmt.Sprintf("urn:epc:id:sgtin:%s.0%05d.%s", prefix, item, serial)
}

// transformationID returns the transformationID of one production step of
// the formula plant: EPCIS 2.0 links every event carrying it.
func transformationID(prefix, step, lot string) string {
	return fmt.Sprintf("urn:suyuan:demo:transformation:%s:%s:%s", prefix, step, lot)
}

// formulaBatch is one blended lot of canned formula and its packing.
type formulaBatch struct {
	lot     string
	class   string
	cans    []string
	cases   []string
	pallets []string
	made    time.Time
}

// domesticFormula generates infant formula made in Guangdong. Raw milk
// from two dairy farms becomes standardised milk, then spray-dried base
// powder, then lots blended with a nutrient premix (and, in wide rounds,
// demineralised whey). Each lot is filled into serialised 800 g cans,
// packed in cases and on pallets, and shipped to a food distributor and a
// supermarket. Each production step is a TransformationEvent with a
// transformationID, so a can is seven lineage hops from the raw milk. A
// wide round runs a campaign of 40 batches on one whey lot.
func (g *roundGen) domesticFormula() {
	t0 := g.start
	farms := []site{g.at("dairyfarm", 0), g.at("dairyfarm2", 0)}
	plant, warehouse := g.at("formulaplant", 0), g.at("formulaplant", 1)
	supplier := g.at("ingredients", 0)
	dist, shop := g.at("fooddist", 0), g.at("supermarket", 0)
	wide := IsWideRound(g.r)

	batches, batchCans := 1, ordinaryCans
	if wide {
		batches, batchCans = wideBatches, wideBatchCans
	}
	formulaKg := float64(batches*batchCans) * canKg
	// Base powder is 60% of the formula when whey goes in, 99.5% when not;
	// the premix is 0.5%.
	basePowderShare := 0.995
	if wide {
		basePowderShare = 0.6
	}
	powderKg := round2(formulaKg * basePowderShare)
	// Spray drying keeps the milk solids, about 12.5% of the milk.
	milkKg := round2(powderKg / 0.125)

	// Raw milk: each farm's tanker load is a lot.
	collected := t0.AddDate(0, 0, -30).Add(-g.minutes(120))
	var rawLots []epcis.QuantityElement
	for i, farm := range farms {
		lot := g.lotName(fmt.Sprintf("RM%d", i+1))
		kg := round2(milkKg * (0.4 + 0.2*float64(i)))
		class := lgtinOf(farm.party.Prefix, itemMain, lot)
		rawLots = append(rawLots, qty(class, kg, "KGM"))

		e := step(event(epcis.ObjectEvent, collected, farm), "commissioning", "active")
		e.Action = epcis.ActionAdd
		e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
		e.ILMD = lotILMD(lot, collected, collected.AddDate(0, 0, 2), "CN")
		g.out(e)

		e = step(event(epcis.ObjectEvent, collected.Add(time.Hour), farm), "shipping", "in_transit")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
		bizTx(e, "desadv", slip(farm.party.Prefix, fmt.Sprintf("M%d", 100000+g.r)))
		transfer(e, farm, plant)
		g.out(e)
	}
	received := collected.Add(6 * time.Hour)
	e := step(event(epcis.ObjectEvent, received, plant), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = rawLots
	for _, farm := range farms {
		e.SourceList = append(e.SourceList, epcis.SourceDest{Type: cbvSDT + "owning_party", Value: farm.party.ID})
	}
	e.DestinationList = []epcis.SourceDest{
		{Type: cbvSDT + "owning_party", Value: plant.party.ID},
		{Type: cbvSDT + "location", Value: plant.id()},
	}
	g.out(e)

	// Standardisation and spray drying.
	milkLot := g.lotName("SM")
	milkClass := lgtinOf(plant.party.Prefix, itemStandardMilk, milkLot)
	e = step(event(epcis.TransformationEvent, received.Add(2*time.Hour), plant), "commissioning", "active")
	e.TransformationID = transformationID(plant.party.Prefix, "standardising", milkLot)
	e.InputQuantityList = rawLots
	e.OutputQuantityList = []epcis.QuantityElement{qty(milkClass, milkKg, "KGM")}
	e.ILMD = lotILMD(milkLot, received.Add(2*time.Hour), time.Time{}, "CN")
	g.out(e)

	powderLot := g.lotName("JF")
	powderClass := lgtinOf(plant.party.Prefix, itemBasePowder, powderLot)
	dried := received.Add(20 * time.Hour)
	e = step(event(epcis.TransformationEvent, dried, plant), "commissioning", "active")
	e.TransformationID = transformationID(plant.party.Prefix, "spray-drying", powderLot)
	e.InputQuantityList = []epcis.QuantityElement{qty(milkClass, milkKg, "KGM")}
	e.OutputQuantityList = []epcis.QuantityElement{qty(powderClass, powderKg, "KGM")}
	e.ILMD = lotILMD(powderLot, dried, dried.AddDate(1, 0, 0), "CN")
	g.out(e)

	// Ingredients bought in: the premix, and in wide rounds the whey.
	ingredients := []struct {
		lot   string
		item  int
		share float64
	}{{g.lotName("YH"), itemMain, 0.005}}
	if wide {
		ingredients = append(ingredients, struct {
			lot   string
			item  int
			share float64
		}{g.lotName("RQ"), itemWhey, 0.395})
	}
	var bought []epcis.QuantityElement
	madeIn := dried.AddDate(0, 0, -10)
	for _, in := range ingredients {
		q := qty(lgtinOf(supplier.party.Prefix, in.item, in.lot), round2(formulaKg*in.share), "KGM")
		bought = append(bought, q)

		e = step(event(epcis.ObjectEvent, madeIn, supplier), "commissioning", "active")
		e.Action = epcis.ActionAdd
		e.QuantityList = []epcis.QuantityElement{q}
		e.ILMD = lotILMD(in.lot, madeIn, madeIn.AddDate(1, 6, 0), "CN")
		g.out(e)
	}
	e = step(event(epcis.ObjectEvent, dried.AddDate(0, 0, -3), supplier), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = bought
	bizTx(e, "desadv", slip(supplier.party.Prefix, fmt.Sprintf("P%d", 100000+g.r)))
	transfer(e, supplier, plant)
	g.out(e)

	e = step(event(epcis.ObjectEvent, dried.AddDate(0, 0, -2), plant), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = bought
	transfer(e, supplier, plant)
	g.out(e)

	// Blending and canning, batch by batch.
	out := make([]formulaBatch, batches)
	for b := range out {
		out[b] = g.formulaBatch(b, batchCans, dried.Add(time.Duration(b+1)*6*time.Hour), powderClass, powderKg/float64(batches), bought, batches)
	}

	g.shipFormula(out, warehouse, dist, shop)
}

// formulaBatch blends lot number b of the round and cans it. A
// TransformationEvent turns base powder and the bought-in ingredients into
// the lot. Commissioning events of cansPerEvent cans carry the lot in
// their ilmd, and aggregation events pack the cans in cases and pallets.
func (g *roundGen) formulaBatch(b, cans int, at time.Time, powderClass string, powderKg float64, bought []epcis.QuantityElement, batches int) formulaBatch {
	plant, warehouse := g.at("formulaplant", 0), g.at("formulaplant", 1)
	prefix := plant.party.Prefix
	fb := formulaBatch{lot: g.lotName(fmt.Sprintf("YF%02d", b)), made: at}
	fb.class = lgtinOf(prefix, itemMain, fb.lot)
	formulaKg := round2(float64(cans) * canKg)

	e := step(event(epcis.TransformationEvent, at, plant), "commissioning", "active")
	e.TransformationID = transformationID(prefix, "blending", fb.lot)
	e.InputQuantityList = []epcis.QuantityElement{qty(powderClass, round2(powderKg), "KGM")}
	for _, q := range bought {
		e.InputQuantityList = append(e.InputQuantityList, qty(q.EPCClass, round2(q.Quantity/float64(batches)), "KGM"))
	}
	e.OutputQuantityList = []epcis.QuantityElement{qty(fb.class, formulaKg, "KGM")}
	e.ILMD = lotILMD(fb.lot, at, at.AddDate(2, 0, 0), "CN")
	g.out(e)

	serial := func(kind string, n int) string { return fmt.Sprintf("%s%06d%02d%06d", kind, g.r, b, n) }
	for i := range cans {
		fb.cans = append(fb.cans, sgtinOf(prefix, itemMain, serial("", i+1)))
	}
	filled := at.Add(2 * time.Hour)
	for i := 0; i < cans; i += cansPerEvent {
		e = step(event(epcis.ObjectEvent, filled.Add(time.Duration(i/cansPerEvent)*10*time.Minute), plant), "commissioning", "active")
		e.Action = epcis.ActionAdd
		e.EPCList = fb.cans[i:min(cans, i+cansPerEvent)]
		e.ILMD = lotILMD(fb.lot, at, at.AddDate(2, 0, 0), "CN")
		g.out(e)
	}

	packed := filled.Add(2 * time.Hour)
	for i := 0; i < cans; i += cansPerCase {
		c := sgtinOf(prefix, itemFormulaCase, serial("", i/cansPerCase+1))
		fb.cases = append(fb.cases, c)
		e = step(event(epcis.AggregationEvent, packed.Add(time.Duration(i)*time.Second), plant), "packing", "in_progress")
		e.Action = epcis.ActionAdd
		e.ParentID = c
		e.ChildEPCs = fb.cans[i:min(cans, i+cansPerCase)]
		g.out(e)
	}
	palletised := packed.Add(3 * time.Hour)
	for i := 0; i < len(fb.cases); i += casesPerPallet {
		p := g.palletSSCC(prefix, b, i/casesPerPallet)
		fb.pallets = append(fb.pallets, p)
		e = step(event(epcis.AggregationEvent, palletised.Add(time.Duration(i)*time.Second), warehouse), "packing", "in_progress")
		e.Action = epcis.ActionAdd
		e.ParentID = p
		e.ChildEPCs = fb.cases[i:min(len(fb.cases), i+casesPerPallet)]
		g.out(e)
	}
	return fb
}

// palletSSCC returns the SSCC of pallet n of batch b. An ordinary round
// has one pallet, numbered by the round with extension digit 0. Wide
// rounds use extension digit 1 and number pallets by the wide round's
// ordinal, the batch and the pallet.
func (g *roundGen) palletSSCC(prefix string, b, n int) string {
	if !IsWideRound(g.r) {
		return fmt.Sprintf("urn:epc:id:sscc:%s.0%09d", prefix, g.r+1)
	}
	return fmt.Sprintf("urn:epc:id:sscc:%s.1%09d", prefix, (g.r/WideLotEvery)*10000+b*100+n+1)
}

// shipFormula ships the pallets of every batch from the plant's warehouse
// to the food distributor by the truckload, and the distributor sends the
// first case of the first batch on to a supermarket, where a can sells.
func (g *roundGen) shipFormula(batches []formulaBatch, warehouse, dist, shop site) {
	var pallets []string
	for _, fb := range batches {
		pallets = append(pallets, fb.pallets...)
	}
	last := batches[len(batches)-1].made
	leave := last.Add(24 * time.Hour)
	for i := 0; i < len(pallets); i += palletsPerTruck {
		load := pallets[i:min(len(pallets), i+palletsPerTruck)]
		at := leave.Add(time.Duration(i/palletsPerTruck) * time.Hour)
		e := step(event(epcis.ObjectEvent, at, warehouse), "shipping", "in_transit")
		e.Action = epcis.ActionObserve
		e.EPCList = load
		bizTx(e, "desadv", slip(warehouse.party.Prefix, fmt.Sprintf("F%d%03d", 100000+g.r, i/palletsPerTruck)))
		transfer(e, warehouse, dist)
		g.out(e)

		e = step(event(epcis.ObjectEvent, at.Add(3*time.Hour), dist), "receiving", "in_progress")
		e.Action = epcis.ActionObserve
		e.EPCList = load
		transfer(e, warehouse, dist)
		g.out(e)
	}

	first := batches[0]
	unpacked := leave.Add(6 * time.Hour)
	e := step(event(epcis.AggregationEvent, unpacked, dist), "unpacking", "in_progress")
	e.Action = epcis.ActionDelete
	e.ParentID = first.pallets[0]
	e.ChildEPCs = first.cases[:1]
	g.out(e)

	e = step(event(epcis.ObjectEvent, unpacked.Add(time.Hour), dist), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.EPCList = first.cases[:1]
	transfer(e, dist, shop)
	g.out(e)

	e = step(event(epcis.ObjectEvent, unpacked.Add(3*time.Hour), shop), "receiving", "sellable_accessible")
	e.Action = epcis.ActionObserve
	e.EPCList = first.cases[:1]
	transfer(e, dist, shop)
	g.out(e)

	e = step(event(epcis.ObjectEvent, unpacked.Add(26*time.Hour+g.minutes(240)), shop), "retail_selling", "retail_sold")
	e.Action = epcis.ActionObserve
	e.EPCList = first.cans[:1]
	g.out(e)
}

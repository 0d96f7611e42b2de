package demo

import (
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// drugCode returns the URI of a 20-digit drug traceability code: the
// 7-digit product code, a 9-digit serial number and a 4-digit check part.
// The check part is random because its algorithm is the issuer's own.
func (g *roundGen) drugCode(product string, serial int) string {
	return fmt.Sprintf("urn:cn:nmpa:drug:%s%09d%s", product, serial, g.digits(4))
}

// drugs generates manufacturer → distributor → hospital and pharmacy with
// item → case → pallet aggregation. In round 0 one pack's code is cloned:
// it is sold in Guangzhou and in Zhanjiang.
func (g *roundGen) drugs() {
	t0 := g.start
	line, store := g.at("pharma", 0), g.at("pharma", 1)
	dist, hospital, pharmacy := g.at("distributor", 0), g.at("hospital", 0), g.at("pharmacy", 0)
	const perCase = 5
	items := make([]string, 2*perCase)
	for i := range items {
		items[i] = g.drugCode(drugProductCode, g.r*len(items)+i+1)
	}
	cases := []string{g.drugCode(drugCaseProductCode, 2*g.r+1), g.drugCode(drugCaseProductCode, 2*g.r+2)}
	pallet := fmt.Sprintf("urn:epc:id:sscc:%s.0%09d", line.party.Prefix, g.r+1)
	lot := g.lotName("A")
	made := t0.AddDate(0, 0, -12)

	e := step(event(epcis.ObjectEvent, made, line), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.EPCList = items
	e.ILMD = lotILMD(lot, made, made.AddDate(2, 0, 0), "CN")
	g.out(e)

	for i, c := range cases {
		e = step(event(epcis.AggregationEvent, made.Add(time.Duration(i+1)*10*time.Minute), line), "packing", "in_progress")
		e.Action = epcis.ActionAdd
		e.ParentID = c
		e.ChildEPCs = items[i*perCase : (i+1)*perCase]
		g.out(e)
	}
	e = step(event(epcis.AggregationEvent, made.Add(time.Hour), store), "packing", "in_progress")
	e.Action = epcis.ActionAdd
	e.ParentID = pallet
	e.ChildEPCs = cases
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -8), store), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.EPCList = []string{pallet}
	bizTx(e, "desadv", fmt.Sprintf("urn:suyuan:demo:desadv:NY%08d", g.r))
	transfer(e, store, dist)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -7), dist), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.EPCList = []string{pallet}
	transfer(e, store, dist)
	g.out(e)

	e = step(event(epcis.AggregationEvent, t0.AddDate(0, 0, -6), dist), "unpacking", "in_progress")
	e.Action = epcis.ActionDelete
	e.ParentID = pallet
	e.ChildEPCs = cases
	g.out(e)

	for i, to := range []site{hospital, pharmacy} {
		e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -5).Add(time.Duration(i)*time.Hour), dist), "shipping", "in_transit")
		e.Action = epcis.ActionObserve
		e.EPCList = []string{cases[i]}
		transfer(e, dist, to)
		g.out(e)

		e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -4).Add(time.Duration(i)*time.Hour), to), "receiving", "sellable_accessible")
		e.Action = epcis.ActionObserve
		e.EPCList = []string{cases[i]}
		transfer(e, dist, to)
		g.out(e)
	}

	e = step(event(epcis.ObjectEvent, t0.Add(-20*time.Hour+g.minutes(60)), hospital), "dispensing", "dispensed")
	e.Action = epcis.ActionObserve
	e.EPCList = []string{items[0]}
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(g.minutes(240)), pharmacy), "retail_selling", "retail_sold")
	e.Action = epcis.ActionObserve
	e.EPCList = []string{items[perCase]}
	g.out(e)

	if g.r == 0 {
		clone := items[perCase+1]
		e = step(event(epcis.ObjectEvent, t0.Add(time.Hour), pharmacy), "retail_selling", "retail_sold")
		e.Action = epcis.ActionObserve
		e.EPCList = []string{clone}
		g.out(e)
		e = step(event(epcis.ObjectEvent, t0.Add(3*time.Hour), g.at("pharmacy2", 0)), "retail_selling", "retail_sold")
		e.Action = epcis.ActionObserve
		e.EPCList = []string{clone}
		g.out(e)
		g.sample(clone[len("urn:cn:nmpa:drug:"):], "药品追溯码 (疑似克隆: 同一码在两个城市售出)",
			"drug traceability code (suspected clone: sold in two cities)")
		g.sample(items[0][len("urn:cn:nmpa:drug:"):], "药品追溯码 (医院发药)", "drug traceability code (dispensed at a hospital)")
	}
}

// pesticide generates manufacturer → farm-input dealer → farmer with
// 32-digit pesticide label codes.
func (g *roundGen) pesticide() {
	t0 := g.start
	plant, dealer, farmer := g.at("agrochem", 0), g.at("inputdealer", 0), g.at("farmer", 0)
	units := make([]string, 6)
	for i := range units {
		units[i] = "urn:cn:moa:pesticide:" + pesticideClassCode + g.digits(21)
	}
	lot := g.lotName("Y")
	made := t0.AddDate(0, 0, -20)

	e := step(event(epcis.ObjectEvent, made, plant), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.EPCList = units
	e.ILMD = lotILMD(lot, made, made.AddDate(2, 0, 0), "CN")
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -10), plant), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.EPCList = units
	transfer(e, plant, dealer)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -9), dealer), "receiving", "sellable_accessible")
	e.Action = epcis.ActionObserve
	e.EPCList = units
	transfer(e, plant, dealer)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(g.minutes(300)), dealer), "retail_selling", "retail_sold")
	e.Action = epcis.ActionObserve
	e.EPCList = units[:2]
	transfer(e, dealer, farmer)
	g.out(e)

	if g.r == 0 {
		g.sample(units[0][len("urn:cn:moa:pesticide:"):], "农药标签码 (32 位)", "pesticide label code (32 digits)")
	}
}

// gasCylinders generates manufacture → filling station → user with a
// periodic inspection. In round 0 the second cylinder fails inspection
// and is scrapped.
func (g *roundGen) gasCylinders() {
	t0 := g.start
	works := g.at("cylinderworks", 0)
	station := g.at("filling", 0)
	if g.r%2 == 1 {
		station = g.at("filling2", 0)
	}
	user := g.at("gasuser", 0)
	cyl := []string{
		fmt.Sprintf("urn:epc:id:giai:%s.%s%06d", works.party.Prefix, cylinderModel, 2*g.r+1),
		fmt.Sprintf("urn:epc:id:giai:%s.%s%06d", works.party.Prefix, cylinderModel, 2*g.r+2),
	}
	made := t0.AddDate(-1, 0, -g.rng.IntN(200))

	e := step(event(epcis.ObjectEvent, made, works), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.EPCList = cyl
	e.ILMD = []epcis.Element{
		mda("lotNumber", g.lotName("GP")),
		ext(FieldProductionDate, made.Format(time.DateOnly)),
		ext(FieldNextInspectionDate, made.AddDate(4, 0, 0).Format(time.DateOnly)),
	}
	g.out(e)

	e = step(event(epcis.ObjectEvent, made.AddDate(0, 0, 10), works), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.EPCList = cyl
	transfer(e, works, station)
	g.out(e)

	e = step(event(epcis.ObjectEvent, made.AddDate(0, 0, 11), station), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.EPCList = cyl
	transfer(e, works, station)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -2), station), FillingBizStep, "")
	e.Action = epcis.ActionObserve
	e.EPCList = cyl
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -1), station), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.EPCList = cyl[:1]
	transfer(e, station, user)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0, station), "inspecting", "in_progress")
	e.Action = epcis.ActionObserve
	e.EPCList = cyl[1:]
	result := "合格 / pass"
	if g.r == 0 {
		result = "不合格: 瓶体腐蚀超标 / fail: body corrosion beyond limit"
	}
	e.Extensions = []epcis.Element{ext(FieldInspectionResult, result)}
	g.out(e)

	if g.r == 0 {
		e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, 1), station), "destroying", "destroyed")
		e.Action = epcis.ActionDelete
		e.EPCList = cyl[1:]
		g.out(e)
		g.sample(fmt.Sprintf("https://id.gs1.org/8004/%s%s%06d", works.party.Prefix, cylinderModel, 2),
			"液化气钢瓶 (定期检验不合格, 已报废)", "LPG cylinder (failed inspection, scrapped)")
	}
}

// hazchem generates producer → licensed transporter → licensed user. In
// round 0 the consignee holds no hazardous chemicals licence.
func (g *roundGen) hazchem() {
	t0 := g.start
	plant, hauler := g.at("chemplant", 0), g.at("hazhaul", 0)
	user := g.at("chemuser", 0)
	if g.r == 0 {
		user = g.at("chemuser2", 0)
	}
	lot := g.lotName("T")
	class := lgtin(plant.party.Prefix, lot)
	kg := float64(18000 + 500*g.rng.IntN(8))
	made := t0.AddDate(0, 0, -3)

	e := step(event(epcis.ObjectEvent, made, plant), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	e.ILMD = lotILMD(lot, made, made.AddDate(1, 0, 0), "CN")
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0, plant), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	bizTx(e, "bol", fmt.Sprintf("urn:suyuan:demo:waybill:WX%08d", g.r))
	transfer(e, plant, user)
	e.DestinationList = append(e.DestinationList, epcis.SourceDest{Type: cbvSDT + "possessing_party", Value: hauler.party.ID})
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(2*time.Hour), hauler), "transporting", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(6*time.Hour), user), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	transfer(e, plant, user)
	g.out(e)

	if g.r == 0 {
		g.sample("(01)"+gtin14(plant.party.Prefix)+"(10)"+lot,
			"甲苯 (收货单位无危险化学品许可)", "toluene (consignee without a hazardous chemicals licence)")
	}
}

// rareEarth generates mine → separation plant → exporter. In round 0 the
// separation output weighs more than its input.
func (g *roundGen) rareEarth() {
	t0 := g.start
	mine, plant, exporter := g.at("mine", 0), g.at("separation", 0), g.at("exporter", 0)
	oreLot, oxideLot := g.lotName("RE"), g.lotName("PN")
	ore, oxide := lgtin(mine.party.Prefix, oreLot), lgtin(plant.party.Prefix, oxideLot)
	oreKg := float64(30000 + 1000*g.rng.IntN(10))
	oxideKg := round2(oreKg * (0.28 + 0.04*g.rng.Float64()))
	if g.r == 0 {
		oxideKg = round2(oreKg * 1.2)
	}
	mined := t0.AddDate(0, 0, -15)

	e := step(event(epcis.ObjectEvent, mined, mine), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.QuantityList = []epcis.QuantityElement{qty(ore, oreKg, "KGM")}
	e.ILMD = lotILMD(oreLot, mined, time.Time{}, "CN")
	g.out(e)

	e = step(event(epcis.ObjectEvent, mined.AddDate(0, 0, 3), mine), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(ore, oreKg, "KGM")}
	transfer(e, mine, plant)
	g.out(e)

	e = step(event(epcis.ObjectEvent, mined.AddDate(0, 0, 4), plant), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(ore, oreKg, "KGM")}
	transfer(e, mine, plant)
	g.out(e)

	made := t0.AddDate(0, 0, -5)
	e = step(event(epcis.TransformationEvent, made, plant), "commissioning", "active")
	e.InputQuantityList = []epcis.QuantityElement{qty(ore, oreKg, "KGM")}
	e.OutputQuantityList = []epcis.QuantityElement{qty(oxide, oxideKg, "KGM")}
	e.ILMD = lotILMD(oxideLot, made, time.Time{}, "CN")
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -3), plant), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(oxide, oxideKg, "KGM")}
	transfer(e, plant, exporter)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -2), exporter), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(oxide, oxideKg, "KGM")}
	transfer(e, plant, exporter)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0, exporter), "departing", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(oxide, oxideKg, "KGM")}
	bizTx(e, "bol", fmt.Sprintf("urn:suyuan:demo:bol:SZX%07d", g.r))
	g.out(e)

	if g.r == 0 {
		g.sample("(01)"+gtin14(plant.party.Prefix)+"(10)"+oxideLot,
			"氧化镨钕 (分离产出超过投入)", "PrNd oxide (separation output exceeds input)")
	}
}

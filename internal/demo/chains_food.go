package demo

import (
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// at returns site n (0-based) of the party with the given key.
func (g *roundGen) at(key string, n int) site {
	return site{party: g.parties[key], n: n}
}

// lgtin returns the LGTIN EPC class URN of the main item of a prefix.
func lgtin(prefix, lot string) string {
	return fmt.Sprintf("urn:epc:class:lgtin:%s.0%05d.%s", prefix, itemMain, lot)
}

// gtin14 returns the GTIN-14 of the main item of a prefix.
func gtin14(prefix string) string { return "0" + gtin13(prefix, itemMain) }

// slip returns the trace code printed on a transaction slip (交易凭证) as
// a GDTI EPC URN: document type 1 of the issuer's prefix and a serial.
func slip(prefix string, serial string) string {
	return fmt.Sprintf("urn:epc:id:gdti:%s.00001.%s", prefix, serial)
}

// lotName builds a lot number from a letter code, the round's date and the
// round number, unique within a chain.
func (g *roundGen) lotName(code string) string {
	return fmt.Sprintf("%s%s%d", code, g.start.Format("060102"), g.r)
}

// pork generates farm → slaughterhouse → wholesale market → supermarket
// and wet market. Round 0 recalls the pork lot (clenbuterol found at the
// wholesale market); round 1 has a cold-chain excursion.
func (g *roundGen) pork() {
	t0 := g.start
	farm, plant, line := g.at("pigfarm", 0), g.at("slaughter", 0), g.at("slaughter", 1)
	market := g.at("wholesale", 0)
	pigLot := g.lotName("ZP")
	pigClass := lgtin(farm.party.Prefix, pigLot)
	heads := float64(40 + g.rng.IntN(40))

	e := step(event(epcis.ObjectEvent, t0.Add(-20*time.Hour), farm), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.QuantityList = []epcis.QuantityElement{qty(pigClass, heads, "H87")}
	e.ILMD = lotILMD(pigLot, t0.Add(-20*time.Hour), time.Time{}, "CN")
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(-3*time.Hour-g.minutes(30)), farm), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(pigClass, heads, "H87")}
	bizTx(e, "desadv", slip(farm.party.Prefix, fmt.Sprintf("S%d", 100000+g.r)))
	transfer(e, farm, plant)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0, plant), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(pigClass, heads, "H87")}
	transfer(e, farm, plant)
	g.out(e)

	porkLot := g.lotName("BT")
	porkClass := lgtin(plant.party.Prefix, porkLot)
	kg := round2(heads * (72 + g.rng.Float64()*8))
	made := t0.Add(3 * time.Hour)
	e = step(event(epcis.TransformationEvent, made, line), "commissioning", "active")
	e.InputQuantityList = []epcis.QuantityElement{qty(pigClass, heads, "H87")}
	e.OutputQuantityList = []epcis.QuantityElement{qty(porkClass, kg, "KGM")}
	e.ILMD = lotILMD(porkLot, made, made.AddDate(0, 0, 5), "CN")
	e.CertificationInfo = []string{
		"urn:suyuan:demo:cert:meat-quality:" + porkLot,
		"urn:suyuan:demo:cert:animal-quarantine:" + pigLot,
	}
	g.out(e)

	leave, arrive := t0.Add(5*time.Hour), t0.Add(7*time.Hour)
	e = step(event(epcis.ObjectEvent, leave, plant), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(porkClass, kg, "KGM")}
	bizTx(e, "desadv", slip(plant.party.Prefix, fmt.Sprintf("S%d", 200000+g.r)))
	transfer(e, plant, market)
	lo, hi := 0.5+g.rng.Float64(), 2.5+g.rng.Float64()
	alarm := g.r == 1
	if alarm {
		hi = 9.6
	}
	e.SensorElementList = []epcis.SensorElement{temperature(
		fmt.Sprintf("urn:epc:id:giai:%s.TRUCK%02d", plant.party.Prefix, g.r%20), leave, arrive, round2(lo), round2(hi), round2((lo+hi)/2), alarm)}
	g.out(e)
	if g.r == 1 {
		g.sample("https://id.gs1.org/01/"+gtin14(plant.party.Prefix)+"/10/"+porkLot,
			"冷鲜猪肉 (运输途中温度超标)", "chilled pork (temperature excursion in transport)")
	}

	e = step(event(epcis.ObjectEvent, arrive, market), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(porkClass, kg, "KGM")}
	transfer(e, plant, market)
	g.out(e)

	shares := []struct {
		key   string
		share float64
	}{{"supermarket", 0.4}, {"wetmarket", 0.35}}
	if g.r%2 == 1 {
		shares = append(shares, struct {
			key   string
			share float64
		}{"supermarket2", 0.25})
	}
	for i, s := range shares {
		shop := g.at(s.key, 0)
		part := round2(kg * s.share)
		out := t0.Add(time.Duration(9+i) * time.Hour)
		e = step(event(epcis.ObjectEvent, out, market), "shipping", "in_transit")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(porkClass, part, "KGM")}
		bizTx(e, "desadv", slip(market.party.Prefix, fmt.Sprintf("S%d%d", 300000+g.r, i)))
		transfer(e, market, shop)
		g.out(e)

		e = step(event(epcis.ObjectEvent, out.Add(90*time.Minute), shop), "receiving", "sellable_accessible")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(porkClass, part, "KGM")}
		transfer(e, market, shop)
		g.out(e)

		e = step(event(epcis.ObjectEvent, out.Add(5*time.Hour+g.minutes(120)), shop), "retail_selling", "retail_sold")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(porkClass, round2(part*0.6), "KGM")}
		g.out(e)
	}

	if g.r == 0 {
		e = step(event(epcis.ObjectEvent, t0.Add(30*time.Hour), plant), "holding", "recalled")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(porkClass, kg, "KGM")}
		e.Extensions = []epcis.Element{
			ext(FieldRecallReasonZH, recallReasonZH),
			ext(FieldRecallReasonEN, recallReasonEN),
			ext(FieldRecallNotice, recallNumber),
		}
		g.out(e)
		g.sample("(01)"+gtin14(plant.party.Prefix)+"(10)"+porkLot,
			"冷鲜猪肉 (已召回)", "chilled pork (recalled lot)")
	}
}

// vegetables generates grower → wholesale market → wet market. Odd rounds
// come from a grower on the credit blacklist.
func (g *roundGen) vegetables() {
	t0 := g.start
	key := "grower"
	if g.r%2 == 1 {
		key = "grower2"
	}
	farm, market, shop := g.at(key, 0), g.at("wholesale", 0), g.at("wetmarket", 0)
	lot := g.lotName("V")
	class := lgtin(farm.party.Prefix, lot)
	kg := float64(800 + g.rng.IntN(800))
	harvest := t0.Add(-8 * time.Hour)

	e := step(event(epcis.ObjectEvent, harvest, farm), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	e.ILMD = lotILMD(lot, harvest, harvest.AddDate(0, 0, 4), "CN")
	if key == "grower" {
		e.CertificationInfo = []string{"urn:suyuan:demo:cert:compliance-commitment:" + lot}
	}
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(-4*time.Hour), farm), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	bizTx(e, "desadv", slip(farm.party.Prefix, fmt.Sprintf("V%d", 100000+g.r)))
	transfer(e, farm, market)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(-1*time.Hour), market), "receiving", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, kg, "KGM")}
	transfer(e, farm, market)
	g.out(e)

	part := round2(kg * 0.3)
	e = step(event(epcis.ObjectEvent, t0.Add(2*time.Hour), market), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, part, "KGM")}
	bizTx(e, "desadv", slip(market.party.Prefix, fmt.Sprintf("V%d", 200000+g.r)))
	transfer(e, market, shop)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(3*time.Hour), shop), "receiving", "sellable_accessible")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, part, "KGM")}
	transfer(e, market, shop)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.Add(6*time.Hour+g.minutes(60)), shop), "retail_selling", "retail_sold")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, round2(part*0.8), "KGM")}
	g.out(e)

	if g.r == 1 {
		g.sample("https://id.gs1.org/01/"+gtin14(farm.party.Prefix)+"/10/"+lot,
			"生菜 (生产者在失信名单上)", "lettuce (producer on the credit blacklist)")
	}
}

// formula generates imported infant formula: overseas producer → port
// inspection with its certificate → cross-border e-commerce warehouse →
// consumer orders. Round 0's lot expires the day before the round starts
// and is still sold after that.
func (g *roundGen) formula() {
	t0 := g.start
	cest := time.FixedZone("CEST", 2*3600)
	dairy, port, warehouse, buyer := g.at("dairy", 0), g.at("port", 0), g.at("cbec", 0), g.at("consumer", 0)
	lot := g.lotName("NL")
	class := lgtin(dairy.party.Prefix, lot)
	cans := float64(2400)
	made := t0.AddDate(0, 0, -40).In(cest)
	expires := made.AddDate(2, 0, 0)
	if g.r == 0 {
		// Planted incident: the lot expires the day before the round
		// starts, and the warehouse still ships orders after that.
		expires = time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, cst).AddDate(0, 0, -1)
	}

	e := step(event(epcis.ObjectEvent, made, dairy), "commissioning", "active")
	e.Action = epcis.ActionAdd
	e.QuantityList = []epcis.QuantityElement{qty(class, cans, "H87")}
	e.ILMD = lotILMD(lot, made, expires, "NL")
	g.out(e)

	e = step(event(epcis.ObjectEvent, made.AddDate(0, 0, 4), dairy), "shipping", "in_transit")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, cans, "H87")}
	bizTx(e, "bol", fmt.Sprintf("urn:suyuan:demo:bol:NLRTM%07d", g.r))
	transfer(e, dairy, warehouse)
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -3), port), "inspecting", "in_progress")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, cans, "H87")}
	e.CertificationInfo = []string{fmt.Sprintf("urn:suyuan:demo:cert:entry-inspection:4401%02d%08d", t0.Year()%100, g.r)}
	g.out(e)

	e = step(event(epcis.ObjectEvent, t0.AddDate(0, 0, -2), warehouse), "receiving", "sellable_accessible")
	e.Action = epcis.ActionObserve
	e.QuantityList = []epcis.QuantityElement{qty(class, cans, "H87")}
	transfer(e, dairy, warehouse)
	g.out(e)

	orders := []time.Time{t0.Add(2 * time.Hour), t0.Add(5*time.Hour + g.minutes(90))}
	if g.r == 0 {
		orders = append(orders, t0.Add(39*time.Hour+14*time.Minute))
	}
	for i, at := range orders {
		e = step(event(epcis.ObjectEvent, at, warehouse), "shipping", "in_transit")
		e.Action = epcis.ActionObserve
		e.QuantityList = []epcis.QuantityElement{qty(class, float64(1+g.rng.IntN(3)), "H87")}
		bizTx(e, "po", fmt.Sprintf("urn:suyuan:demo:order:CB%08d%d", g.r, i))
		transfer(e, warehouse, buyer)
		g.out(e)
	}
	if g.r == 0 {
		g.sample("https://id.gs1.org/01/"+gtin14(dairy.party.Prefix)+"/10/"+lot+"?17="+expires.Format("060102"),
			"进口婴幼儿配方奶粉 (过期后仍在销售)", "imported infant formula (sold after expiry)")
	}
}

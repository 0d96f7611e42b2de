package demo

import "time"

// Regulator is the fictional regulator that issues the demo's recall
// notice and credit-list entries.
var Regulator = struct {
	ID, NameZH, NameEN, Department, Jurisdiction string
}{
	ID: "demo-gdamr", NameZH: "广东省市场监督管理局", NameEN: "Guangdong Administration for Market Regulation",
	Department: "食品安全抽检监测处", Jurisdiction: "44",
}

// The recall of round 0's pork lot, as its recall event and its notice
// state it.
const (
	recallNumber   = "粤食召〔2026〕017号"
	recallReasonZH = "批发市场抽检检出盐酸克伦特罗 (瘦肉精), 全批次召回"
	recallReasonEN = "clenbuterol found in a wholesale market spot check; the whole lot is recalled"
)

// RecallNotice is a recall notice the demo issues at seeding time.
type RecallNotice struct {
	Number, Level          string
	ReasonZH, ReasonEN     string
	CategoryZH, CategoryEN string
	// IDs are the recalled lots in canonical form.
	IDs []string
	// Time is when the notice was issued: the time of the recall event.
	Time time.Time
}

// PlantedRecall returns the notice of round 0's recalled pork lot.
func (g *Generator) PlantedRecall() RecallNotice {
	return RecallNotice{
		Number: recallNumber, Level: "I", ReasonZH: recallReasonZH, ReasonEN: recallReasonEN,
		CategoryZH: "畜禽肉", CategoryEN: "meat", IDs: []string{"https://id.gs1.org" + g.ResolverSample()},
		Time: g.start.Add(30 * time.Hour),
	}
}

// CreditEntry is a credit-list entry the demo adds at seeding time.
type CreditEntry struct {
	// USCC is the listed enterprise's unified social credit code.
	USCC, NameZH, NameEN string
	ReasonZH, ReasonEN   string
	DocumentNumber       string
	// EffectiveFrom is a date, YYYY-MM-DD.
	EffectiveFrom string
}

// PlantedCreditEntries returns an entry for every demo enterprise marked
// Blacklisted.
func (g *Generator) PlantedCreditEntries() []CreditEntry {
	var out []CreditEntry
	for _, d := range partyDefs {
		p := g.parties[d.key]
		if !p.Blacklisted || p.USCC == "" {
			continue
		}
		out = append(out, CreditEntry{
			USCC: p.USCC, NameZH: p.NameZH, NameEN: p.NameEN,
			ReasonZH:       "销售农药残留超标的蔬菜, 拒不召回",
			ReasonEN:       "sold vegetables with pesticide residues above the limit and refused to recall them",
			DocumentNumber: "粤市监信〔2026〕021号", EffectiveFrom: g.start.AddDate(0, -2, 0).Format(time.DateOnly),
		})
	}
	return out
}

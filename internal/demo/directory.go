package demo

import (
	"fmt"
	"sort"
	"strings"

	"github.com/suyuan-trace/suyuan/ident"
)

// Directory is the demo's master data: parties by party and location
// identifier, products by product-level identifier. It is read-only and
// safe for concurrent use.
type Directory struct {
	parties  map[string]*Party   // canonical PGLN or SGLN → party
	products map[string]*Product // canonical class → product
	// prefixes lists product classes that name a prefix of instance
	// identifiers (gas cylinder GIAIs), longest first.
	prefixes []string
}

func newDirectory(parties map[string]*Party, products map[string]*Product) *Directory {
	d := &Directory{parties: map[string]*Party{}, products: map[string]*Product{}}
	for _, p := range parties {
		d.parties[p.ID] = p
		if c, err := ident.Canonical(p.ID); err == nil {
			d.parties[c] = p
		}
		for _, s := range p.Sites {
			d.parties[s] = p
			if c, err := ident.Canonical(s); err == nil {
				d.parties[c] = p
			}
		}
	}
	for _, pr := range products {
		d.products[pr.Class] = pr
		d.prefixes = append(d.prefixes, pr.Class)
	}
	sort.Slice(d.prefixes, func(i, j int) bool {
		if len(d.prefixes[i]) != len(d.prefixes[j]) {
			return len(d.prefixes[i]) > len(d.prefixes[j])
		}
		return d.prefixes[i] < d.prefixes[j]
	})
	return d
}

// Party returns the party with a party or location identifier, in
// canonical form or as an EPC URN; ok is false when there is none.
func (d *Directory) Party(id string) (*Party, bool) {
	p, ok := d.parties[id]
	return p, ok
}

// Product returns the product of an identifier: the product whose class is
// id, or, for instance identifiers such as a GIAI, whose class is the
// longest prefix of id. ok is false when there is none.
func (d *Directory) Product(id string) (*Product, bool) {
	if p, ok := d.products[id]; ok {
		return p, true
	}
	for _, c := range d.prefixes {
		if strings.HasPrefix(id, c) {
			return d.products[c], true
		}
	}
	return nil, false
}

// Parties returns every party, ordered by ID.
func (d *Directory) Parties() []*Party {
	seen := map[*Party]bool{}
	var out []*Party
	for _, p := range d.parties {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Item numbers of the demo's products under their producers' prefixes.
const itemMain = 1

// productClasses are the product-level identifiers of the demo products.
type productClasses struct {
	pig, pork, choySum, lettuce, formula, drug, drugCase, pesticide, cylinder, toluene, concentrate, oxide string
	rawMilk, standardMilk, basePowder, premix, whey, localFormula, localFormulaCase                        string
}

// Class-level codes of the Chinese schemes.
const (
	drugProductCode     = "8612345" // item packs: 阿莫西林胶囊 0.25g×24粒
	drugCaseProductCode = "8612346" // cases of 50 packs
	pesticideClassCode  = "11234561001"
	cylinderModel       = "LPG15A"
)

func classesOf(parties map[string]*Party) productClasses {
	dlItem := func(key string, item int) string {
		return "https://id.gs1.org/01/0" + gtin13(parties[key].Prefix, item)
	}
	dl := func(key string) string { return dlItem(key, itemMain) }
	return productClasses{
		pig:              dl("pigfarm"),
		pork:             dl("slaughter"),
		choySum:          dl("grower"),
		lettuce:          dl("grower2"),
		formula:          dl("dairy"),
		drug:             "urn:cn:nmpa:drugclass:" + drugProductCode,
		drugCase:         "urn:cn:nmpa:drugclass:" + drugCaseProductCode,
		pesticide:        "urn:cn:moa:pesticideclass:" + pesticideClassCode,
		cylinder:         "https://id.gs1.org/8004/" + parties["cylinderworks"].Prefix + cylinderModel,
		toluene:          dl("chemplant"),
		concentrate:      dl("mine"),
		oxide:            dl("separation"),
		rawMilk:          dl("dairyfarm"),
		standardMilk:     dlItem("formulaplant", itemStandardMilk),
		basePowder:       dlItem("formulaplant", itemBasePowder),
		premix:           dl("ingredients"),
		whey:             dlItem("ingredients", itemWhey),
		localFormula:     dl("formulaplant"),
		localFormulaCase: dlItem("formulaplant", itemFormulaCase),
	}
}

func buildProducts(parties map[string]*Party) map[string]*Product {
	c := classesOf(parties)
	id := func(key string) string { return parties[key].ID }
	list := []*Product{
		{Class: c.pig, NameZH: "生猪", NameEN: "live pigs", CategoryZH: "畜禽", CategoryEN: "livestock",
			Producer: id("pigfarm"), OriginZH: "广东清远", OriginEN: "Qingyuan, Guangdong",
			Certifications: []string{"动物检疫合格证明 / animal quarantine certificate"}},
		{Class: c.pork, NameZH: "冷鲜猪白条肉", NameEN: "chilled pork carcass", CategoryZH: "肉类", CategoryEN: "meat",
			Producer: id("slaughter"), OriginZH: "广东佛山", OriginEN: "Foshan, Guangdong", ColdChainMaxCelsius: 4,
			Certifications: []string{"肉品品质检验合格证 / meat quality inspection certificate", "动物检疫合格证明 / animal quarantine certificate"}},
		{Class: c.choySum, NameZH: "菜心", NameEN: "choy sum", CategoryZH: "蔬菜", CategoryEN: "vegetables",
			Producer: id("grower"), OriginZH: "广东肇庆", OriginEN: "Zhaoqing, Guangdong",
			Certifications: []string{"承诺达标合格证 / compliance commitment certificate"}},
		{Class: c.lettuce, NameZH: "生菜", NameEN: "lettuce", CategoryZH: "蔬菜", CategoryEN: "vegetables",
			Producer: id("grower2"), OriginZH: "广东江门", OriginEN: "Jiangmen, Guangdong"},
		{Class: c.formula, NameZH: "婴幼儿配方奶粉 1段 800克", NameEN: "infant formula stage 1, 800 g", CategoryZH: "特殊食品", CategoryEN: "food for special purposes",
			Producer: id("dairy"), OriginZH: "荷兰", OriginEN: "Netherlands",
			Certifications: []string{"婴幼儿配方乳粉产品配方注册 / infant formula recipe registration", "入境货物检验检疫证明 / entry inspection certificate"}},
		{Class: c.drug, NameZH: "阿莫西林胶囊 0.25克×24粒", NameEN: "amoxicillin capsules 0.25 g × 24", CategoryZH: "药品", CategoryEN: "drugs",
			Producer: id("pharma"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong",
			Certifications: []string{"药品注册证书 / drug registration certificate"}},
		{Class: c.drugCase, NameZH: "阿莫西林胶囊 (箱)", NameEN: "amoxicillin capsules (case)", CategoryZH: "药品", CategoryEN: "drugs",
			Producer: id("pharma"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong"},
		{Class: c.pesticide, NameZH: "10% 吡虫啉可湿性粉剂 100克", NameEN: "imidacloprid 10% wettable powder, 100 g", CategoryZH: "农药", CategoryEN: "pesticides",
			Producer: id("agrochem"), OriginZH: "广东江门", OriginEN: "Jiangmen, Guangdong",
			Certifications: []string{"农药登记证 PD20123456 / pesticide registration PD20123456"}},
		{Class: c.cylinder, NameZH: "15 千克液化石油气钢瓶", NameEN: "15 kg LPG steel cylinder", CategoryZH: "特种设备", CategoryEN: "special equipment",
			Producer: id("cylinderworks"), OriginZH: "广东佛山", OriginEN: "Foshan, Guangdong",
			Certifications: []string{"特种设备制造许可证 / special equipment manufacturing licence"}},
		{Class: c.toluene, NameZH: "甲苯 (UN1294)", NameEN: "toluene (UN 1294)", CategoryZH: "危险化学品", CategoryEN: "hazardous chemicals",
			Producer: id("chemplant"), OriginZH: "广东惠州", OriginEN: "Huizhou, Guangdong", RequiredLicence: LicenceHazchemBusiness,
			Certifications: []string{"危险化学品安全技术说明书 / safety data sheet"}},
		{Class: c.concentrate, NameZH: "离子型稀土精矿", NameEN: "ion-adsorption rare earth concentrate", CategoryZH: "稀土", CategoryEN: "rare earth",
			Producer: id("mine"), OriginZH: "广东梅州", OriginEN: "Meizhou, Guangdong",
			Certifications: []string{"稀土开采总量控制指标 / rare earth mining quota"}},
		{Class: c.oxide, NameZH: "氧化镨钕", NameEN: "praseodymium-neodymium oxide", CategoryZH: "稀土", CategoryEN: "rare earth",
			Producer: id("separation"), OriginZH: "广东清远", OriginEN: "Qingyuan, Guangdong"},
		{Class: c.rawMilk, NameZH: "生鲜乳", NameEN: "raw milk", CategoryZH: "乳制品原料", CategoryEN: "dairy raw materials",
			Producer: id("dairyfarm"), OriginZH: "广东湛江、清远", OriginEN: "Zhanjiang and Qingyuan, Guangdong", ColdChainMaxCelsius: 6,
			Certifications: []string{"生鲜乳准运证明 / raw milk transport permit"}},
		{Class: c.standardMilk, NameZH: "标准化乳", NameEN: "standardised milk", CategoryZH: "乳制品原料", CategoryEN: "dairy raw materials",
			Producer: id("formulaplant"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong", ColdChainMaxCelsius: 6},
		{Class: c.basePowder, NameZH: "婴幼儿配方乳粉基粉", NameEN: "infant formula base powder", CategoryZH: "乳制品原料", CategoryEN: "dairy raw materials",
			Producer: id("formulaplant"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong"},
		{Class: c.premix, NameZH: "复合营养素预混料", NameEN: "vitamin and mineral premix", CategoryZH: "食品配料", CategoryEN: "food ingredients",
			Producer: id("ingredients"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong"},
		{Class: c.whey, NameZH: "脱盐乳清粉 D90", NameEN: "demineralised whey powder D90", CategoryZH: "乳制品原料", CategoryEN: "dairy raw materials",
			Producer: id("ingredients"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong"},
		{Class: c.localFormula, NameZH: "婴幼儿配方乳粉 1段 800克 (国产)", NameEN: "infant formula stage 1, 800 g (made in China)", CategoryZH: "特殊食品", CategoryEN: "food for special purposes",
			Producer: id("formulaplant"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong",
			Certifications: []string{"婴幼儿配方乳粉产品配方注册 / infant formula recipe registration", "食品生产许可证 / food production licence"}},
		{Class: c.localFormulaCase, NameZH: "婴幼儿配方乳粉 1段 800克×6罐 (箱)", NameEN: "infant formula stage 1, 800 g × 6 (case)", CategoryZH: "特殊食品", CategoryEN: "food for special purposes",
			Producer: id("formulaplant"), OriginZH: "广东广州", OriginEN: "Guangzhou, Guangdong"},
	}
	out := make(map[string]*Product, len(list))
	for _, p := range list {
		if _, dup := out[p.Class]; dup {
			panic(fmt.Sprintf("demo: product class %s listed twice", p.Class))
		}
		out[p.Class] = p
	}
	return out
}

package demo

import (
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/ident"
	"github.com/suyuan-trace/suyuan/ident/cncode"
)

// Division is an administrative division of Guangdong by its GB/T 2260
// code, with its name in Chinese and English and the prefecture-level city
// it belongs to.
type Division struct {
	Code           string
	NameZH, NameEN string
	CityZH, CityEN string
}

// divisions lists the GB/T 2260 codes the demo enterprises sit in.
var divisions = map[string]Division{}

func init() {
	for _, d := range []Division{
		{"440100", "广州市", "Guangzhou", "广州市", "Guangzhou"},
		{"440104", "广州市越秀区", "Yuexiu, Guangzhou", "广州市", "Guangzhou"},
		{"440106", "广州市天河区", "Tianhe, Guangzhou", "广州市", "Guangzhou"},
		{"440111", "广州市白云区", "Baiyun, Guangzhou", "广州市", "Guangzhou"},
		{"440113", "广州市番禺区", "Panyu, Guangzhou", "广州市", "Guangzhou"},
		{"440115", "广州市南沙区", "Nansha, Guangzhou", "广州市", "Guangzhou"},
		{"440300", "深圳市", "Shenzhen", "深圳市", "Shenzhen"},
		{"440305", "深圳市南山区", "Nanshan, Shenzhen", "深圳市", "Shenzhen"},
		{"440306", "深圳市宝安区", "Bao'an, Shenzhen", "深圳市", "Shenzhen"},
		{"440307", "深圳市龙岗区", "Longgang, Shenzhen", "深圳市", "Shenzhen"},
		{"440500", "汕头市", "Shantou", "汕头市", "Shantou"},
		{"440507", "汕头市龙湖区", "Longhu, Shantou", "汕头市", "Shantou"},
		{"440600", "佛山市", "Foshan", "佛山市", "Foshan"},
		{"440604", "佛山市禅城区", "Chancheng, Foshan", "佛山市", "Foshan"},
		{"440606", "佛山市顺德区", "Shunde, Foshan", "佛山市", "Foshan"},
		{"440700", "江门市", "Jiangmen", "江门市", "Jiangmen"},
		{"440703", "江门市蓬江区", "Pengjiang, Jiangmen", "江门市", "Jiangmen"},
		{"440800", "湛江市", "Zhanjiang", "湛江市", "Zhanjiang"},
		{"440802", "湛江市赤坎区", "Chikan, Zhanjiang", "湛江市", "Zhanjiang"},
		{"441200", "肇庆市", "Zhaoqing", "肇庆市", "Zhaoqing"},
		{"441202", "肇庆市端州区", "Duanzhou, Zhaoqing", "肇庆市", "Zhaoqing"},
		{"441300", "惠州市", "Huizhou", "惠州市", "Huizhou"},
		{"441302", "惠州市惠城区", "Huicheng, Huizhou", "惠州市", "Huizhou"},
		{"441303", "惠州市惠阳区", "Huiyang, Huizhou", "惠州市", "Huizhou"},
		{"441426", "梅州市平远县", "Pingyuan County, Meizhou", "梅州市", "Meizhou"},
		{"441802", "清远市清城区", "Qingcheng, Qingyuan", "清远市", "Qingyuan"},
		{"441900", "东莞市", "Dongguan", "东莞市", "Dongguan"},
		{"445100", "潮州市", "Chaozhou", "潮州市", "Chaozhou"},
		{"445102", "潮州市湘桥区", "Xiangqiao, Chaozhou", "潮州市", "Chaozhou"},
	} {
		divisions[d.Code] = d
	}
}

// Licence is a permit an enterprise holds, such as a food business
// licence or a hazardous chemicals business licence.
type Licence struct {
	// Kind is a licence kind key such as "hazardous-chemical"; TitleZH and
	// TitleEN name it for people.
	Kind             string
	TitleZH, TitleEN string
	Number           string
	// ValidUntil is the last day of validity as YYYY-MM-DD.
	ValidUntil string
}

// Licence kinds used by the demo chains. They are the kind keys of the
// party registry (package party), except the dangerous goods transport
// licence, which the registry does not list.
const (
	LicenceFoodBusiness    = "food-distribution"
	LicenceDrugBusiness    = "drug-distribution"
	LicenceHazchemBusiness = "hazardous-chemical"
	LicenceHazmatTransport = "hazmat-transport"
	LicenceGasFilling      = "special-equipment"
	LicencePesticideSale   = "pesticide"
)

// Party is a fictional enterprise, or a private person shown only by role.
type Party struct {
	// ID is the party's PGLN as an EPC URN (urn:epc:id:pgln:…).
	ID             string
	NameZH, NameEN string
	// USCC is the 18-character unified social credit code (统一社会信用代码,
	// GB 32100-2015); empty for overseas and private parties.
	USCC string
	// Division is the GB/T 2260 code of the party's registered place. It is
	// empty for overseas parties, which CountryZH and CountryEN locate.
	Division             string
	CountryZH, CountryEN string
	// RoleZH and RoleEN describe the party's place in its chain.
	RoleZH, RoleEN string
	Licences       []Licence
	// Blacklisted marks a party on the credit blacklist (严重失信主体名单).
	Blacklisted bool
	// Private marks a natural person or household: public pages show its
	// role and city, never its name.
	Private bool
	// Prefix is the GS1 company prefix.
	Prefix string
	// CodePrefixes are the Chinese code URI prefixes the party issues,
	// such as urn:cn:nmpa:drug:8612345 for a drug product code.
	CodePrefixes []string
	// Sites are the party's locations as SGLN EPC URNs.
	Sites []string
}

// DivisionInfo returns the party's administrative division; ok is false
// for an overseas party.
func (p *Party) DivisionInfo() (Division, bool) {
	d, ok := divisions[p.Division]
	return d, ok
}

// HasLicence reports whether the party holds a licence of the given kind.
func (p *Party) HasLicence(kind string) bool {
	for _, l := range p.Licences {
		if l.Kind == kind {
			return true
		}
	}
	return false
}

// Product is the master data of one trade item or product class.
type Product struct {
	// Class is the canonical product-level identifier (package ident),
	// such as https://id.gs1.org/01/06901234000016 or
	// urn:cn:nmpa:drugclass:8612345; for gas cylinders it is the canonical
	// GIAI prefix that every cylinder of the model shares.
	Class                  string
	NameZH, NameEN         string
	CategoryZH, CategoryEN string
	// Producer is the ID of the party that makes the product.
	Producer           string
	OriginZH, OriginEN string
	Certifications     []string
	// ColdChainMaxCelsius is the highest temperature allowed in transport
	// and storage; 0 means the product needs no cold chain.
	ColdChainMaxCelsius float64
	// RequiredLicence is the licence kind every consignee must hold, such
	// as LicenceHazchemBusiness for a hazardous chemical; empty for none.
	RequiredLicence string
}

// partyDef is the compact table form of a Party.
type partyDef struct {
	key            string
	nameZH, nameEN string
	division       string
	prefix         string
	roleZH, roleEN string
	sites          int
	licences       []string
	blacklisted    bool
	private        bool
}

// licenceTitles names each licence kind.
var licenceTitles = map[string][2]string{
	LicenceFoodBusiness:    {"食品经营许可证", "food business licence"},
	LicenceDrugBusiness:    {"药品经营许可证", "drug business licence"},
	LicenceHazchemBusiness: {"危险化学品经营许可证", "hazardous chemicals business licence"},
	LicenceHazmatTransport: {"道路危险货物运输许可证", "road transport licence for dangerous goods"},
	LicenceGasFilling:      {"气瓶充装许可证", "gas cylinder filling licence"},
	LicencePesticideSale:   {"农药经营许可证", "pesticide business licence"},
}

// partyDefs are the fictional enterprises of the demo. Company prefixes are
// in the 690-699 range that GS1 China allocates; the overseas dairy has a
// prefix of GS1 Netherlands (87).
var partyDefs = []partyDef{
	// Pork.
	{"pigfarm", "清远鸿丰生猪养殖场", "Qingyuan Hongfeng Pig Farm", "441802", "6931001", "养殖场", "pig farm", 1, nil, false, false},
	{"slaughter", "佛山顺德粤肉屠宰有限公司", "Shunde Yuerou Slaughterhouse Co., Ltd.", "440606", "6931002", "定点屠宰厂", "licensed slaughterhouse", 2, []string{LicenceFoodBusiness}, false, false},
	{"wholesale", "广州江南农副产品批发市场", "Guangzhou Jiangnan Produce Wholesale Market", "440111", "6931003", "批发市场", "wholesale market", 1, []string{LicenceFoodBusiness}, false, false},
	{"supermarket", "广州惠民超市天河店", "Guangzhou Huimin Supermarket, Tianhe", "440106", "6931004", "超市", "supermarket", 1, []string{LicenceFoodBusiness}, false, false},
	{"wetmarket", "广州越秀东山农贸市场", "Dongshan Wet Market, Yuexiu", "440104", "6931005", "农贸市场", "wet market", 1, []string{LicenceFoodBusiness}, false, false},
	{"supermarket2", "深圳鹏城生鲜超市南山店", "Pengcheng Fresh Supermarket, Nanshan", "440305", "6931006", "超市", "supermarket", 1, []string{LicenceFoodBusiness}, false, false},
	// Vegetables.
	{"grower", "肇庆端州绿源蔬菜专业合作社", "Duanzhou Lvyuan Vegetable Cooperative", "441202", "6932001", "种植基地", "grower", 1, nil, false, false},
	{"grower2", "江门蓬江鲜田蔬菜基地", "Pengjiang Xiantian Vegetable Farm", "440703", "6932002", "种植基地", "grower", 1, nil, true, false},
	// Infant formula.
	{"dairy", "荷兰北海乳业", "Noordzee Zuivel B.V.", "", "8712345", "境外生产企业", "overseas producer", 1, nil, false, false},
	{"port", "南沙港进口食品查验场", "Nansha Port Imported Food Inspection Yard", "440115", "6933001", "口岸查验", "port inspection", 1, nil, false, false},
	{"cbec", "南沙跨境电商保税仓", "Nansha Cross-border E-commerce Bonded Warehouse", "440115", "6933002", "跨境电商仓", "cross-border e-commerce warehouse", 1, []string{LicenceFoodBusiness}, false, false},
	{"consumer", "消费者", "consumer", "440300", "", "消费者", "consumer", 0, nil, false, true},
	// Drugs.
	{"pharma", "广州南粤制药有限公司", "Guangzhou Nanyue Pharmaceutical Co., Ltd.", "440113", "6934001", "药品生产企业", "drug manufacturer", 2, nil, false, false},
	{"distributor", "广东康达医药物流有限公司", "Guangdong Kangda Pharmaceutical Logistics Co., Ltd.", "441900", "6934002", "药品批发企业", "drug distributor", 1, []string{LicenceDrugBusiness}, false, false},
	{"hospital", "东莞仁和医院", "Dongguan Renhe Hospital", "441900", "6934003", "医疗机构", "hospital", 1, nil, false, false},
	{"pharmacy", "广州百姓大药房越秀店", "Baixing Pharmacy, Yuexiu", "440104", "6934004", "零售药店", "pharmacy", 1, []string{LicenceDrugBusiness}, false, false},
	{"pharmacy2", "湛江海滨大药房", "Haibin Pharmacy, Zhanjiang", "440802", "6934005", "零售药店", "pharmacy", 1, []string{LicenceDrugBusiness}, false, false},
	// Pesticide.
	{"agrochem", "江门丰收农化有限公司", "Jiangmen Fengshou Agrochemical Co., Ltd.", "440703", "6935001", "农药生产企业", "pesticide manufacturer", 1, nil, false, false},
	{"inputdealer", "汕头龙湖农资经营部", "Longhu Farm Inputs Store, Shantou", "440507", "6935002", "农资经营店", "farm-input dealer", 1, []string{LicencePesticideSale}, false, false},
	{"farmer", "种植户", "farmer", "445102", "", "种植户", "farmer", 0, nil, false, true},
	// Gas cylinders.
	{"cylinderworks", "佛山禅城安瓶气瓶制造有限公司", "Chancheng Anping Gas Cylinder Works", "440604", "6936001", "气瓶制造企业", "cylinder manufacturer", 1, nil, false, false},
	{"filling", "惠州惠城安然燃气充装站", "Huicheng Anran LPG Filling Station", "441302", "6936002", "充装站", "filling station", 1, []string{LicenceGasFilling}, false, false},
	{"filling2", "深圳宝安顺通燃气充装站", "Bao'an Shuntong LPG Filling Station", "440306", "6936003", "充装站", "filling station", 1, []string{LicenceGasFilling}, false, false},
	{"gasuser", "燃气用户", "gas user", "441302", "", "用户", "user", 0, nil, false, true},
	// Hazardous chemical.
	{"chemplant", "惠州大亚湾华港化工有限公司", "Huizhou Huagang Chemical Co., Ltd.", "441303", "6937001", "危险化学品生产企业", "hazardous chemical producer", 1, []string{LicenceHazchemBusiness}, false, false},
	{"hazhaul", "东莞安运危险货物运输有限公司", "Dongguan Anyun Dangerous Goods Transport Co., Ltd.", "441900", "6937002", "危险货物运输企业", "licensed transporter", 1, []string{LicenceHazmatTransport}, false, false},
	{"chemuser", "深圳龙岗精涂涂料有限公司", "Longgang Jingtu Coatings Co., Ltd.", "440307", "6937003", "使用单位", "licensed user", 1, []string{LicenceHazchemBusiness}, false, false},
	{"chemuser2", "潮州湘桥宏达五金厂", "Xiangqiao Hongda Hardware Factory", "445102", "6937004", "使用单位", "user", 1, nil, false, false},
	// Rare earth.
	{"mine", "梅州平远稀土矿业有限公司", "Pingyuan Rare Earth Mining Co., Ltd.", "441426", "6938001", "稀土矿山", "rare earth mine", 1, nil, false, false},
	{"separation", "清远粤稀分离有限公司", "Qingyuan Yuexi Rare Earth Separation Co., Ltd.", "441802", "6938002", "分离冶炼厂", "separation plant", 1, nil, false, false},
	{"exporter", "深圳南山稀土进出口有限公司", "Nanshan Rare Earth Import & Export Co., Ltd.", "440305", "6938003", "出口企业", "exporter", 1, nil, false, false},
	// Domestic infant formula.
	{"dairyfarm", "湛江赤坎牧原奶牛场", "Chikan Muyuan Dairy Farm, Zhanjiang", "440802", "6939001", "奶牛场", "dairy farm", 1, nil, false, false},
	{"dairyfarm2", "清远清城绿洲奶牛场", "Qingcheng Lvzhou Dairy Farm, Qingyuan", "441802", "6939002", "奶牛场", "dairy farm", 1, nil, false, false},
	{"ingredients", "广州南沙粤营营养配料有限公司", "Nansha Yueying Nutrition Ingredients Co., Ltd.", "440115", "6939003", "乳品配料供应商", "dairy ingredient supplier", 1, nil, false, false},
	{"formulaplant", "广州番禺育康乳业有限公司", "Panyu Yukang Dairy Co., Ltd.", "440113", "6939004", "婴幼儿配方乳粉生产企业", "infant formula manufacturer", 2, nil, false, false},
	{"fooddist", "东莞粤食食品配送有限公司", "Dongguan Yueshi Food Distribution Co., Ltd.", "441900", "6939005", "食品批发企业", "food distributor", 1, []string{LicenceFoodBusiness}, false, false},
}

// sgln returns the SGLN EPC URN of site number n (1-based) of a company
// prefix: a 12-digit GLN made of the 7-digit prefix and a 5-digit location
// reference, with extension 0.
func sgln(prefix string, n int) string {
	return fmt.Sprintf("urn:epc:id:sgln:%s.%05d.0", prefix, n)
}

// pgln returns the PGLN EPC URN of the party with the given prefix.
func pgln(prefix string) string {
	return fmt.Sprintf("urn:epc:id:pgln:%s.00000", prefix)
}

// uscc builds a valid unified social credit code (GB 32100-2015) for an
// enterprise (registration authority 9, category 1) in a division, with a
// 9-character organisation code derived from seq.
func uscc(division string, seq int) (string, error) {
	org8 := fmt.Sprintf("MA%06d", seq)
	c, err := cncode.OrgCodeCheckChar(org8)
	if err != nil {
		return "", fmt.Errorf("organisation code %s: %w", org8, err)
	}
	first17 := "91" + division + org8 + string(c)
	check, err := cncode.USCCCheckChar(first17)
	if err != nil {
		return "", fmt.Errorf("unified social credit code %s: %w", first17, err)
	}
	return first17 + string(check), nil
}

// buildParties turns partyDefs into Parties keyed by their short key.
func buildParties() (map[string]*Party, error) {
	out := make(map[string]*Party, len(partyDefs))
	for i, d := range partyDefs {
		p := &Party{
			NameZH: d.nameZH, NameEN: d.nameEN, Division: d.division,
			RoleZH: d.roleZH, RoleEN: d.roleEN, Blacklisted: d.blacklisted,
			Private: d.private, Prefix: d.prefix,
		}
		if d.prefix != "" {
			p.ID = pgln(d.prefix)
		} else {
			p.ID = "urn:suyuan:demo:party:" + d.key
		}
		if strings.HasPrefix(d.prefix, "87") {
			p.CountryZH, p.CountryEN = "荷兰", "Netherlands"
		} else {
			p.CountryZH, p.CountryEN = "中国", "China"
		}
		if d.division != "" && !d.private {
			code, err := uscc(d.division, 310000+i*7919%100000)
			if err != nil {
				return nil, err
			}
			p.USCC = code
		}
		for n := 1; n <= d.sites; n++ {
			p.Sites = append(p.Sites, sgln(d.prefix, n))
		}
		for j, kind := range d.licences {
			t := licenceTitles[kind]
			p.Licences = append(p.Licences, Licence{
				Kind: kind, TitleZH: t[0], TitleEN: t[1],
				Number:     fmt.Sprintf("粤%s%04d%02d", d.division[:4], 1000+i*37%9000, j+1),
				ValidUntil: "2029-06-30",
			})
		}
		out[d.key] = p
	}
	out["pharma"].CodePrefixes = []string{"urn:cn:nmpa:drug:" + drugProductCode, "urn:cn:nmpa:drug:" + drugCaseProductCode}
	out["agrochem"].CodePrefixes = []string{"urn:cn:moa:pesticide:" + pesticideClassCode}
	return out, nil
}

// gtin13 returns the GTIN-13 made of a 7-digit company prefix and a
// 5-digit item reference, with its check digit.
func gtin13(prefix string, item int) string {
	body := fmt.Sprintf("%s%05d", prefix, item)
	c, err := ident.CheckDigit(body)
	if err != nil {
		panic("demo: check digit of constant GTIN body " + body + ": " + err.Error())
	}
	return body + string(c)
}

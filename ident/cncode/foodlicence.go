package cncode

import (
	"fmt"
	"strings"
)

// Food production licence number 食品生产许可证编号, 《食品生产许可管理办法》
// (SAMR Order No. 24, 2020) article 29: "SC" followed by 14 digits.
//
//	digits 1-3    food category code 食品类别编码: digit 1 is 1 for food, 2 for
//	              food additives; digits 2-3 the category number
//	digits 4-5    province 省（自治区、直辖市）代码 (GB/T 2260)
//	digits 6-7    prefecture 市（地）代码
//	digits 8-9    county 县（区）代码
//	digits 10-13  sequence number 顺序码
//	digit 14      check digit 校验码
//
// NOTE: no public source gives the check digit algorithm, so
// ParseFoodLicence checks the structure, the category and the province
// (and, in Guangdong, the prefecture), not the check digit. Positions in
// errors count from the S of "SC".

// foodCategories are the food category numbers in the order of the food
// categories of 《食品生产许可管理办法》 (the list continued from the 2015
// version, CFDA Order No. 16, article 11).
var foodCategories = map[string]codeText{
	"01": {"粮食加工品", "grain products"},
	"02": {"食用油、油脂及其制品", "edible oils, fats and their products"},
	"03": {"调味品", "condiments"},
	"04": {"肉制品", "meat products"},
	"05": {"乳制品", "dairy products"},
	"06": {"饮料", "beverages"},
	"07": {"方便食品", "convenience foods"},
	"08": {"饼干", "biscuits"},
	"09": {"罐头", "canned foods"},
	"10": {"冷冻饮品", "frozen drinks"},
	"11": {"速冻食品", "quick-frozen foods"},
	"12": {"薯类和膨化食品", "potato and puffed foods"},
	"13": {"糖果制品", "confectionery"},
	"14": {"茶叶及相关制品", "tea and related products"},
	"15": {"酒类", "alcoholic beverages"},
	"16": {"蔬菜制品", "vegetable products"},
	"17": {"水果制品", "fruit products"},
	"18": {"炒货食品及坚果制品", "roasted seeds and nut products"},
	"19": {"蛋制品", "egg products"},
	"20": {"可可及焙烤咖啡产品", "cocoa and roasted coffee products"},
	"21": {"食糖", "sugar"},
	"22": {"水产制品", "aquatic products"},
	"23": {"淀粉及淀粉制品", "starch and starch products"},
	"24": {"糕点", "pastries"},
	"25": {"豆制品", "soybean products"},
	"26": {"蜂产品", "bee products"},
	"27": {"保健食品", "health foods"},
	"28": {"特殊医学用途配方食品", "foods for special medical purposes"},
	"29": {"婴幼儿配方食品", "infant formula foods"},
	"30": {"特殊膳食食品", "foods for special dietary uses"},
	"31": {"其他食品", "other foods"},
}

// foodAdditiveCategories are the category numbers for food additives.
var foodAdditiveCategories = map[string]codeText{
	"01": {"一般食品添加剂", "general food additives"},
	"02": {"食品用香精", "food flavourings"},
	"03": {"复配食品添加剂", "compound food additives"},
}

// ParseFoodLicence parses a food production licence number such as
// "SC10644030500017", given plain or as "urn:cn:samr:sc:…". A lower-case
// "sc" is accepted and normalised. Its URI is urn:cn:samr:sc:{SC + 14
// digits}; it has no class URI because the licence names a producer, not a
// product.
func ParseFoodLicence(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, PrefixFoodLicence) {
		s = s[len(PrefixFoodLicence):]
	}
	if len(s) < 2 || !hasPrefixFold(s, "sc") {
		return nil, invalid(SchemeFoodLicence, s, 1, `must start with "SC"`, "应以“SC”开头")
	}
	digits := s[2:]
	if i := firstNonDigit(digits); i >= 0 {
		c := runeAt(digits, i)
		return nil, invalid(SchemeFoodLicence, s, position(s, i+2), fmt.Sprintf("%q is not a digit (SC is followed by 14 digits)", c),
			fmt.Sprintf("“%s”不是数字（SC 后应为 14 位数字）", c))
	}
	if len(digits) != 14 {
		return nil, invalid(SchemeFoodLicence, s, 0, fmt.Sprintf("has %d digits after SC, must have 14", len(digits)),
			fmt.Sprintf("SC 后共 %d 位数字，应为 14 位", len(digits)))
	}
	v := "SC" + digits

	var kind codeText
	var category codeText
	var ok bool
	switch digits[0] {
	case '1':
		kind = codeText{"食品", "food"}
		category, ok = foodCategories[digits[1:3]]
	case '2':
		kind = codeText{"食品添加剂", "food additive"}
		category, ok = foodAdditiveCategories[digits[1:3]]
	default:
		return nil, invalid(SchemeFoodLicence, s, 3, fmt.Sprintf("licence type %c must be 1 (food) or 2 (food additive)", digits[0]),
			fmt.Sprintf("许可识别码 %c 应为 1（食品）或 2（食品添加剂）", digits[0]))
	}
	if !ok {
		return nil, invalid(SchemeFoodLicence, s, 4, fmt.Sprintf("category %s is not a %s category", digits[1:3], kind.en),
			fmt.Sprintf("类别编号 %s 不是%s类别", digits[1:3], kind.zh))
	}
	division := digits[3:9]
	if off, reason, reasonZH, ok := divisionProblem(division, false); !ok {
		return nil, invalid(SchemeFoodLicence, s, 6+off, reason, reasonZH)
	}
	province := provinces[division[:2]]
	var prefecture placeName
	if division[:2] == ProvinceGuangdong {
		prefecture = guangdongPrefectures[division[2:4]]
	}
	return &Code{
		Scheme: SchemeFoodLicence,
		Value:  v,
		Fields: []Field{
			{Name: "category", TitleZH: "食品类别编码", TitleEN: "food category code", Value: digits[0:3],
				TextZH: kind.zh + "：" + category.zh, TextEN: kind.en + ": " + category.en},
			{Name: "province", TitleZH: "省（自治区、直辖市）代码", TitleEN: "province code", Value: division[0:2], TextZH: province.zh, TextEN: province.en},
			{Name: "prefecture", TitleZH: "市（地）代码", TitleEN: "prefecture code", Value: division[2:4], TextZH: prefecture.zh, TextEN: prefecture.en},
			{Name: "county", TitleZH: "县（区）代码", TitleEN: "county code", Value: division[4:6]},
			{Name: "sequence", TitleZH: "顺序码", TitleEN: "sequence number", Value: digits[9:13]},
			{Name: "check", TitleZH: "校验码", TitleEN: "check digit", Value: digits[13:14]},
		},
		uri: PrefixFoodLicence + v,
	}, nil
}

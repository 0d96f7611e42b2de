package cncode

// Administrative division codes of GB/T 2260 《中华人民共和国行政区划代码》.
// The package checks the province level of every division code, and the
// prefecture level inside Guangdong, the province this platform serves
// first. County codes change too often to check without a dated table.

type placeName struct{ zh, en string }

// provinces lists the two-digit province-level codes of GB/T 2260.
var provinces = map[string]placeName{
	"11": {"北京市", "Beijing"},
	"12": {"天津市", "Tianjin"},
	"13": {"河北省", "Hebei"},
	"14": {"山西省", "Shanxi"},
	"15": {"内蒙古自治区", "Inner Mongolia"},
	"21": {"辽宁省", "Liaoning"},
	"22": {"吉林省", "Jilin"},
	"23": {"黑龙江省", "Heilongjiang"},
	"31": {"上海市", "Shanghai"},
	"32": {"江苏省", "Jiangsu"},
	"33": {"浙江省", "Zhejiang"},
	"34": {"安徽省", "Anhui"},
	"35": {"福建省", "Fujian"},
	"36": {"江西省", "Jiangxi"},
	"37": {"山东省", "Shandong"},
	"41": {"河南省", "Henan"},
	"42": {"湖北省", "Hubei"},
	"43": {"湖南省", "Hunan"},
	"44": {"广东省", "Guangdong"},
	"45": {"广西壮族自治区", "Guangxi"},
	"46": {"海南省", "Hainan"},
	"50": {"重庆市", "Chongqing"},
	"51": {"四川省", "Sichuan"},
	"52": {"贵州省", "Guizhou"},
	"53": {"云南省", "Yunnan"},
	"54": {"西藏自治区", "Tibet"},
	"61": {"陕西省", "Shaanxi"},
	"62": {"甘肃省", "Gansu"},
	"63": {"青海省", "Qinghai"},
	"64": {"宁夏回族自治区", "Ningxia"},
	"65": {"新疆维吾尔自治区", "Xinjiang"},
	"71": {"台湾省", "Taiwan"},
	"81": {"香港特别行政区", "Hong Kong"},
	"82": {"澳门特别行政区", "Macao"},
}

// ProvinceGuangdong is the GB/T 2260 code of Guangdong province.
const ProvinceGuangdong = "44"

// guangdongPrefectures lists the prefecture-level codes (digits 3-4 of a
// division code) of Guangdong in GB/T 2260; "00" is the province itself.
var guangdongPrefectures = map[string]placeName{
	"00": {"省级", "province level"},
	"01": {"广州市", "Guangzhou"},
	"02": {"韶关市", "Shaoguan"},
	"03": {"深圳市", "Shenzhen"},
	"04": {"珠海市", "Zhuhai"},
	"05": {"汕头市", "Shantou"},
	"06": {"佛山市", "Foshan"},
	"07": {"江门市", "Jiangmen"},
	"08": {"湛江市", "Zhanjiang"},
	"09": {"茂名市", "Maoming"},
	"12": {"肇庆市", "Zhaoqing"},
	"13": {"惠州市", "Huizhou"},
	"14": {"梅州市", "Meizhou"},
	"15": {"汕尾市", "Shanwei"},
	"16": {"河源市", "Heyuan"},
	"17": {"阳江市", "Yangjiang"},
	"18": {"清远市", "Qingyuan"},
	"19": {"东莞市", "Dongguan"},
	"20": {"中山市", "Zhongshan"},
	"51": {"潮州市", "Chaozhou"},
	"52": {"揭阳市", "Jieyang"},
	"53": {"云浮市", "Yunfu"},
}

// divisionProblem checks the province and, in Guangdong, the prefecture of
// a division code d of at least four digits. It returns the 0-based offset
// within d of the wrong digit pair and the English and Chinese reasons, or
// ok. nationalAllowed admits "100000", the code GB 32100 uses for
// registration by a national authority.
func divisionProblem(d string, nationalAllowed bool) (offset int, reason, reasonZH string, ok bool) {
	if nationalAllowed && d == "100000" {
		return 0, "", "", true
	}
	if _, known := provinces[d[:2]]; !known {
		return 0, "province code " + d[:2] + " is not in GB/T 2260",
			"省级行政区划代码 " + d[:2] + " 不在 GB/T 2260 中", false
	}
	if d[:2] == ProvinceGuangdong {
		if _, known := guangdongPrefectures[d[2:4]]; !known {
			return 2, "Guangdong prefecture code " + d[2:4] + " is not in GB/T 2260",
				"广东省地市代码 " + d[2:4] + " 不在 GB/T 2260 中", false
		}
	}
	return 0, "", "", true
}

// divisionText returns the Chinese and English description of a division
// code such as "440300", naming the province and, in Guangdong, the
// prefecture.
func divisionText(d string) (zh, en string) {
	if d == "100000" {
		return "全国（国家级登记管理机关）", "national (registered by a national authority)"
	}
	p, ok := provinces[d[:2]]
	if !ok {
		return "", ""
	}
	zh, en = p.zh, p.en
	if d[:2] == ProvinceGuangdong && d[2:4] != "00" {
		if c, ok := guangdongPrefectures[d[2:4]]; ok {
			zh += c.zh
			en = c.en + ", " + en
		}
	}
	return zh, en
}

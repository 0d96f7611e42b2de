package cncode

import (
	"fmt"
	"strings"
)

// Pesticide label QR code 农药标签二维码, Ministry of Agriculture announcement
// No. 2579 (2017) 《农药标签二维码格式及生成要求》. The QR code holds a
// traceability URL and a 32-digit unit identification code 单元识别代码:
//
//	position 1       registration type 农药登记类别代码: 1 = PD, 2 = WP, 3 = temporary registration (LS)
//	positions 2-7    last six digits of the registration number 农药登记证号后六位
//	position 8       production type 生产类型: 1 = made by the registration holder,
//	                 2 = entrusted processing 委托加工, 3 = entrusted repackaging 委托分装
//	positions 9-11   product specification code 产品规格码, assigned by the enterprise
//	positions 12-32  random code 随机码
//
// Positions 1-11 name one product of one producer in one package size, so
// they are the class (product-level) code.
//
// NOTE: the announcement text was read in secondary publications only.
// They agree on this layout except one corrupted copy that ends the random
// code at position 30; the total of 32 digits settles it for 12-32.

var pesticideRegistrationTypes = map[byte]codeText{
	'1': {"PD（正式登记）", "PD (full registration)"},
	'2': {"WP（卫生用农药登记）", "WP (public health pesticide registration)"},
	'3': {"临时登记（LS）", "temporary registration (LS)"},
}

var pesticideProductionTypes = map[byte]codeText{
	'1': {"农药登记证持有人生产", "made by the registration holder"},
	'2': {"委托加工", "entrusted processing"},
	'3': {"委托分装", "entrusted repackaging"},
}

// ParsePesticide parses a 32-digit pesticide unit identification code,
// given plain or as "urn:cn:moa:pesticide:…". It checks the digits, the
// registration type (position 1) and the production type (position 8). Its
// URI is urn:cn:moa:pesticide:{32 digits} and its class URI
// urn:cn:moa:pesticideclass:{positions 1-11}.
func ParsePesticide(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, PrefixPesticide) {
		s = s[len(PrefixPesticide):]
	}
	if err := checkDigits(SchemePesticide, s, 32); err != nil {
		return nil, err
	}
	fields, err := pesticideProductFields(SchemePesticide, s)
	if err != nil {
		return nil, err
	}
	fields = append(fields, Field{Name: "random", TitleZH: "随机码", TitleEN: "random code", Value: s[11:32]})
	return &Code{
		Scheme:   SchemePesticide,
		Value:    s,
		Fields:   fields,
		uri:      PrefixPesticide + s,
		classURI: PrefixPesticideClass + s[0:11],
	}, nil
}

// parsePesticideClass parses the 11-digit product part of a pesticide
// class URI.
func parsePesticideClass(s string) (*Code, error) {
	if err := checkDigits(SchemePesticideClass, s, 11); err != nil {
		return nil, err
	}
	fields, err := pesticideProductFields(SchemePesticideClass, s)
	if err != nil {
		return nil, err
	}
	return &Code{
		Scheme:   SchemePesticideClass,
		Value:    s,
		Fields:   fields,
		uri:      PrefixPesticideClass + s,
		classURI: PrefixPesticideClass + s,
	}, nil
}

// pesticideProductFields checks and splits positions 1-11 of s, which has
// at least 11 digits.
func pesticideProductFields(scheme Scheme, s string) ([]Field, error) {
	regType, ok := pesticideRegistrationTypes[s[0]]
	if !ok {
		return nil, invalid(scheme, s, 1, fmt.Sprintf("registration type %c must be 1 (PD), 2 (WP) or 3 (temporary)", s[0]),
			fmt.Sprintf("农药登记类别代码 %c 应为 1（PD）、2（WP）或 3（临时登记）", s[0]))
	}
	prodType, ok := pesticideProductionTypes[s[7]]
	if !ok {
		return nil, invalid(scheme, s, 8, fmt.Sprintf("production type %c must be 1 (registration holder), 2 (entrusted processing) or 3 (entrusted repackaging)", s[7]),
			fmt.Sprintf("生产类型 %c 应为 1（登记证持有人生产）、2（委托加工）或 3（委托分装）", s[7]))
	}
	return []Field{
		{Name: "registrationType", TitleZH: "农药登记类别代码", TitleEN: "registration type", Value: s[0:1], TextZH: regType.zh, TextEN: regType.en},
		{Name: "registrationNumber", TitleZH: "登记证号后六位", TitleEN: "last six digits of the registration number", Value: s[1:7]},
		{Name: "productionType", TitleZH: "生产类型", TitleEN: "production type", Value: s[7:8], TextZH: prodType.zh, TextEN: prodType.en},
		{Name: "specification", TitleZH: "产品规格码", TitleEN: "product specification code", Value: s[8:11]},
	}, nil
}

package cncode

import (
	"strings"
)

// Drug traceability code 药品追溯码, NMPAB/T 1002-2019 《药品追溯码编码要求》.
// The standard requires a traceability code to carry a drug product code
// (药品标识码), a production identifier such as a serial number (生产标识码)
// and a check part (校验位). The 20-digit codes issued through the 码上放心
// platform, the form on most drug packs in China, lay them out as:
//
//	positions 1-7    drug product code 药品标识码, always starting with 8
//	positions 8-16   serial number 单品序列号
//	positions 17-20  check part 校验位
//
// NOTE: the four-digit check part is computed by the code issuer with an
// algorithm that no public source describes, so ParseDrug checks only the
// length, the digits and the leading 8. A mistyped code can therefore pass.
// Codes of other issuers under NMPAB/T 1002-2019 (for example GS1 element
// strings) are not drug traceability codes for this package; package ident
// parses GS1 codes.

// ParseDrug parses a 20-digit drug traceability code, given plain or as
// "urn:cn:nmpa:drug:…". Its URI is urn:cn:nmpa:drug:{20 digits} and its
// class URI urn:cn:nmpa:drugclass:{7-digit product code}.
func ParseDrug(s string) (*Code, error) {
	s = strings.TrimSpace(s)
	if hasPrefixFold(s, PrefixDrug) {
		s = s[len(PrefixDrug):]
	}
	if err := checkDigits(SchemeDrug, s, 20); err != nil {
		return nil, err
	}
	if s[0] != '8' {
		return nil, invalid(SchemeDrug, s, 1, "must be 8 (20-digit drug traceability codes start with 8)",
			"应为 8（20 位药品追溯码以 8 开头）")
	}
	return &Code{
		Scheme: SchemeDrug,
		Value:  s,
		Fields: []Field{
			{Name: "productCode", TitleZH: "药品标识码", TitleEN: "drug product code", Value: s[0:7]},
			{Name: "serial", TitleZH: "单品序列号", TitleEN: "serial number", Value: s[7:16]},
			{Name: "check", TitleZH: "校验位", TitleEN: "check part", Value: s[16:20]},
		},
		uri:      PrefixDrug + s,
		classURI: PrefixDrugClass + s[0:7],
	}, nil
}

// parseDrugClass parses the 7-digit drug product code of a class URI.
func parseDrugClass(s string) (*Code, error) {
	if err := checkDigits(SchemeDrugClass, s, 7); err != nil {
		return nil, err
	}
	if s[0] != '8' {
		return nil, invalid(SchemeDrugClass, s, 1, "must be 8 (drug product codes start with 8)",
			"应为 8（药品标识码以 8 开头）")
	}
	return &Code{
		Scheme: SchemeDrugClass,
		Value:  s,
		Fields: []Field{
			{Name: "productCode", TitleZH: "药品标识码", TitleEN: "drug product code", Value: s},
		},
		uri:      PrefixDrugClass + s,
		classURI: PrefixDrugClass + s,
	}, nil
}

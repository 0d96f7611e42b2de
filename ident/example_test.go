package ident_test

import (
	"fmt"
	"strings"

	"github.com/suyuan-trace/suyuan/ident"
)

func ExampleURNToDigitalLink() {
	dl, err := ident.URNToDigitalLink("urn:epc:id:sgtin:0614141.812345.A%2FB")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dl)
	// Output: https://id.gs1.org/01/80614141123458/21/A%2FB
}

func ExampleCanonical() {
	for _, id := range []string{
		"urn:epc:id:sgln:0614141.12345.0",
		"https://brand.example.cn/p/01/9506000134352/10/L1/21/S1?17=261231",
		"91350100M000100Y43",
	} {
		canon, err := ident.Canonical(id)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(canon)
	}
	// Output:
	// https://id.gs1.org/414/0614141123452
	// https://id.gs1.org/01/09506000134352/21/S1
	// urn:cn:uscc:91350100M000100Y43
}

func ExampleParseElementString() {
	_, err := ident.ParseElementString("(01)09506000134352(17)241340")
	fmt.Println(err)
	// Output: AI (17) value "241340": invalid date, month 13 (at position 25)
}

func ExampleDigitalLinkToURN() {
	prefixes := &ident.PrefixLengths{}
	if err := prefixes.Load(strings.NewReader("0614141\n")); err != nil {
		fmt.Println(err)
		return
	}
	urn, err := ident.DigitalLinkToURN("https://example.com/01/80614141123458/21/6789", prefixes)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(urn)
	// Output: urn:epc:id:sgtin:0614141.812345.6789
}

func ExampleParse() {
	scan, err := ident.Parse("]d2010950600013435210L1\x1d21S1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(scan.Canonical)
	fmt.Println(scan.Class)
	for _, f := range scan.Fields {
		fmt.Printf("(%s) %s: %s\n", f.AI, f.TitleZH, f.Formatted)
	}
	// Output:
	// https://id.gs1.org/01/09506000134352/21/S1
	// https://id.gs1.org/01/09506000134352/10/L1
	// (01) 全球贸易项目代码（GTIN，商品条码）: 09506000134352
	// (10) 批号: L1
	// (21) 序列号: S1
}

package ident_test

import (
	"fmt"

	"github.com/suyuan-trace/suyuan/ident"
)

func ExampleCompressDigitalLink() {
	dl, err := ident.ParseDigitalLink("https://example.com/01/06901234000016/10/L1?17=271231&linkType=gs1:pip")
	if err != nil {
		panic(err)
	}
	plain, _ := ident.CompressDigitalLink(dl, ident.CompressOptions{})
	optimised, _ := ident.CompressDigitalLink(dl, ident.CompressOptions{Optimise: true})
	keyKept, _ := ident.CompressDigitalLink(dl, ident.CompressOptions{UncompressedKey: true})
	fmt.Println(plain)
	fmt.Println(optimised)
	fmt.Println(keyKept)
	// Output:
	// https://example.com/AQyNozPBICDEXqLoRv4?linkType=gs1:pip
	// https://example.com/CwyNozPBIMReouhG_g?linkType=gs1:pip
	// https://example.com/01/06901234000016/EGIvUXQjfw?linkType=gs1:pip
}

func ExampleDecompressDigitalLink() {
	full, err := ident.DecompressDigitalLink("https://id.gs1.org/ARHKVAdpQg?linkType=gs1:pip")
	if err != nil {
		panic(err)
	}
	fmt.Println(full)
	canonical, _ := ident.Canonical("https://id.gs1.org/ARHKVAdpQg")
	fmt.Println(canonical)
	// Output:
	// https://id.gs1.org/01/09780345418913?linkType=gs1:pip
	// https://id.gs1.org/01/09780345418913
}

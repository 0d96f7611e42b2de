package cncode_test

import (
	"errors"
	"fmt"

	"github.com/suyuan-trace/suyuan/ident/cncode"
)

func ExampleParse() {
	c, err := cncode.Parse("81234560000000011234")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Scheme, c.URI(), c.ClassURI())
	for _, f := range c.Fields {
		fmt.Printf("%s (%s): %s\n", f.TitleZH, f.TitleEN, f.Value)
	}
	// Output:
	// nmpa-drug urn:cn:nmpa:drug:81234560000000011234 urn:cn:nmpa:drugclass:8123456
	// 药品标识码 (drug product code): 8123456
	// 单品序列号 (serial number): 000000001
	// 校验位 (check part): 1234
}

func ExampleParse_error() {
	_, err := cncode.Parse("91350100M000100Y44")
	var e *cncode.Error
	if errors.As(err, &e) {
		fmt.Println(e.Error())
		fmt.Println(e.MessageZH())
	}
	// Output:
	// invalid unified social credit code "91350100M000100Y44": position 18: check character must be 3
	// 统一社会信用代码 "91350100M000100Y44" 无效：第 18 位校验码应为 3
}

func ExampleUSCCCheckChar() {
	c, err := cncode.USCCCheckChar("91350100M000100Y4")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%c\n", c)
	// Output: 3
}

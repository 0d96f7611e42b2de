package cli

import (
	"flag"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// halfWidthInChinese matches an ASCII comma, semicolon, colon, parenthesis,
// question mark or exclamation mark next to a Chinese character, or an ASCII
// full stop right after one. Chinese text takes the full-width marks of
// GB/T 15834 instead (，；：（）？！。).
var halfWidthInChinese = regexp.MustCompile(`\p{Han} ?[,;:()?!]|[,;:()?!] ?\p{Han}|\p{Han}\.`)

// chinesePart returns the Chinese part of a bilingual "中文 / English" text.
func chinesePart(s string) string {
	zh, _, _ := strings.Cut(s, " / ")
	return zh
}

// checkChinesePunctuation fails the test when the Chinese part of text uses
// a half-width mark.
func checkChinesePunctuation(t *testing.T, where, text string) {
	t.Helper()
	zh := chinesePart(text)
	if m := halfWidthInChinese.FindString(zh); m != "" {
		t.Errorf("%s: half-width punctuation %q in the Chinese part %q; use the full-width mark", where, m, zh)
	}
}

func TestHelpChinesePunctuation(t *testing.T) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := commands[name]
		checkChinesePunctuation(t, name+" summary", c.Summary)
		fs := newFlagSet(c, &Env{})
		fs.VisitAll(func(f *flag.Flag) {
			checkChinesePunctuation(t, name+" --"+f.Name, f.Usage)
		})
	}

	actions := make([]string, 0, len(logActions))
	for name := range logActions {
		actions = append(actions, name)
	}
	sort.Strings(actions)
	for _, name := range actions {
		a := logActions[name]
		checkChinesePunctuation(t, "log "+name+" summary", a.summary)
		fs := flag.NewFlagSet("suyuan log "+name, flag.ContinueOnError)
		a.setup(fs)
		fs.VisitAll(func(f *flag.Flag) {
			checkChinesePunctuation(t, "log "+name+" --"+f.Name, f.Usage)
		})
	}
}

package web

import (
	"html/template"
	"strings"
)

// htmlEscaper escapes text for an element or a quoted attribute value
// with the same entities as html/template, so that the HTML built in Go
// reads like the template's.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;",
)

// optionsHTML returns the option elements of opts, escaped as
// html/template escapes the text of an attribute and an element. The
// select lists, the product fields and the journey are built in Go
// because executing template actions for each of their items took most
// of a page's CPU time.
func optionsHTML(opts []option) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(htmlEscaper.Replace(o.Value))
		b.WriteString(`"`)
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		b.WriteString(htmlEscaper.Replace(o.Label))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}

// finishHTML builds res.FieldList and res.Timeline in lang.
func (res *result) finishHTML(lang Lang) {
	var b strings.Builder
	for _, f := range res.Fields {
		b.WriteString("<dt>")
		b.WriteString(htmlEscaper.Replace(f.Label))
		b.WriteString("</dt><dd>")
		b.WriteString(htmlEscaper.Replace(f.Value))
		b.WriteString("</dd>")
	}
	res.FieldList = template.HTML(b.String())

	b.Reset()
	esc := htmlEscaper.Replace
	for _, s := range res.Steps {
		b.WriteString("\n      <li")
		if !s.Own {
			b.WriteString(` class="upstream"`)
		}
		b.WriteString(`><time datetime="` + esc(s.DateTime) + `">` + esc(s.Date) + `</time> <strong>` + esc(s.Title) + `</strong>`)
		if s.Party != "" {
			b.WriteString(`<br><span class="party">` + esc(s.Party) + `</span>`)
		}
		if s.Place != "" {
			b.WriteString(` <span class="place">· ` + esc(s.Place) + `</span>`)
		}
		if s.Corrected {
			b.WriteString(`<br><span class="corrected">` + esc(text(lang, "corrected")) + `</span>`)
		}
		if s.Logged {
			b.WriteString(`<br><span class="logged">✓ ` + esc(text(lang, "inLog")) + `</span>`)
		}
		b.WriteString("</li>")
	}
	res.Timeline = template.HTML(b.String())
}

// cityOptions returns the options of the city select in lang, with city
// selected.
func cityOptions(lang Lang, city string) template.HTML {
	if city == "" {
		return cityOptionsByLang[lang]
	}
	return buildCityOptions(lang, city)
}

func buildCityOptions(lang Lang, city string) template.HTML {
	opts := []option{{Value: "", Label: text(lang, "cityUnknown")}}
	for _, c := range guangdongCities {
		opts = append(opts, option{Value: c[0], Label: pick(lang, c[0], c[1]), Selected: c[0] == city})
	}
	return optionsHTML(opts)
}

// cityOptionsByLang and kindOptionsByLang hold the select options that
// are the same on every page of a language: the cities with none
// selected, and the complaint kinds.
var cityOptionsByLang, kindOptionsByLang = map[Lang]template.HTML{}, map[Lang]template.HTML{}

func init() {
	for _, lang := range []Lang{LangZH, LangEN} {
		cityOptionsByLang[lang] = buildCityOptions(lang, "")
		var kinds []option
		for _, k := range ComplaintKinds {
			kinds = append(kinds, option{Value: k.Key, Label: pick(lang, k.ZH, k.EN)})
		}
		kindOptionsByLang[lang] = optionsHTML(kinds)
	}
}

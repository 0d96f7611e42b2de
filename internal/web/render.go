package web

import (
	"bytes"
	"html/template"
	"strings"
	"sync"
)

// pageBuffers holds the buffers pages are rendered into, so that a page
// is sent in one write with its Content-Length and a failed rendering
// sends a clean error instead of half a page.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage is the largest buffer returned to pageBuffers, so that
// one huge page does not stay in memory.
const maxPooledPage = 256 << 10

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledPage {
		pageBuffers.Put(b)
	}
}

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

	b = strings.Builder{}
	b.Grow(256 * len(res.Steps))
	write := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	esc := htmlEscaper.Replace
	for _, s := range res.Steps {
		b.WriteString("\n      <li")
		if !s.Own {
			b.WriteString(` class="upstream"`)
		}
		write(`><time datetime="`, esc(s.DateTime), `">`, esc(s.Date), `</time> <strong>`, esc(s.Title), `</strong>`)
		if s.Party != "" {
			write(`<br><span class="party">`, esc(s.Party), `</span>`)
		}
		if s.Place != "" {
			write(` <span class="place">· `, esc(s.Place), `</span>`)
		}
		if s.Corrected {
			write(`<br><span class="corrected">`, esc(text(lang, "corrected")), `</span>`)
		}
		if s.Logged {
			write(`<br><span class="logged">✓ `, esc(text(lang, "inLog")), `</span>`)
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

// headCache keeps rendered page heads (head.html) by headKey. A head is a
// function of its key alone, so an entry never goes stale. Popular codes
// are looked up again and again, and executing head.html cost about half
// of the template time of a page.
type headCache struct {
	mu      sync.Mutex
	entries map[string]template.HTML
}

// maxCachedHeads bounds the head cache; a head is about 3 KiB.
const maxCachedHeads = 2048

// headKey returns every value of v that head.html reads. The messages
// (v.M) follow from v.D.Lang and CityOptions from v.D.Lang and v.City.
func headKey(v *pageView) string {
	flags := []byte{'0', '0', '0'}
	if v.D.Large {
		flags[0] = '1'
	}
	if v.D.Contrast {
		flags[1] = '1'
	}
	if v.NoticeBad {
		flags[2] = '1'
	}
	return strings.Join([]string{string(v.D.Lang), string(flags), v.Code, v.City, v.Notice, v.LangURL, v.SizeURL, v.ContrastURL}, "\x00")
}

// head returns the rendered head of v, from the cache when it is there.
func (h *Handler) head(v *pageView) (template.HTML, error) {
	key := headKey(v)
	h.heads.mu.Lock()
	out, ok := h.heads.entries[key]
	h.heads.mu.Unlock()
	if ok {
		return out, nil
	}
	var b strings.Builder
	if err := h.tmpl.ExecuteTemplate(&b, "head.html", v); err != nil {
		return "", err
	}
	out = template.HTML(b.String())
	h.heads.mu.Lock()
	defer h.heads.mu.Unlock()
	if h.heads.entries == nil {
		h.heads.entries = map[string]template.HTML{}
	}
	if len(h.heads.entries) >= maxCachedHeads {
		// Go randomises the order of map iteration, so this drops an
		// arbitrary entry.
		for k := range h.heads.entries {
			delete(h.heads.entries, k)
			break
		}
	}
	h.heads.entries[key] = out
	return out, nil
}

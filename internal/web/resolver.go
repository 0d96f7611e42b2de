package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/suyuan-trace/suyuan/ident"
)

// PrimaryKeyAIs are the GS1 primary keys the resolver serves as the first
// path segment of a Digital Link URI (GS1 Digital Link standard 1.2,
// section 4, and the GS1 Barcode Syntax Dictionary's primary keys).
var PrimaryKeyAIs = []string{"00", "01", "253", "255", "401", "402", "414", "417", "8003", "8004", "8006", "8010", "8013", "8017", "8018"}

// handleCompressed resolves a compressed Digital Link at the root, such as
// /AQyNozPBIA. Other one-segment paths, such as /favicon.ico, are not
// found.
func (h *Handler) handleCompressed(w http.ResponseWriter, r *http.Request) {
	if !isBase64URL(r.PathValue("compressed")) {
		http.NotFound(w, r)
		return
	}
	h.handleResolve(w, r)
}

// isBase64URL reports whether s is a non-empty string of URL-safe base64
// characters, the alphabet of compressed Digital Link segments.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// gs1Voc is the GS1 web vocabulary namespace of link types.
const gs1Voc = "https://gs1.org/voc/"

// Link types the resolver offers, as GS1 web vocabulary terms.
var resolverLinkTypes = []string{"defaultLink", "pip", "traceability", "recallStatus", "epcis"}

// linkTarget is one link of a linkset (RFC 9264 section 4.2).
type linkTarget struct {
	Href     string   `json:"href"`
	Title    string   `json:"title,omitempty"`
	Type     string   `json:"type,omitempty"`
	Hreflang []string `json:"hreflang,omitempty"`
}

// corsHeaders lets any web page read resolver responses, as a
// GS1-Conformant resolver must (GS1 Digital Link standard 1.2, resolver
// requirements on CORS).
func corsHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Accept, Accept-Language, Content-Type")
	h.Set("Access-Control-Expose-Headers", "Link, Location, Content-Length")
}

func (h *Handler) handleCORSPreflight(w http.ResponseWriter, r *http.Request) {
	corsHeaders(w)
	w.Header().Set("Allow", "GET, HEAD, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

// requestOrigin returns the scheme and host the request was sent to.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleResolve resolves a GS1 Digital Link URI: a 307 redirect to the
// default link or to the link of the requested linkType, or the linkset
// for linkType=all and for Accept: application/linkset+json. Compressed
// URIs are decompressed first.
func (h *Handler) handleResolve(w http.ResponseWriter, r *http.Request) {
	corsHeaders(w)
	w.Header().Set("Vary", "Accept, Accept-Language")
	origin := requestOrigin(r)
	uri := origin + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		uri += "?" + r.URL.RawQuery
	}
	dl, uncompressed, err := ident.ParseAnyDigitalLink(uri)
	if err != nil {
		h.resolverError(w, r, uri, err)
		return
	}
	canonical := dl.CanonicalURI()
	self := origin + r.URL.EscapedPath()
	w.Header().Add("Link", "<"+canonical+`>; rel="owl:sameAs"`)
	if uncompressed != "" {
		// A compressed request gets the response of its uncompressed
		// form, and the Link header names that form.
		self, _, _ = strings.Cut(uncompressed, "?")
		w.Header().Add("Link", "<"+uncompressed+`>; rel="owl:sameAs"`)
	}
	w.Header().Add("Link", "<"+self+`?linkType=linkset>; rel="linkset"; type="application/linkset+json"`)

	links := h.linksFor(origin, dl)
	linkType := ""
	for _, p := range dl.Params {
		if p.Name == "linkType" {
			linkType, _ = url.QueryUnescape(p.Value)
		}
	}
	wantsLinkset := linkType == "all" || linkType == "linkset" || acceptsLinkset(r)
	if wantsLinkset {
		h.writeLinkset(w, http.StatusOK, self, links)
		return
	}
	if linkType != "" {
		key := strings.TrimPrefix(strings.TrimPrefix(linkType, gs1Voc), "gs1:")
		targets, ok := links[gs1Voc+key]
		if !ok {
			h.writeLinkset(w, http.StatusNotFound, self, links)
			return
		}
		http.Redirect(w, r, chooseLanguage(r, targets).Href, http.StatusTemporaryRedirect)
		return
	}
	http.Redirect(w, r, chooseLanguage(r, links[gs1Voc+"defaultLink"]).Href, http.StatusTemporaryRedirect)
}

// acceptsLinkset reports whether the Accept header names the linkset media
// type (RFC 9264 section 4.2) or JSON.
func acceptsLinkset(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if mt == "application/linkset+json" {
			return true
		}
	}
	return false
}

// chooseLanguage picks the target whose hreflang best matches the
// Accept-Language header: English when English is preferred to Chinese,
// Chinese otherwise.
func chooseLanguage(r *http.Request, targets []linkTarget) linkTarget {
	want := "zh-CN"
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		if strings.HasPrefix(tag, "zh") {
			break
		}
		if strings.HasPrefix(tag, "en") {
			want = "en"
			break
		}
	}
	for _, t := range targets {
		for _, l := range t.Hreflang {
			if l == want {
				return t
			}
		}
	}
	return targets[0]
}

// linksFor returns the resolver's links for a Digital Link, keyed by the
// full GS1 web vocabulary link type URI.
func (h *Handler) linksFor(origin string, dl *ident.DigitalLink) map[string][]linkTarget {
	code := *dl
	code.Scheme, code.Host, code.PathPrefix = "https", "id.gs1.org", ""
	code.Params, code.Fragment = nil, ""
	page := func(lang, fragment string) string {
		v := url.Values{"code": {code.String()}}
		if lang == "en" {
			v.Set("lang", "en")
		}
		return origin + "/scan?" + v.Encode() + fragment
	}
	pair := func(zh, en, fragment string) []linkTarget {
		return []linkTarget{
			{Href: page("zh", fragment), Title: zh, Type: "text/html", Hreflang: []string{"zh-CN"}},
			{Href: page("en", fragment), Title: en, Type: "text/html", Hreflang: []string{"en"}},
		}
	}
	canonical := dl.CanonicalURI()
	param := "MATCH_anyEPC"
	if isClassLevel(dl) {
		param = "MATCH_anyEPCClass"
	}
	return map[string][]linkTarget{
		gs1Voc + "defaultLink":  pair("产品追溯信息", "Product trace information", ""),
		gs1Voc + "pip":          pair("产品信息", "Product information", ""),
		gs1Voc + "traceability": pair("流通环节", "Journey", "#journey"),
		gs1Voc + "recallStatus": pair("召回与警示", "Recalls and warnings", "#warnings"),
		gs1Voc + "epcis": {{
			Href:  origin + "/events?" + url.Values{param: {canonical}}.Encode(),
			Title: "EPCIS 2.0 events", Type: "application/ld+json",
		}},
	}
}

// isClassLevel reports whether a Digital Link names a class of objects (a
// GTIN with or without lot) rather than one object.
func isClassLevel(dl *ident.DigitalLink) bool {
	if dl.Key.AI != "01" && dl.Key.AI != "8006" {
		return false
	}
	for _, q := range dl.Qualifiers {
		if q.AI == "21" {
			return false
		}
	}
	return true
}

// writeLinkset writes an RFC 9264 linkset in JSON, with the link types in
// the resolver's fixed order.
func (h *Handler) writeLinkset(w http.ResponseWriter, status int, anchor string, links map[string][]linkTarget) {
	var b strings.Builder
	b.WriteString(`{"linkset":[{"anchor":`)
	writeJSON(&b, anchor)
	for _, lt := range resolverLinkTypes {
		b.WriteString(",")
		writeJSON(&b, gs1Voc+lt)
		b.WriteString(":")
		writeJSON(&b, links[gs1Voc+lt])
	}
	b.WriteString("}]}\n")
	w.Header().Set("Content-Type", "application/linkset+json")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

func writeJSON(b *strings.Builder, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		// Strings and link slices always marshal.
		panic("web: marshal linkset: " + err.Error())
	}
	b.Write(out)
}

// resolverErrorView is the data of the resolver's 400 page.
type resolverErrorView struct {
	D display
	// M holds the page texts in the page's language.
	M            map[string]string
	URI, Message string
	// Summary explains the kind of error in the page's language; Message
	// is the detail from package ident.
	Summary string
	LangURL string
}

func (v *resolverErrorView) T(key string) string { return text(v.D.Lang, key) }

// resolverError responds to an invalid Digital Link with status 400. It
// sends an HTML page to browsers and problem+json to clients that accept
// JSON but not HTML.
func (h *Handler) resolverError(w http.ResponseWriter, r *http.Request, uri string, err error) {
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, "json") && !strings.Contains(accept, "text/html") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusBadRequest)
		var b strings.Builder
		b.WriteString(`{"type":"https://ns.suyuan-trace.org/problems/invalid-digital-link","title":"Invalid GS1 Digital Link","status":400,"detail":`)
		writeJSON(&b, err.Error())
		b.WriteString(`,"instance":`)
		writeJSON(&b, uri)
		b.WriteString("}\n")
		w.Write([]byte(b.String()))
		return
	}
	d := displayOf(r.URL.Query())
	if r.URL.Query().Get("lang") != "zh" && chooseLanguage(r, []linkTarget{{Hreflang: []string{"zh-CN"}}, {Hreflang: []string{"en"}}}).Hreflang[0] == "en" {
		d.Lang = LangEN
	}
	nd := d
	nd.Lang = LangEN
	if d.Lang == LangEN {
		nd.Lang = LangZH
	}
	q := r.URL.Query()
	q.Del("lang")
	if nd.Lang == LangEN {
		q.Set("lang", "en")
	}
	v := &resolverErrorView{D: d, M: messagesByLang[d.Lang], URI: uri, Message: err.Error(), LangURL: r.URL.EscapedPath() + "?" + q.Encode()}
	v.Summary = v.M["resolverSyntax"]
	if errors.Is(err, ident.ErrCheckDigit) {
		v.Summary = v.M["resolverCheckDigit"]
	}
	hdr := w.Header()
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusBadRequest)
	if err := h.tmpl.ExecuteTemplate(w, "resolver_error.html", v); err != nil {
		h.log.Error("render resolver error page", "err", err)
	}
}

// handleResolverDescription serves the resolver description file at
// /.well-known/gs1resolver (GS1 Digital Link standard 1.2, resolver
// description file).
func (h *Handler) handleResolverDescription(w http.ResponseWriter, r *http.Request) {
	corsHeaders(w)
	origin := requestOrigin(r)
	var types []map[string]string
	for _, lt := range resolverLinkTypes {
		types = append(types, map[string]string{"namespace": gs1Voc, "prefix": "gs1:", "profile": "gs1:" + lt})
	}
	desc := map[string]any{
		"name":                        "Suyuan 溯源 GS1 Digital Link resolver",
		"resolverRoot":                origin,
		"supportedPrimaryKeys":        PrimaryKeyAIs,
		"linkTypeDefaultCanBeLinkset": false,
		"supportedLinkType":           types,
		"supportedContextValuesEnumerated": []map[string]any{
			{"hreflang": []string{"zh-CN", "en"}},
		},
		"supportsCompressedURIs": true,
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(desc)
}

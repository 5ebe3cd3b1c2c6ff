package advisor

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var (
	varyOnHeadersRe = regexp.MustCompile(`vary_on_headers\(([^)]*)\)`)
	quotedRe        = regexp.MustCompile(`["']([^"']+)["']`)
)

// djangoVary reads which request headers a Django route's responses vary
// on: LocaleMiddleware adds Vary: Accept-Language except on URLs with an
// i18n_patterns language prefix, GZipMiddleware Vary: Accept-Encoding
// (django/middleware/locale.py, gzip.py), and a view's own
// @vary_on_headers(...) and @vary_on_cookie. (SessionMiddleware's Vary:
// Cookie comes with views that touch the session, which are per-user.)
func (rt *Routes) djangoVary() {
	var locale, gzip bool
	for _, m := range rt.proj.files {
		for _, v := range append(m.assigned("MIDDLEWARE"), m.assigned("MIDDLEWARE_CLASSES")...) {
			t := m.text(v)
			locale = locale || strings.Contains(t, "LocaleMiddleware")
			gzip = gzip || strings.Contains(t, "GZipMiddleware")
		}
	}
	for _, r := range rt.Routes {
		if r.Framework != "django" {
			continue
		}
		set := map[string]bool{}
		if locale && !strings.Contains(r.Pattern, "<lang>") {
			set["Accept-Language"] = true
		}
		if gzip {
			set["Accept-Encoding"] = true
		}
		if r.viewMod != nil && r.viewNode != nil {
			for _, d := range decorators(r.viewMod, r.viewNode) {
				if strings.HasPrefix(d, "vary_on_cookie") {
					set["Cookie"] = true
				}
				if m := varyOnHeadersRe.FindStringSubmatch(d); m != nil {
					for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
						set[canonicalHeader(q[1])] = true
					}
				}
			}
		}
		for h := range set {
			r.Vary = append(r.Vary, h)
		}
		sort.Strings(r.Vary)
	}
}

// canonicalHeader writes a header name as HTTP does (accept-language ->
// Accept-Language).
func canonicalHeader(h string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(h)), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

// splitsOn lists the Vary headers of a route that the edge keeps one copy
// per value of, and that the logs cannot tell: each client is then taken to
// send its own value (the worst case). Accept-Encoding is left out: caches
// normalize it or keep a few variants (gzip, br, identity).
func splitsOn(vary []string, varyOther, varyCookie string) []string {
	var out []string
	for _, h := range vary {
		switch h {
		case "Accept-Encoding":
		case "Cookie":
			if varyCookie == "split" {
				out = append(out, h)
			}
		default:
			if varyOther == "split" {
				out = append(out, h)
			}
		}
	}
	return out
}

// varyReason says how the prediction keyed a route whose responses vary on
// headers: by the values the logs record, or per client where they do not.
func varyReason(headers []string, logged map[string]bool, edgeName string) string {
	var byValue, perClient []string
	for _, h := range headers {
		if logged[h] {
			byValue = append(byValue, h)
		} else {
			perClient = append(perClient, h)
		}
	}
	msg := fmt.Sprintf("the responses vary on %s (as the source or the logs say) and %s keeps one copy per value", strings.Join(headers, ", "), edgeName)
	if len(byValue) > 0 {
		msg += fmt.Sprintf("; predicted with one copy per %s value the logs record", strings.Join(byValue, ", "))
	}
	if len(perClient) > 0 {
		msg += fmt.Sprintf("; the logs do not record %s, so each client is taken to send its own (worst case): predicted per client", strings.Join(perClient, ", "))
	}
	return msg
}

package django

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/internal/httpheader"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

var (
	varyOnHeadersRe = regexp.MustCompile(`vary_on_headers\(([^)]*)\)`)
	quotedRe        = regexp.MustCompile(`["']([^"']+)["']`)
)

// djangoVary reads which request headers a Django route's responses vary
// on: LocaleMiddleware adds Vary: Accept-Language except on URLs with an
// i18n_patterns language prefix, GZipMiddleware Vary: Accept-Encoding
// (django/middleware/locale.py, gzip.py), and a view's own
// @vary_on_headers(...) and @vary_on_cookie. Django REST framework views
// add Vary: Accept when more than one renderer can answer (the default:
// JSON and the browsable API; APIView.default_response_headers), and, with
// SessionMiddleware and DRF's default SessionAuthentication, Vary: Cookie:
// authenticating reads the session on every request (checked against
// Debian's Django 3.2 and DRF 3.14 in TestDRFVary). (A view's own session
// use makes it per-user.)
func djangoVary(rt *framework.Routes) {
	var locale, gzip, session bool
	for _, m := range rt.Proj.Files {
		for _, v := range append(m.Assigned("MIDDLEWARE"), m.Assigned("MIDDLEWARE_CLASSES")...) {
			t := m.Text(v)
			locale = locale || strings.Contains(t, "LocaleMiddleware")
			gzip = gzip || strings.Contains(t, "GZipMiddleware")
			session = session || strings.Contains(t, "SessionMiddleware")
		}
	}
	renderers, sessionAuth := drfDefaults(rt)
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
		if r.ViewMod != nil && r.ViewNode != nil {
			for _, d := range pysrc.Decorators(r.ViewMod, r.ViewNode) {
				if strings.HasPrefix(d, "vary_on_cookie") {
					set["Cookie"] = true
				}
				if m := varyOnHeadersRe.FindStringSubmatch(d); m != nil {
					for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
						set[httpheader.Canonical(q[1])] = true
					}
				}
			}
		}
		if r.View == "router (api root)" || (r.ViewMod != nil && r.ViewNode != nil && isDRFView(rt.Proj, r.ViewMod, r.ViewNode, 0)) {
			text := ""
			if r.ViewNode != nil {
				text = r.ViewMod.Text(r.ViewNode)
			}
			n, auth := renderers, sessionAuth
			if m := drfRenderersRe.FindStringSubmatch(text); m != nil {
				n = countItems(m[1])
			}
			if m := drfAuthRe.FindStringSubmatch(text); m != nil {
				auth = strings.Contains(m[1], "SessionAuthentication")
			}
			if n > 1 {
				set["Accept"] = true
			}
			if session && auth {
				set["Cookie"] = true
			}
		}
		for h := range set {
			if !slices.Contains(r.Vary, h) {
				r.Vary = append(r.Vary, h)
			}
		}
		sort.Strings(r.Vary)
	}
}

var (
	// drfRenderersRe: renderer_classes = [...] in a view, @renderer_classes([...]),
	// or DEFAULT_RENDERER_CLASSES in the settings.
	drfRenderersRe = regexp.MustCompile(`(?s)(?:renderer_classes\s*=\s*|@renderer_classes\(\s*|["']DEFAULT_RENDERER_CLASSES["']\s*:\s*)[\[(]([^\])]*)[\])]`)
	drfAuthRe      = regexp.MustCompile(`(?s)(?:authentication_classes\s*=\s*|@authentication_classes\(\s*|["']DEFAULT_AUTHENTICATION_CLASSES["']\s*:\s*)[\[(]([^\])]*)[\])]`)
)

// drfDefaults reads REST_FRAMEWORK's renderer count and whether session
// authentication is on (DRF's defaults: two renderers, session and basic
// authentication).
func drfDefaults(rt *framework.Routes) (renderers int, sessionAuth bool) {
	renderers, sessionAuth = 2, true
	for _, m := range rt.Proj.Files {
		for _, v := range m.Assigned("REST_FRAMEWORK") {
			t := m.Text(v)
			if x := drfRenderersRe.FindStringSubmatch(t); x != nil {
				renderers = countItems(x[1])
			}
			if x := drfAuthRe.FindStringSubmatch(t); x != nil {
				sessionAuth = strings.Contains(x[1], "SessionAuthentication")
			}
		}
	}
	return renderers, sessionAuth
}

// countItems counts the comma-separated items of a list's text.
func countItems(s string) int {
	n := 0
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" && !strings.HasPrefix(p, "#") {
			n++
		}
	}
	return n
}

// isDRFView tells whether a view is a Django REST framework view: an
// @api_view function, or a class deriving from DRF's APIView (directly,
// through its generic views and viewsets, or through classes of the
// project).
func isDRFView(p *pysrc.Project, m *pysrc.Module, def *sitter.Node, depth int) bool {
	for _, d := range pysrc.Decorators(m, def) {
		if d == "api_view" || strings.HasPrefix(d, "api_view(") {
			return true
		}
	}
	if !pysrc.IsClass(def) || depth > 8 {
		return false
	}
	for _, b := range pysrc.Children(pysrc.ClassNode(def).ChildByFieldName("superclasses")) {
		if b.Kind() == "keyword_argument" {
			continue
		}
		name := m.Text(b)
		last := pysrc.LastName(name)
		if strings.HasSuffix(last, "APIView") || strings.HasSuffix(last, "ViewSet") || last == "ViewSetMixin" {
			return true
		}
		if first, _, _ := strings.Cut(name, "."); strings.HasPrefix(m.Imports[first], "rest_framework") {
			return true
		}
		if bm, rest := p.Resolve(m, name); bm != nil && rest != "" && bm.Defs[rest] != nil && isDRFView(p, bm, bm.Defs[rest], depth+1) {
			return true
		}
	}
	return false
}

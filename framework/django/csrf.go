package django

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

var (
	// csrfCodeRe: a view that asks for the CSRF token itself.
	csrfCodeRe = regexp.MustCompile(`\bget_token\(|\bensure_csrf_cookie\b|\bcsrf\(\s*request\b|\brotate_token\(`)
	// templateNameRe: the template a view renders (render, TemplateResponse,
	// render_to_string, get_template, a class's template_name).
	templateNameRe = regexp.MustCompile(`(?:\brender\(\s*request\s*,|\bTemplateResponse\(\s*request\s*,|\brender_to_string\(|\bget_template\(|\btemplate_name\s*=)\s*["']([^"']+)["']`)
	// templateCSRFRe: a Django or Jinja2 template that writes the token
	// ({% csrf_token %}, {{ csrf_input }}, {{ csrf_token }}).
	templateCSRFRe = regexp.MustCompile(`\{%-?\s*csrf_token\s*-?%\}|\{\{-?\s*csrf_(?:input|token)\b`)
	// templateRefRe: the templates a template pulls in.
	templateRefRe = regexp.MustCompile(`\{%-?\s*(?:extends|include)\s+["']([^"']+)["']`)
)

// djangoCSRF marks the Django views whose responses carry the CSRF cookie:
// a view that renders a template writing {% csrf_token %} (directly or
// through {% extends %}/{% include %}), or that calls get_token() or is
// decorated @ensure_csrf_cookie. CsrfViewMiddleware then answers with
// Set-Cookie: csrftoken and Vary: Cookie (django/middleware/csrf.py,
// _set_csrf_cookie): the response differs per browser, and a shared cache
// that stored it would hand one visitor's token to all (their form posts
// then fail the CSRF check). Such routes are per-user for the advice.
func djangoCSRF(rt *framework.Routes) {
	middleware, listed := false, false
	for _, m := range rt.Proj.Files {
		for _, v := range append(m.Assigned("MIDDLEWARE"), m.Assigned("MIDDLEWARE_CLASSES")...) {
			listed = true
			middleware = middleware || strings.Contains(m.Text(v), "CsrfViewMiddleware")
		}
	}
	seen := map[string]string{} // template name -> the csrf chain, "" when none
	for _, r := range rt.Routes {
		if r.Framework != "django" || r.ViewMod == nil || r.ViewNode == nil || r.PerUser {
			continue
		}
		text := r.ViewMod.Text(r.ViewNode)
		why := ""
		if m := csrfCodeRe.FindString(text); m != "" && (middleware || !listed || strings.Contains(m, "ensure_csrf_cookie")) {
			why = fmt.Sprintf("calls %s", strings.TrimSuffix(strings.TrimSpace(m), "("))
		}
		if why == "" && (middleware || !listed) {
			for _, t := range templateNameRe.FindAllStringSubmatch(text, -1) {
				if chain := templateCSRF(rt.Proj, t[1], seen, 0); chain != "" {
					why = "renders " + chain
					break
				}
			}
		}
		if why == "" {
			continue
		}
		r.PerUser = true
		r.PerUserWhy = why + " with the CSRF token: Django answers with Set-Cookie: csrftoken and Vary: Cookie, a response per browser"
		if !slices.Contains(r.Vary, "Cookie") {
			r.Vary = append(r.Vary, "Cookie")
			sort.Strings(r.Vary)
		}
	}
}

// templateCSRF tells whether the named template (or one it extends or
// includes) writes the CSRF token: the chain of templates that leads to it
// ("shop/front.html → base.html ({% csrf_token %})"), or "" when none does
// or the template is not under --src.
func templateCSRF(p *pysrc.Project, name string, seen map[string]string, depth int) string {
	if chain, ok := seen[name]; ok {
		return chain
	}
	seen[name] = "" // a cycle or a second visit answers "" until known
	path := p.Templates[name]
	if path == "" || depth > 16 {
		return ""
	}
	info, err := os.Stat(path)
	if err != nil || info.Size() > 1<<20 {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	text := string(b)
	chain := ""
	if loc := templateCSRFRe.FindString(text); loc != "" {
		chain = name + " (" + strings.TrimSpace(loc) + ")"
	} else {
		for _, ref := range templateRefRe.FindAllStringSubmatch(text, -1) {
			if sub := templateCSRF(p, ref[1], seen, depth+1); sub != "" {
				chain = name + " → " + sub
				break
			}
		}
	}
	seen[name] = chain
	return chain
}

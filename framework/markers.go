package framework

import (
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

var (
	cacheRe   = regexp.MustCompile(`(?i)cache[-_]control|patch_cache_control|cache_page|never_cache|add_never_cache_headers`)
	PerUserRe = regexp.MustCompile(`login_required|permission_required|user_passes_test|IsAuthenticated|IsAdminUser|LoginRequiredMixin|PermissionRequiredMixin|current_user|get_current_user|Security\(|OAuth2|HTTPBearer|request\.user|request\.session|set_cookie|Depends\(auth|request\.cookies|request\.COOKIES|\bCookie\(|request\.headers\.get\(["']authorization`)
)

// InspectView reports whether a view already sets Cache-Control and whether
// it depends on the user, from its decorators, bases and body.
func InspectView(m *pysrc.Module, def *sitter.Node) (hasCache, perUser bool) {
	t := m.Text(def)
	return cacheRe.MatchString(t), PerUserRe.MatchString(t)
}

// Dedupe drops repeated strings, keeping the first of each.
func Dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// ContainsModule reports whether m is in ms.
func ContainsModule(ms []*pysrc.Module, m *pysrc.Module) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// explainPerUser fills PerUserWhy for the per-user routes that the view's
// own code marks (the first marker found in it).
func (rt *Routes) explainPerUser() {
	for _, r := range rt.Routes {
		if !r.PerUser || r.PerUserWhy != "" || r.ViewMod == nil || r.ViewNode == nil {
			continue
		}
		if m := PerUserRe.FindString(r.ViewMod.Text(r.ViewNode)); m != "" {
			r.PerUserWhy = "uses " + strings.TrimSuffix(m, "(")
		}
	}
}

// sourceFacts reads, after the routes are found, what the source tells
// about each route's responses: the CSRF cookie, Vary, why it is per-user.
func (rt *Routes) sourceFacts() {
	for _, f := range rt.table {
		f.Facts(rt)
	}
	rt.explainPerUser()
}

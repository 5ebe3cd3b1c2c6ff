package django

// Authentication as Django and Django REST framework apply it: a view needs
// a user when its own decorators, its class or any base class (in any module
// of the project) asks for one, when DRF's project-wide
// DEFAULT_PERMISSION_CLASSES does and the view does not override it, or when
// a middleware makes every view need a login. The reason names where the
// requirement comes from (file:line).

import (
	"fmt"
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

var (
	// loginDecoratorRe: Django's decorators that require a user, and DRF's
	// permission and authentication decorators (their argument is read
	// apart).
	loginDecoratorRe = regexp.MustCompile(`^(?:[\w.]*\.)?(login_required|permission_required|user_passes_test|staff_member_required|superuser_required)\b`)
	// methodLoginRe: method_decorator(login_required, ...) on a class.
	methodLoginRe = regexp.MustCompile(`^(?:[\w.]*\.)?method_decorator\(\s*(?:[\w.]*\.)?(login_required|permission_required|user_passes_test|staff_member_required)\b`)
	// authMixins are Django's class-based view mixins that require a user.
	authMixins = map[string]bool{"LoginRequiredMixin": true, "PermissionRequiredMixin": true, "UserPassesTestMixin": true, "AccessMixin": true}
	// anonymousPermissions are DRF permission classes that let anonymous
	// requests through for every method.
	anonymousPermissions = map[string]bool{"AllowAny": true}
	// anonymousCheckRe: code that tells anonymous users apart (a project
	// middleware or decorator that enforces login).
	anonymousCheckRe = regexp.MustCompile(`\.is_authenticated\b|\.is_anonymous\b|redirect_to_login\(|login_required\b`)
	// credentialRe: code that reads the request's credentials (an API key
	// or Authorization header): a decorator that does authenticates.
	credentialRe = regexp.MustCompile(`request\.(?:headers|META)[^\n]{0,40}(?:X-Api-Key|HTTP_X_API_KEY|Authorization|HTTP_AUTHORIZATION)|["'](?:X-Api-Key|Authorization|HTTP_X_API_KEY|HTTP_AUTHORIZATION)["']\s+in\s+request\.(?:headers|META)`)
	// calledRe: a call that passes the request on (return get_checks(request)).
	calledRe = regexp.MustCompile(`\b([A-Za-z_]\w*)\(\s*request\b`)
	// turnAwayRe: code that answers instead of the view (a redirect, 401 or
	// 403): with anonymousCheckRe, a middleware that turns anonymous users
	// away (one that only adds a header for logged-in users does not).
	turnAwayRe = regexp.MustCompile(`redirect_to_login\(|\bredirect\(|HttpResponseRedirect|HttpResponseForbidden|PermissionDenied|status(?:_code)?\s*=\s*40[13]\b|\b40[13]\b`)
)

// authSettings is what the project's settings say of authentication.
type authSettings struct {
	// permissions is DRF's DEFAULT_PERMISSION_CLASSES ("" when not set: DRF
	// then allows anyone) and where it is set.
	permissions, permissionsAt string
	// loginMiddleware names a middleware that makes every view need a
	// login, with where it is listed ("" none).
	loginMiddleware string
}

// readAuthSettings reads REST_FRAMEWORK and MIDDLEWARE in every module that
// assigns them (the settings modules first).
func readAuthSettings(p *pysrc.Project) authSettings {
	var a authSettings
	for _, m := range p.Files {
		for _, v := range m.Assigned("REST_FRAMEWORK") {
			if list, ok := dictList(m, v, "DEFAULT_PERMISSION_CLASSES"); ok && a.permissionsAt == "" {
				a.permissions, a.permissionsAt = list, fmt.Sprintf("%s:%d", m.File, pysrc.Line(v))
			}
		}
		for _, v := range append(m.Assigned("MIDDLEWARE"), m.Assigned("MIDDLEWARE_CLASSES")...) {
			if a.loginMiddleware != "" {
				break
			}
			for _, item := range pysrc.Children(v) {
				name, ok := m.StringValue(item)
				if !ok {
					continue
				}
				at := fmt.Sprintf("%s:%d", m.File, pysrc.Line(item))
				if pysrc.LastName(name) == "LoginRequiredMiddleware" && strings.HasPrefix(name, "django.") {
					a.loginMiddleware = fmt.Sprintf("Django's LoginRequiredMiddleware (listed at %s) requires a login for every view not marked @login_not_required", at)
					break
				}
				// A middleware of the project that sends anonymous users away.
				mod, cls := pysrc.SplitLast(name)
				if mm := p.FindModule(mod); mm != nil {
					if def, ok := mm.Defs[cls]; ok && anonymousCheckRe.MatchString(mm.Text(def)) && turnAwayRe.MatchString(mm.Text(def)) {
						a.loginMiddleware = fmt.Sprintf("middleware %s (%s:%d, listed at %s) turns anonymous users away", name, mm.File, pysrc.Line(def), at)
						break
					}
				}
			}
		}
	}
	return a
}

// dictList returns the text of the list or tuple a dict literal gives key.
func dictList(m *pysrc.Module, dict *sitter.Node, key string) (string, bool) {
	if dict == nil || dict.Kind() != "dictionary" {
		return "", false
	}
	for _, pair := range pysrc.Children(dict) {
		if pair.Kind() != "pair" {
			continue
		}
		if k, ok := m.StringValue(pair.ChildByFieldName("key")); ok && k == key {
			return m.Text(pair.ChildByFieldName("value")), true
		}
	}
	return "", false
}

// listNames lists the last names in the text of a list or tuple of classes
// ("[permissions.IsAuthenticated, 'x.Y']" -> IsAuthenticated, Y).
func listNames(s string) []string {
	s = strings.Trim(strings.TrimSpace(s), "[]()")
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.Trim(strings.TrimSpace(part), `"'`)
		if part != "" && !strings.HasPrefix(part, "#") {
			out = append(out, pysrc.LastName(part))
		}
	}
	return out
}

// onlyAnonymous reports whether every permission in the list lets anonymous
// requests through (an empty list does: no permission is checked).
func onlyAnonymous(list string) bool {
	for _, n := range listNames(list) {
		if !anonymousPermissions[n] {
			return false
		}
	}
	return true
}

// authFacts marks the Django routes whose view needs a user, and says
// where the requirement comes from.
func authFacts(rt *framework.Routes) {
	a := readAuthSettings(rt.Proj)
	for _, r := range rt.Routes {
		if r.Framework == "django" && r.Kind == "viewset" && r.ViewNode == nil && strings.HasSuffix(r.View, " (api root)") && !r.PerUser &&
			a.permissions != "" && !onlyAnonymous(a.permissions) {
			// The API root view of a DefaultRouter is a DRF view.
			r.PerUser = true
			r.PerUserWhy = fmt.Sprintf("REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES = %s (%s) applies to the router's API root view", strings.Join(strings.Fields(a.permissions), " "), a.permissionsAt)
			continue
		}
		if r.Framework == "django" && !r.PerUser && r.ViewNode == nil {
			// A view of a known application outside the project (exact
			// mode lists the admin's and the auth views one by one).
			if why := knownApp(r.View); why != "" {
				r.PerUser, r.PerUserWhy = true, why
			}
		}
		if r.Framework != "django" || r.ViewMod == nil || r.ViewNode == nil {
			continue
		}
		why := viewRequirement(rt.Proj, r.ViewMod, r.ViewNode, r.Action, a)
		if why == "" {
			continue
		}
		r.PerUser = true
		if r.PerUserWhy == "" {
			r.PerUserWhy = why
		}
	}
}

// viewRequirement says why a view needs a user ("" when nothing in the
// source says it does). action is a DRF viewset action ("" for a view).
func viewRequirement(p *pysrc.Project, m *pysrc.Module, def *sitter.Node, action string, a authSettings) string {
	exempt := false
	for _, d := range pysrc.Decorators(m, def) {
		if x := loginDecoratorRe.FindStringSubmatch(d); x != nil {
			return fmt.Sprintf("@%s (%s:%d)", x[1], m.File, pysrc.Line(def))
		}
		if x := methodLoginRe.FindStringSubmatch(d); x != nil {
			return fmt.Sprintf("@method_decorator(%s) (%s:%d)", x[1], m.File, pysrc.Line(def))
		}
		if strings.HasPrefix(d, "permission_classes(") || strings.Contains(d, ".permission_classes(") {
			if list := d[strings.Index(d, "(")+1:]; !onlyAnonymous(strings.TrimSuffix(list, ")")) {
				return fmt.Sprintf("@%s (%s:%d)", d, m.File, pysrc.Line(def))
			}
			exempt = true
		}
		if d == "login_not_required" || strings.HasSuffix(d, ".login_not_required") {
			exempt = true
		}
		if why := projectDecorator(p, m, d); why != "" {
			return why
		}
	}
	if why := calleeRequirement(p, m, def); why != "" {
		return why
	}
	if pysrc.IsClass(def) {
		if why, decided := classRequirement(p, m, def, action, 0); decided {
			if why != "" {
				return why
			}
			exempt = true
		}
	}
	drf := isDRFView(p, m, def, 0)
	if drf && !exempt && a.permissions != "" && !onlyAnonymous(a.permissions) {
		return fmt.Sprintf("REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES = %s (%s) applies to this DRF view, which sets no permission_classes of its own", strings.Join(strings.Fields(a.permissions), " "), a.permissionsAt)
	}
	if a.loginMiddleware != "" && !exemptFromLogin(m, def) {
		return a.loginMiddleware
	}
	return ""
}

// exemptFromLogin reports whether a view is marked @login_not_required.
func exemptFromLogin(m *pysrc.Module, def *sitter.Node) bool {
	for _, d := range pysrc.Decorators(m, def) {
		if d == "login_not_required" || strings.HasSuffix(d, ".login_not_required") {
			return true
		}
	}
	return false
}

// projectDecorator says why a decorator of the project requires a user: a
// function of the project whose code checks for one (a decorator that
// wraps login_required, or tests is_authenticated).
func projectDecorator(p *pysrc.Project, m *pysrc.Module, d string) string {
	name := d
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	dm, rest := resolveDef(p, m, name)
	if dm == nil {
		return ""
	}
	def, ok := dm.Defs[rest]
	if !ok || pysrc.IsClass(def) {
		return ""
	}
	if anonymousCheckRe.MatchString(dm.Text(def)) {
		return fmt.Sprintf("@%s (%s:%d) checks for a logged-in user", name, dm.File, pysrc.Line(def))
	}
	if x := credentialRe.FindString(dm.Text(def)); x != "" {
		return fmt.Sprintf("@%s (%s:%d) reads the request's credentials (%s)", name, dm.File, pysrc.Line(def), x)
	}
	return ""
}

// calleeRequirement says why a function view needs a user through the
// functions of its module it hands the request to (a view that dispatches
// on the method to decorated handlers): their decorators.
func calleeRequirement(p *pysrc.Project, m *pysrc.Module, def *sitter.Node) string {
	if pysrc.IsClass(def) {
		return ""
	}
	self := m.Text(pysrc.ClassNode(def).ChildByFieldName("name")) // the function itself
	for _, x := range calledRe.FindAllStringSubmatch(m.Text(def), -1) {
		callee, ok := m.Defs[x[1]]
		if !ok || x[1] == self || pysrc.IsClass(callee) {
			continue
		}
		for _, d := range pysrc.Decorators(m, callee) {
			if mm := loginDecoratorRe.FindStringSubmatch(d); mm != nil {
				return fmt.Sprintf("it hands the request to %s, decorated @%s (%s:%d)", x[1], mm[1], m.File, pysrc.Line(callee))
			}
			if why := projectDecorator(p, m, d); why != "" {
				return fmt.Sprintf("it hands the request to %s (%s:%d): %s", x[1], m.File, pysrc.Line(callee), why)
			}
		}
	}
	return ""
}

// classRequirement walks a class and its bases (in any module of the
// project, depth first, left to right, as Python's attribute lookup mostly
// does) for what decides authentication: a login mixin of Django or one
// built on it, or the first permission_classes found (per action first,
// for a DRF @action that sets its own). decided is false when nothing in
// the classes says.
func classRequirement(p *pysrc.Project, m *pysrc.Module, def *sitter.Node, action string, depth int) (why string, decided bool) {
	if depth > 8 {
		return "", false
	}
	cls := pysrc.ClassNode(def)
	body := cls.ChildByFieldName("body")
	className := m.Text(cls.ChildByFieldName("name"))
	// An @action(permission_classes=[...]) or a method decorator on the
	// action itself.
	if action != "" {
		for _, st := range pysrc.Children(body) {
			if st.Kind() != "decorated_definition" {
				continue
			}
			fn := st.ChildByFieldName("definition")
			if fn == nil || m.Text(fn.ChildByFieldName("name")) != action {
				continue
			}
			for _, d := range pysrc.Decorators(m, st) {
				if i := strings.Index(d, "permission_classes="); i >= 0 {
					list := d[i+len("permission_classes="):]
					if end := strings.IndexAny(list, "])"); end >= 0 {
						list = list[:end+1]
					}
					if !onlyAnonymous(list) {
						return fmt.Sprintf("@action(permission_classes=%s) on %s.%s (%s:%d)", list, className, action, m.File, pysrc.Line(st)), true
					}
					return "", true
				}
				if x := loginDecoratorRe.FindStringSubmatch(d); x != nil {
					return fmt.Sprintf("@%s on %s.%s (%s:%d)", x[1], className, action, m.File, pysrc.Line(st)), true
				}
			}
		}
	}
	for _, st := range pysrc.Children(body) {
		if st.Kind() == "function_definition" && m.Text(st.ChildByFieldName("name")) == "get_permissions" {
			return fmt.Sprintf("%s.get_permissions() (%s:%d) decides at run time: taken as requiring a user", className, m.File, pysrc.Line(st)), true
		}
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, a := range pysrc.Children(st) {
			if a.Kind() != "assignment" || m.Text(a.ChildByFieldName("left")) != "permission_classes" {
				continue
			}
			list := m.Text(a.ChildByFieldName("right"))
			if onlyAnonymous(list) {
				return "", true
			}
			return fmt.Sprintf("permission_classes = %s on %s (%s:%d)", strings.Join(strings.Fields(list), " "), className, m.File, pysrc.Line(a)), true
		}
	}
	for _, b := range pysrc.Children(cls.ChildByFieldName("superclasses")) {
		if b.Kind() == "keyword_argument" {
			continue
		}
		name := m.Text(b)
		if authMixins[pysrc.LastName(name)] {
			if bm, rest := p.Resolve(m, name); bm == nil || rest == "" || bm.Defs[rest] == nil {
				return fmt.Sprintf("%s inherits Django's %s (%s:%d)", className, pysrc.LastName(name), m.File, pysrc.Line(b)), true
			}
		}
		bm, rest := resolveDef(p, m, name)
		if bm == nil {
			continue
		}
		bdef, ok := bm.Defs[rest]
		if !ok || !pysrc.IsClass(bdef) {
			continue
		}
		if why, decided := classRequirement(p, bm, bdef, action, depth+1); decided {
			if why != "" && !strings.Contains(why, " on "+className) {
				why += fmt.Sprintf(", inherited by %s (%s:%d)", className, m.File, pysrc.Line(cls))
			}
			return why, true
		}
	}
	return "", false
}

// resolveDef finds the module defining a name used in m: imported from a
// module of the project, or defined in m itself (nil when neither).
func resolveDef(p *pysrc.Project, m *pysrc.Module, name string) (*pysrc.Module, string) {
	if bm, rest := p.Resolve(m, name); bm != nil && rest != "" {
		return bm, rest
	}
	if _, ok := m.Defs[name]; ok {
		return m, name
	}
	return nil, ""
}

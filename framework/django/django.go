package django

// Django: routes from urlpatterns (path, re_path, include chains, DRF
// routers and viewsets, i18n_patterns, converters) and what a view says of
// its methods, its Cache-Control and its users.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

type djangoWalker struct {
	p  *pysrc.Project
	rt *framework.Routes
	ev *pysrc.Evaluator
	// assume, debug and locals are the context of the patterns being
	// walked: the assumptions made to reach them, whether they exist only
	// under settings.DEBUG, and the loop variables bound.
	assume []string
	debug  bool
	locals pysrc.Env
	// formatSuffix: the routes being added also get DRF's format-suffix
	// variant (DefaultRouter's include_format_suffixes).
	formatSuffix bool
	// viewSuffix: the views being added also get DRF's format-suffix
	// variant (format_suffix_patterns()).
	viewSuffix bool
	// suffix ends format-suffix patterns ("/?" as DRF's, "unset" until a
	// DefaultRouter is read).
	suffix string
	steps  int             // patterns() calls, against lists that double at each level
	seen   map[string]bool // urlconf modules being walked (include cycles)
	depth  int             // nesting of patterns(), against self-references
	found  bool
}

var djangoConverters = map[string]string{
	// DRF's converter of format_suffix_patterns() on path() routes
	// (rest_framework/urlpatterns.py _get_format_path_converter).
	"drf_format_suffix": `\.[a-z0-9]+/?`,
	"int":               `[0-9]+`, "str": `[^/]+`, "slug": `[-a-zA-Z0-9_]+`, "path": `.+`,
	"uuid": `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`,
}

func (w *djangoWalker) run() {
	// The root URLconf: ROOT_URLCONF in settings, else every urls module
	// that no other one includes.
	var roots []*pysrc.Module
	for _, sm := range w.ev.SettingsOf(settingsObject) {
		if v, _, ok := w.ev.Name(sm, "ROOT_URLCONF", "ROOT_URLCONF"); ok {
			if r := w.p.FindModule(v); r != nil {
				roots = append(roots, r)
				break
			}
		}
	}
	for _, m := range w.p.Files {
		if len(roots) > 0 {
			break
		}
		for _, st := range pysrc.Children(m.Root) {
			if st.Kind() != "expression_statement" {
				continue
			}
			a := pysrc.Children(st)
			if len(a) == 1 && a[0].Kind() == "assignment" && m.Text(a[0].ChildByFieldName("left")) == "ROOT_URLCONF" {
				if v, ok := m.StringValue(a[0].ChildByFieldName("right")); ok {
					if r := w.p.FindModule(v); r != nil && !framework.ContainsModule(roots, r) {
						roots = append(roots, r)
					}
				}
			}
		}
	}
	if len(roots) == 0 {
		included := map[string]bool{}
		var cands []*pysrc.Module
		for _, m := range w.p.Files {
			if urlpatterns(m) == nil {
				continue
			}
			cands = append(cands, m)
			src := string(m.Src)
			for _, o := range w.p.Files {
				if o != m && strings.Contains(src, "include(") {
					if strings.Contains(src, `"`+o.Name+`"`) || strings.Contains(src, `'`+o.Name+`'`) {
						included[o.Name] = true
					}
				}
			}
		}
		for _, c := range cands {
			if !included[c.Name] {
				roots = append(roots, c)
			}
		}
	}
	w.customConverters()
	for _, r := range roots {
		w.found = true
		w.urlconf(r, "", "", nil)
	}
}

// customConverters finds register_converter(Cls, "name") calls and reads
// the converter class's regex attribute.
func (w *djangoWalker) customConverters() {
	for _, m := range w.p.Files {
		for _, st := range pysrc.Children(m.Root) {
			if st.Kind() != "expression_statement" {
				continue
			}
			for _, e := range pysrc.Children(st) {
				c, ok := m.AsCall(e)
				if !ok || pysrc.LastName(c.Fn) != "register_converter" || len(c.Args) < 2 {
					continue
				}
				name, ok := m.StringValue(c.Args[1])
				if !ok {
					continue
				}
				w.rt.Converters("django")[name] = `[^/]+`
				cm, rest := w.p.Resolve(m, m.Text(c.Args[0]))
				if cm == nil || cm.Defs[rest] == nil {
					continue
				}
				cls := cm.Defs[rest]
				if cls.Kind() == "decorated_definition" {
					cls = cls.ChildByFieldName("definition")
				}
				for _, bs := range pysrc.Children(cls.ChildByFieldName("body")) {
					for _, a := range pysrc.Children(bs) {
						if a.Kind() == "assignment" && cm.Text(a.ChildByFieldName("left")) == "regex" {
							if v, ok := cm.StringValue(a.ChildByFieldName("right")); ok {
								w.rt.Converters("django")[name] = v
							}
						}
					}
				}
			}
		}
	}
}

// urlpatterns returns the value nodes assigned to urlpatterns at module
// level (=, +=), in order.
func urlpatterns(m *pysrc.Module) []*sitter.Node {
	return m.Assigned("urlpatterns")
}

// urlconf walks a URLconf module with the given prefix.
func (w *djangoWalker) urlconf(m *pysrc.Module, prefix, regexPrefix string, langs []string) {
	// A module including itself, directly or not, would never end.
	if w.seen[m.Name] || len(w.seen) > 30 {
		w.unresolved(m, m.Root, prefix, "include cycle through "+m.Name)
		return
	}
	w.seen[m.Name] = true
	defer delete(w.seen, m.Name)
	w.parts(m, "urlpatterns", prefix)
}

// parts walks the pieces of a list of patterns as module m builds it.
func (w *djangoWalker) parts(m *pysrc.Module, name, prefix string) {
	for _, pt := range w.ev.ListParts(m, name, &w.rt.Notes) {
		w.within(pt.Assume, pt.Debug, pt.Locals, func() {
			if pt.Elem {
				w.element(pt.M, pt.N, prefix)
			} else {
				w.patterns(pt.M, pt.N, prefix, false)
			}
		})
	}
}

// within runs fn with assumptions added to the context (and debug-only
// set, and loop variables bound, when given).
func (w *djangoWalker) within(assume []string, debug bool, locals pysrc.Env, fn func()) {
	oa, od, ol := w.assume, w.debug, w.locals
	if len(assume) > 0 {
		w.assume = append(append([]string(nil), oa...), assume...)
	}
	w.debug = od || debug
	if locals != nil {
		w.locals = locals
	}
	fn()
	w.assume, w.debug, w.locals = oa, od, ol
}

// emit adds a route with the context's assumptions.
func (w *djangoWalker) emit(r *framework.Route) {
	r.Assumptions = framework.Dedupe(append(append([]string(nil), w.assume...), r.Assumptions...))
	r.DebugOnly = r.DebugOnly || w.debug
	w.rt.Routes = append(w.rt.Routes, r)
}

// patterns walks a urlpatterns expression: lists, concatenations,
// i18n_patterns(...), router.urls, names of other lists.
func (w *djangoWalker) patterns(m *pysrc.Module, n *sitter.Node, prefix string, regex bool) {
	if n == nil {
		return
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.depth > 40 {
		w.unresolved(m, n, prefix, "urlpatterns refer to themselves")
		return
	}
	if !w.budget() {
		return
	}
	switch n.Kind() {
	case "list", "tuple", "parenthesized_expression":
		for _, e := range pysrc.Children(n) {
			w.element(m, e, prefix)
		}
	case "binary_operator":
		w.patterns(m, n.ChildByFieldName("left"), prefix, regex)
		w.patterns(m, n.ChildByFieldName("right"), prefix, regex)
	case "call":
		c, _ := m.AsCall(n)
		switch pysrc.LastName(c.Fn) {
		case "i18n_patterns":
			for _, a := range c.Args {
				w.element(m, a, prefix+"<lang>/")
			}
		case "format_suffix_patterns":
			// DRF adds a variant of each pattern with a format suffix
			// (rest_framework/urlpatterns.py apply_suffix_patterns).
			if len(c.Args) > 0 {
				old := w.viewSuffix
				w.viewSuffix = true
				if w.suffix == "unset" {
					w.suffix = w.suffixEnd()
				}
				w.patterns(m, c.Args[0], prefix, regex)
				w.viewSuffix = old
			}
		case "static", "staticfiles_urlpatterns":
			w.static(m, c, prefix)
		default:
			if !w.functionPatterns(m, c, prefix, regex) {
				w.unresolved(m, n, prefix, "urlpatterns built by "+c.Fn+"(): cannot be read without running it")
			}
		}
	case "attribute":
		if pysrc.LastName(m.Text(n)) == "urls" {
			w.router(m, m.Text(n.ChildByFieldName("object")), prefix, n)
			return
		}
		w.unresolved(m, n, prefix, "urlpatterns from "+m.Text(n))
	case "identifier":
		name := m.Text(n)
		if b, ok := w.locals[name]; ok {
			if b.N.Kind() != "identifier" || b.M.Text(b.N) != name {
				w.patterns(b.M, b.N, prefix, regex)
				return
			}
			// A parameter given the caller's variable of the same name
			// (versioned(patterns)): that variable, read without the
			// function's locals.
			m = b.M
			saved := w.locals
			w.locals = nil
			defer func() { w.locals = saved }()
		}
		if len(m.Assigned(name)) == 0 {
			if tm, rest := w.p.Resolve(m, name); tm != nil && rest != "" && tm != m {
				w.parts(tm, rest, prefix)
				return
			}
			w.unresolved(m, n, prefix, "urlpatterns list "+name+" not found")
			return
		}
		w.parts(m, name, prefix)
	case "list_splat":
		cs := pysrc.Children(n)
		if len(cs) == 1 {
			w.patterns(m, cs[0], prefix, regex)
		}
	default:
		w.unresolved(m, n, prefix, "unsupported urlpatterns expression "+n.Kind())
	}
}

// functionPatterns reads the patterns a function of the project returns
// (urlpatterns = feeds + get_version_pages()): its return value, with its
// parameters bound to the call's arguments and its single assignments
// (base_pattern = "...", pages = [...]) to their values.
func (w *djangoWalker) functionPatterns(m *pysrc.Module, c pysrc.Call, prefix string, regex bool) bool {
	fm, def := w.p.FunctionDef(m, c.Fn)
	if def == nil {
		return false
	}
	ret := pysrc.ReturnValue(def)
	if ret == nil {
		return false
	}
	locals := w.ev.CallLocals(m, c, fm, def, w.locals)
	w.within(nil, false, locals, func() {
		w.patterns(fm, ret, prefix, regex)
	})
	return true
}

// static adds the route of static(settings.MEDIA_URL, ...) or
// staticfiles_urlpatterns(): Django serves files under the prefix only
// when settings.DEBUG is true (and not for an absolute URL prefix).
func (w *djangoWalker) static(m *pysrc.Module, c pysrc.Call, prefix string) {
	view := "django.views.static.serve"
	var pre string
	var assume []string
	ok := false
	if len(c.Args) > 0 {
		pre, assume, ok = w.ev.Str(m, c.Args[0], w.locals)
	} else if pysrc.LastName(c.Fn) == "staticfiles_urlpatterns" {
		view = "django.contrib.staticfiles.views.serve"
		for _, sm := range w.ev.SettingsOf(settingsObject) {
			if pre, assume, ok = w.ev.Name(sm, "STATIC_URL", "settings.STATIC_URL"); ok {
				break
			}
		}
	}
	if pysrc.LastName(c.Fn) == "staticfiles_urlpatterns" {
		view = "django.contrib.staticfiles.views.serve"
	}
	if !ok {
		w.within([]string{fmt.Sprintf("assumed settings.DEBUG is true (%s() at %s:%d serves files in development only)", pysrc.LastName(c.Fn), m.File, pysrc.Line(c.Node))}, true, nil, func() {
			w.unresolved(m, c.Node, prefix, "prefix of "+m.Text(c.Node)+" is not a constant string")
		})
		return
	}
	if strings.Contains(pre, "://") || strings.TrimLeft(pre, "/") == "" {
		return // Django adds no route for an absolute or empty prefix
	}
	full := joinDjango(prefix, strings.TrimLeft(pre, "/")+"<path:path>")
	if !w.debug {
		assume = append(assume, fmt.Sprintf("assumed settings.DEBUG is true (%s() at %s:%d serves files in development only)", pysrc.LastName(c.Fn), m.File, pysrc.Line(c.Node)))
	}
	w.within(assume, true, nil, func() {
		w.emit(&framework.Route{Framework: "django", Methods: []string{"GET", "HEAD"}, Pattern: displayDjango(full), File: m.File, Line: pysrc.Line(c.Node),
			View: view, Kind: "static", RouteName: full})
	})
}

func (w *djangoWalker) unresolved(m *pysrc.Module, n *sitter.Node, prefix, why string) {
	shown := "/" + prefix + "…"
	if strings.HasPrefix(prefix, "re:") {
		shown = "^/" + prefix[3:] + "…"
	}
	w.emit(&framework.Route{Framework: "django", Pattern: shown, File: m.File, Line: pysrc.Line(n), Unresolved: why})
}

// knownApps are applications outside the project whose views need a user,
// by the module their views and URLs come from, with the reason (cited
// from their source).
var knownApps = []struct{ module, why string }{
	{"django.contrib.admin", "django.contrib.admin: every page but the login needs a staff user, and the login form carries the CSRF token (django/contrib/admin/sites.py, AdminSite.admin_view and login)"},
	{"django.contrib.auth", "django.contrib.auth's views (login, logout, password change and reset) render forms with the CSRF token and read the session (django/contrib/auth/views.py)"},
	{"allauth", "django-allauth's account views render forms with the CSRF token and read the session (allauth/account/views.py)"},
	{"rest_framework.urls", "Django REST framework's login and logout views render forms with the CSRF token (rest_framework/urls.py: django.contrib.auth's LoginView)"},
}

// knownApp says why a view or URLconf of a known application outside the
// project (a dotted name in or under one of knownApps' modules) needs a
// user ("" when it is not one).
func knownApp(dotted string) string {
	for _, k := range knownApps {
		if dotted == k.module || strings.HasPrefix(dotted, k.module+".") {
			return k.why
		}
	}
	return ""
}

// knownAppRoutes lists the URLs of an application outside the project
// whose behaviour is known (knownApps) as one per-user route under prefix;
// false when target is not one.
func (w *djangoWalker) knownAppRoutes(m *pysrc.Module, at *sitter.Node, prefix, target string) bool {
	why := knownApp(target)
	if why == "" {
		return false
	}
	shown, rule := "/"+prefix+"…", "re:"+regexp.QuoteMeta(prefix)+".*"
	if strings.HasPrefix(prefix, "re:") {
		shown, rule = "^/"+prefix[3:]+"…", prefix+".*"
	}
	w.emit(&framework.Route{Framework: "django", Pattern: shown, RouteName: rule, File: m.File, Line: pysrc.Line(at), View: target, Kind: "framework",
		PerUser: true, PerUserWhy: why})
	return true
}

// budget counts a step of the walk; false once 20000 are spent (lists
// that double at each level), with a note the first time.
func (w *djangoWalker) budget() bool {
	w.steps++
	if w.steps == 20001 {
		w.rt.Notes = append(w.rt.Notes, "urlpatterns too large or too self-referential to follow: the walk stopped early")
	}
	return w.steps <= 20000
}

// element handles one entry of a urlpatterns list.
func (w *djangoWalker) element(m *pysrc.Module, e *sitter.Node, prefix string) {
	if !w.budget() {
		return
	}
	if e.Kind() == "list_splat" {
		w.patterns(m, e, prefix, false)
		return
	}
	c, ok := m.AsCall(e)
	if !ok {
		w.patterns(m, e, prefix, false)
		return
	}
	fn := pysrc.LastName(c.Fn)
	switch fn {
	case "path", "re_path", "url":
	default:
		w.patterns(m, e, prefix, false)
		return
	}
	if len(c.Args) < 2 {
		w.unresolved(m, e, prefix, fn+"() without a view")
		return
	}
	route, assume, ok := w.ev.Str(m, c.Args[0], w.locals)
	if !ok {
		w.unresolved(m, e, prefix, "route of "+fn+"() is not a constant string: "+m.Text(c.Args[0]))
		return
	}
	if len(assume) > 0 {
		w.within(assume, false, nil, func() { w.element2(m, e, c, fn, prefix, route) })
		return
	}
	w.element2(m, e, c, fn, prefix, route)
}

// element2 handles a path(), re_path() or url() entry whose route is known.
func (w *djangoWalker) element2(m *pysrc.Module, e *sitter.Node, c pysrc.Call, fn, prefix, route string) {
	if fn != "path" {
		route = "re:" + strings.TrimSuffix(strings.TrimPrefix(route, "^"), "$")
	}
	full := joinDjango(prefix, route)
	name := ""
	if nv, ok := c.Kw["name"]; ok {
		name, _ = m.StringValue(nv)
	}
	view := c.Args[1]
	if vc, ok := m.AsCall(view); ok {
		switch {
		case pysrc.LastName(vc.Fn) == "include":
			if len(vc.Args) == 0 {
				w.unresolved(m, e, full, "include() without an argument")
				return
			}
			w.include(m, vc.Args[0], full, e)
			return
		case strings.HasSuffix(vc.Fn, ".as_view"):
			cls := strings.TrimSuffix(vc.Fn, ".as_view")
			w.addView(m, e, full, cls, "class", name)
			return
		}
		if cm, rest := w.p.Resolve(m, vc.Fn); len(vc.Args) == 0 && loginDecoratorRe.FindStringSubmatch(vc.Fn) == nil &&
			cm != nil && rest != "" && cm.Defs[rest] != nil && pysrc.IsClass(cm.Defs[rest]) {
			// An instance of a class of the project is the view (a
			// syndication Feed, a callable view object): its class is.
			// Not a class given a view (a wrapper: Timed(account_view)),
			// whose requirement of a user would be the wrapped view's.
			w.addView(m, e, full, vc.Fn, "class", name)
			return
		}
		r := &framework.Route{Framework: "django", Pattern: displayDjango(full), File: m.File, Line: pysrc.Line(e),
			View: m.Text(view), Name: name, Unresolved: "view built by " + vc.Fn + "(): cannot be resolved statically"}
		if x := loginDecoratorRe.FindStringSubmatch(vc.Fn); x != nil {
			// path("...", login_required(View.as_view())): the view is
			// unknown, its requirement of a user is not.
			r.PerUser, r.PerUserWhy = true, fmt.Sprintf("wrapped in %s() in the URLconf (%s:%d)", x[1], m.File, pysrc.Line(e))
		}
		w.emit(r)
		return
	}
	if view.Kind() == "attribute" && pysrc.LastName(m.Text(view)) == "urls" {
		// path("api/", router.urls) or path("admin/", admin.site.urls): an include.
		w.include(m, view, full, e)
		return
	}
	w.addView(m, e, full, m.Text(view), "function", name)
}

// include follows include("mod.urls"), include(module), include(router.urls),
// include([...]) and include((patterns, "app")).
func (w *djangoWalker) include(m *pysrc.Module, arg *sitter.Node, prefix string, at *sitter.Node) {
	if s, assume, ok := w.ev.Str(m, arg, w.locals); ok {
		w.within(assume, false, nil, func() {
			if t := w.p.FindModule(s); t != nil {
				w.urlconf(t, prefix, "", nil)
				return
			}
			if !w.knownAppRoutes(m, at, prefix, s) {
				w.unresolved(m, at, prefix, "included module "+s+" not found under --src (a third-party package?)")
			}
		})
		return
	}
	switch arg.Kind() {
	case "tuple", "parenthesized_expression":
		cs := pysrc.Children(arg)
		if len(cs) > 0 {
			w.include(m, cs[0], prefix, at)
		}
		return
	case "list":
		w.patterns(m, arg, prefix, false)
		return
	case "attribute":
		if pysrc.LastName(m.Text(arg)) == "urls" {
			w.router(m, m.Text(arg.ChildByFieldName("object")), prefix, at)
			return
		}
	case "identifier":
		if b, ok := w.locals[m.Text(arg)]; ok {
			w.include(b.M, b.N, prefix, at)
			return
		}
		if _, _, _, ok := m.Binding(m.Text(arg)); ok {
			w.parts(m, m.Text(arg), prefix)
			return
		}
	}
	// A module object or a list variable.
	if t, rest := w.p.Resolve(m, m.Text(arg)); t != nil {
		if rest == "" {
			w.urlconf(t, prefix, "", nil)
			return
		}
		w.parts(t, rest, prefix)
		return
	}
	if target, ok := m.Imports[strings.SplitN(m.Text(arg), ".", 2)[0]]; ok {
		if !w.knownAppRoutes(m, at, prefix, target) {
			w.unresolved(m, at, prefix, "include("+m.Text(arg)+"): "+target+" is not under --src (a third-party package?)")
		}
		return
	}
	w.unresolved(m, at, prefix, "cannot resolve include("+m.Text(arg)+")")
}

func joinDjango(prefix, route string) string {
	if strings.HasPrefix(route, "re:") {
		if strings.HasPrefix(prefix, "re:") {
			return prefix + route[3:]
		}
		return "re:" + djangoToRegex(prefix) + route[3:]
	}
	if strings.HasPrefix(prefix, "re:") {
		return prefix + djangoToRegex(route)
	}
	return prefix + route
}

// addView records a route to a function or class view.
func (w *djangoWalker) addView(m *pysrc.Module, at *sitter.Node, pattern, view, kind, name string) {
	r := &framework.Route{Framework: "django", Pattern: displayDjango(pattern), File: m.File, Line: pysrc.Line(at), View: view, Kind: kind, Name: name}
	r.Regex = nil
	r.RouteName = pattern
	if vm, rest := w.p.Resolve(m, view); vm != nil && rest != "" {
		if def, ok := vm.Defs[rest]; ok {
			r.ViewMod, r.ViewNode = vm, def
			r.View = vm.Name + "." + rest
			r.HasCacheControl, r.PerUser = framework.InspectView(vm, def)
			if pysrc.IsClass(def) {
				r.Kind = "class"
			}
			r.Methods = djangoMethods(w.p, vm, def)
		}
	}
	if r.ViewNode == nil {
		// Django's and DRF's generic views answer known methods.
		if target := m.Imports[strings.SplitN(view, ".", 2)[0]]; target != "" && (strings.HasPrefix(target, "django.") || strings.HasPrefix(target, "rest_framework.")) {
			if hs, ok := classViewHandlers[pysrc.LastName(view)]; ok {
				r.Methods = nil
				for _, n := range []string{"get", "post", "put", "patch", "delete", "options"} {
					if slices.Contains(hs, n) {
						r.Methods = append(r.Methods, strings.ToUpper(n))
					}
				}
			}
		}
		// The pattern is whole: the route matches its traffic; its view
		// (Django's RedirectView, a library's view) is not read, so the
		// route is advised as unverified and never patched.
		r.ViewOutside = "view " + view + " is not defined under --src (a library's view?): the route is matched, its view is not read or patched"
		// A view of a known application outside the project, imported
		// under another name (from allauth.account import views as v).
		if why := knownApp(m.Imports[strings.SplitN(view, ".", 2)[0]]); why != "" {
			r.PerUser, r.PerUserWhy = true, why
		}
	}
	w.emit(r)
	if w.viewSuffix {
		// path("items/") becomes path("items<drf_format_suffix:format>"),
		// a re_path its regex with \.(?P<format>[a-z0-9]+)/?$.
		f := *r
		if strings.HasPrefix(pattern, "re:") {
			f.RouteName = formatSuffix(pattern, w.suffix)
		} else {
			f.RouteName = strings.TrimRight(pattern, "/") + "<drf_format_suffix:format>"
		}
		f.Pattern = displayDjango(f.RouteName)
		w.emit(&f)
	}
}

// router adds the routes of a Django REST framework router variable:
// DRF's SimpleRouter and DefaultRouter, project routers built on them
// (their own routes = [Route(...), DynamicRoute(...)]), and
// drf-nested-routers' NestedSimpleRouter and NestedDefaultRouter (below
// their parent's prefix and lookup). register() calls are read wherever
// the module makes them, in loops over literal lists too.
func (w *djangoWalker) router(m *pysrc.Module, name, prefix string, at *sitter.Node) {
	rm, rname, c, ok := w.routerDef(m, name)
	if !ok {
		if target, ok := m.Imports[strings.SplitN(name, ".", 2)[0]]; ok && rm == m {
			if !w.knownAppRoutes(m, at, prefix, target) {
				w.unresolved(m, at, prefix, "routes of "+name+".urls come from "+target+", not under --src (a third-party package?)")
			}
			return
		}
		w.unresolved(m, at, prefix, "router "+name+" not found")
		return
	}
	kind, routes := w.routerClass(rm, c.Fn)
	trailing := "/"
	if ts, ok := c.Kw["trailing_slash"]; ok && rm.Text(ts) == "False" {
		trailing = ""
	}
	line := pysrc.Line(c.Node)
	if kind == "DefaultRouter" || kind == "NestedDefaultRouter" {
		if w.suffix == "unset" {
			w.suffix = w.suffixEnd()
		}
		w.emit(&framework.Route{Framework: "django", Methods: []string{"GET"}, Pattern: displayDjango(prefix), File: rm.File,
			Line: line, View: rname + " (api root)", Kind: "viewset", RouteName: prefix})
		w.emit(&framework.Route{Framework: "django", Methods: []string{"GET"}, Pattern: displayDjango(joinDjango(prefix, formatSuffix("", w.suffix))), File: rm.File,
			Line: line, View: rname + " (api root)", Kind: "viewset", RouteName: joinDjango(prefix, formatSuffix("", w.suffix))})
		// DefaultRouter adds format-suffix variants (.json, .api) of its routes.
		old := w.formatSuffix
		w.formatSuffix = true
		defer func() { w.formatSuffix = old }()
	}
	nest := ""
	if strings.HasPrefix(kind, "Nested") {
		var why string
		if nest, _, why = w.nestPrefix(rm, c, 0); why != "" {
			w.unresolved(rm, c.Node, prefix, why)
			return
		}
	}
	for _, reg := range w.registrations(rm, rname) {
		if reg.method != "register" {
			// Not DRF's register (Wagtail's register_endpoint, ...): the
			// router class decides the routes.
			w.unresolved(rm, reg.at, prefix+strings.Trim(reg.prefix, "/")+"/", "endpoint of "+kind+"."+reg.method+"(): its routes are decided by the router class, not under --src")
			continue
		}
		if reg.why != "" {
			w.unresolved(rm, reg.at, prefix, reg.why)
			continue
		}
		base := prefix + nest + strings.Trim(reg.prefix, "/")
		if strings.ContainsAny(reg.prefix, `(\[`) {
			// DRF's prefixes are regexes: one with a group or an escape
			// makes the route a regex one.
			base = joinDjango(prefix+nest, "re:"+strings.Trim(reg.prefix, "/"))
		}
		w.within(reg.assume, false, nil, func() {
			w.viewset(rm, reg.at, base, reg.vm, reg.view, trailing, routes)
		})
	}
}

// routerDef finds the statement that makes a router: the module it is in,
// its name there and the call.
func (w *djangoWalker) routerDef(m *pysrc.Module, name string) (*pysrc.Module, string, pysrc.Call, bool) {
	rm, rname := m, name
	if len(m.Assigned(name)) == 0 {
		if t, rest := w.p.Resolve(m, name); t != nil && rest != "" {
			rm, rname = t, rest
		}
	}
	vals := rm.Assigned(rname)
	if len(vals) == 0 {
		return rm, rname, pysrc.Call{}, false
	}
	c, ok := rm.AsCall(vals[len(vals)-1])
	return rm, rname, c, ok
}

// drfRoute is one entry of a router's routes: a URL template, the methods
// it maps to actions (none for a DynamicRoute, whose actions are the
// viewset's @action methods) and whether it is a detail route.
type drfRoute struct {
	url     string
	mapping [][2]string // method, action
	detail  bool
	dynamic bool
}

// simpleRoutes are DRF's SimpleRouter.routes (rest_framework/routers.py):
// the list route, list-level @actions, the detail route, detail-level
// @actions, in the order Django tries them.
var simpleRoutes = []drfRoute{
	{url: "^{prefix}{trailing_slash}$", mapping: [][2]string{{"get", "list"}, {"post", "create"}}},
	{url: "^{prefix}/{url_path}{trailing_slash}$", dynamic: true},
	{url: "^{prefix}/{lookup}{trailing_slash}$", mapping: [][2]string{{"get", "retrieve"}, {"put", "update"}, {"patch", "partial_update"}, {"delete", "destroy"}}, detail: true},
	{url: "^{prefix}/{lookup}/{url_path}{trailing_slash}$", dynamic: true, detail: true},
}

// drfRouters are the router classes whose routes are DRF's own.
var drfRouters = map[string]bool{"SimpleRouter": true, "DefaultRouter": true, "NestedSimpleRouter": true, "NestedDefaultRouter": true, "ExtendedSimpleRouter": true, "ExtendedDefaultRouter": true}

// routerClass names the DRF router class a call makes (a project class
// built on one is followed to it) and the routes it serves: the class's
// own routes = [...] when the project sets them, else SimpleRouter's.
func (w *djangoWalker) routerClass(m *pysrc.Module, fn string) (string, []drfRoute) {
	kind := pysrc.LastName(fn)
	bm, rest := w.p.Resolve(m, fn)
	if bm == nil || rest == "" || bm.Defs[rest] == nil || !pysrc.IsClass(bm.Defs[rest]) {
		return kind, simpleRoutes
	}
	// A class of the project: a router built on DRF's, or a copy of DRF
	// kept in the tree (its own routes, its own format suffix).
	chain := w.p.ClassChain(bm, bm.Defs[rest])
	if !drfRouters[kind] {
		for _, ext := range w.p.External(chain) {
			if drfRouters[pysrc.LastName(ext)] {
				kind = pysrc.LastName(ext)
				break
			}
		}
	}
	at, v, ok := pysrc.ClassAssignment(chain, "routes")
	if !ok || v.Kind() != "list" {
		return kind, simpleRoutes
	}
	var routes []drfRoute
	for _, e := range pysrc.Children(v) {
		rc, ok := at.M.AsCall(e)
		if !ok {
			continue
		}
		// DRF 3.8 and before: DynamicListRoute and DynamicDetailRoute
		// for @list_route and @detail_route, with {methodname}.
		cls := pysrc.LastName(rc.Fn)
		r := drfRoute{dynamic: cls == "DynamicRoute" || cls == "DynamicListRoute" || cls == "DynamicDetailRoute", detail: cls == "DynamicDetailRoute"}
		arg := func(kw string, pos int) *sitter.Node {
			if n, ok := rc.Kw[kw]; ok {
				return n
			}
			if pos < len(rc.Args) {
				return rc.Args[pos]
			}
			return nil
		}
		url, ok := at.M.StringValue(arg("url", 0))
		if !ok {
			return kind, simpleRoutes
		}
		r.url = url
		detailPos := 3
		if r.dynamic {
			detailPos = 2
		} else if mp := arg("mapping", 1); mp != nil && mp.Kind() == "dictionary" {
			for _, pair := range pysrc.Children(mp) {
				if pair.Kind() != "pair" {
					continue
				}
				k, ok1 := at.M.StringValue(pair.ChildByFieldName("key"))
				a, ok2 := at.M.StringValue(pair.ChildByFieldName("value"))
				if ok1 && ok2 {
					r.mapping = append(r.mapping, [2]string{k, a})
				}
			}
		}
		if d := arg("detail", detailPos); d != nil && at.M.Text(d) == "True" {
			r.detail = true
		}
		routes = append(routes, r)
	}
	return kind, routes
}

// nestPrefix is the part of a nested router's URLs above its own
// registrations (drf-nested-routers' NestedMixin): the parent router's
// prefix for the parent prefix given, then the parent viewset's lookup
// named lookup_<lookup field> (nested_N_ without lookup=), each level of
// nesting in turn.
func (w *djangoWalker) nestPrefix(m *pysrc.Module, c pysrc.Call, depth int) (prefix string, level int, why string) {
	if len(c.Args) < 2 || depth > 6 {
		return "", 0, "nested router " + m.Text(c.Node) + ": its parent router and prefix are not both given"
	}
	parentPrefix, _, ok := w.ev.Str(m, c.Args[1], nil)
	if !ok {
		return "", 0, "nested router's parent prefix " + m.Text(c.Args[1]) + " is not a constant string"
	}
	pm, pname, pc, ok := w.routerDef(m, m.Text(c.Args[0]))
	if !ok {
		return "", 0, "nested router's parent " + m.Text(c.Args[0]) + " not found"
	}
	above, level := "", 1
	if kind, _ := w.routerClass(pm, pc.Fn); strings.HasPrefix(kind, "Nested") {
		var parentLevel int
		if above, parentLevel, why = w.nestPrefix(pm, pc, depth+1); why != "" {
			return "", 0, why
		}
		level = parentLevel + 1
	}
	lookup := fmt.Sprintf("nested_%d", level)
	if v, ok := c.Kw["lookup"]; ok {
		if s, ok := m.StringValue(v); ok {
			lookup = s
		}
	}
	field := "pk"
	for _, reg := range w.registrations(pm, pname) {
		if strings.Trim(reg.prefix, "/") == strings.Trim(parentPrefix, "/") && reg.vm != nil {
			if vm, rest := w.p.Resolve(reg.vm, reg.view); vm != nil && vm.Defs[rest] != nil {
				field = lookupField(w.p, vm, vm.Defs[rest], "pk")
			}
		}
	}
	return above + strings.Trim(parentPrefix, "/") + "/<" + lookup + "_" + field + ">/", level, ""
}

// registration is a router.register(prefix, viewset) call: where it is,
// the prefix, and the viewset as written in the module vm (a loop
// variable is followed to the list item it takes).
type registration struct {
	at     *sitter.Node
	method string
	prefix string
	vm     *pysrc.Module
	view   string
	assume []string
	why    string
}

// registrations lists the register calls made on a router in its module,
// in source order, wherever the module makes them (if and try blocks,
// loops over literal lists, function bodies).
func (w *djangoWalker) registrations(rm *pysrc.Module, rname string) []registration {
	var out []registration
	aw := &framework.AppWalker{Proj: w.p, Routes: w.rt, Eval: w.ev}
	aw.EachCallCtx(rm, func(rc pysrc.Call, ctx framework.WalkCtx) {
		if chain := registerChain(rm, rc.Node, rname, 0); len(chain) > 1 {
			// drf-extensions' nested routes: router.register(a, A)
			// .register(b, B, parents_query_lookups=["a"]) serves B at
			// a/(?P<parent_lookup_a>[^/.]+)/b.
			prefix := ""
			for i, c := range chain {
				reg := registration{at: c.Node, method: "register", vm: rm}
				if len(c.Args) < 2 {
					return
				}
				reg.view = rm.Text(c.Args[1])
				p, assume, ok := w.ev.Str(rm, c.Args[0], ctx.Locals)
				if !ok {
					reg.why = "router prefix " + rm.Text(c.Args[0]) + " is not a constant string"
				}
				if i > 0 {
					lookup := "parent"
					if v, ok := c.Kw["parents_query_lookups"]; ok {
						for _, e := range pysrc.Children(v) {
							if s, ok := rm.StringValue(e); ok {
								lookup = s
							}
						}
					}
					p = strings.Trim(prefix, "/") + "/(?P<parent_lookup_" + lookup + ">[^/.]+)/" + strings.Trim(p, "/")
				}
				prefix = p
				reg.prefix = p
				reg.assume = append(append([]string(nil), ctx.Assume...), assume...)
				out = append(out, reg)
			}
			return
		}
		obj, method := pysrc.SplitLast(rc.Fn)
		if obj != rname || !strings.HasPrefix(method, "register") || len(rc.Args) < 2 {
			return
		}
		reg := registration{at: rc.Node, method: method, vm: rm, view: rm.Text(rc.Args[1])}
		p, assume, ok := w.ev.Str(rm, rc.Args[0], ctx.Locals)
		if !ok {
			reg.why = "router prefix " + rm.Text(rc.Args[0]) + " is not a constant string"
		}
		reg.prefix = p
		reg.assume = append(append([]string(nil), ctx.Assume...), assume...)
		if v := rc.Args[1]; v.Kind() == "identifier" {
			if b, ok := ctx.Locals[rm.Text(v)]; ok {
				reg.vm, reg.view = b.M, b.M.Text(b.N)
			}
		}
		out = append(out, reg)
	})
	return out
}

// registerChain lists the register calls of a chained statement
// router.register(...).register(...), from the router's outwards (one
// call when it is not chained; nil when it is not a register call on the
// router).
func registerChain(m *pysrc.Module, n *sitter.Node, rname string, depth int) []pysrc.Call {
	c, ok := m.AsCall(n)
	fn := n.ChildByFieldName("function")
	if !ok || fn == nil || fn.Kind() != "attribute" || depth > 8 {
		return nil
	}
	if !strings.HasPrefix(m.Text(fn.ChildByFieldName("attribute")), "register") {
		return nil
	}
	obj := fn.ChildByFieldName("object")
	if obj.Kind() == "call" {
		if inner := registerChain(m, obj, rname, depth+1); inner != nil {
			return append(inner, c)
		}
		return nil
	}
	if m.Text(obj) == rname {
		return []pysrc.Call{c}
	}
	return nil
}

// lookupField is a viewset's lookup_url_kwarg, else its lookup_field (def
// when it sets neither), read through its project bases.
func lookupField(p *pysrc.Project, vm *pysrc.Module, def *sitter.Node, def0 string) string {
	chain := p.ClassChain(vm, def)
	for _, attr := range []string{"lookup_url_kwarg", "lookup_field"} {
		if at, v, ok := pysrc.ClassAssignment(chain, attr); ok {
			if s, ok := at.M.StringValue(v); ok {
				return s
			}
		}
	}
	return def0
}

// drfBaseActions are the actions DRF's generic viewsets and mixins provide.
var drfBaseActions = map[string][]string{
	"ModelViewSet":         {"list", "create", "retrieve", "update", "partial_update", "destroy"},
	"ReadOnlyModelViewSet": {"list", "retrieve"},
	"ListModelMixin":       {"list"},
	"CreateModelMixin":     {"create"},
	"RetrieveModelMixin":   {"retrieve"},
	"UpdateModelMixin":     {"update", "partial_update"},
	"DestroyModelMixin":    {"destroy"},
	"ViewSet":              {},
	"GenericViewSet":       {},
	"ViewSetMixin":         {},
}

// viewsetActions lists the router actions a viewset class provides: the
// methods it defines and those of its bases (DRF's generic viewsets and
// mixins, or classes of the project, followed). known is false when a base
// could not be read.
func (w *djangoWalker) viewsetActions(m *pysrc.Module, def *sitter.Node, depth int) (actions map[string]bool, known bool) {
	actions, known = map[string]bool{}, true
	cls := pysrc.ClassNode(def)
	for _, name := range pysrc.ClassMethods(m, def) {
		actions[name] = true
	}
	for _, b := range pysrc.Children(cls.ChildByFieldName("superclasses")) {
		if b.Kind() == "keyword_argument" {
			continue
		}
		name := m.Text(b)
		if acts, ok := drfBaseActions[pysrc.LastName(name)]; ok {
			for _, a := range acts {
				actions[a] = true
			}
			continue
		}
		if bm, rest := w.p.Resolve(m, name); bm != nil && rest != "" && bm.Defs[rest] != nil && depth < 8 {
			sub, ok := w.viewsetActions(bm, bm.Defs[rest], depth+1)
			for a := range sub {
				actions[a] = true
			}
			known = known && ok
			continue
		}
		switch pysrc.LastName(name) {
		case "object", "APIView", "GenericAPIView":
		default:
			known = false
		}
	}
	return actions, known
}

// drfAction is an @action method of a viewset.
type drfAction struct {
	name, urlPath string
	methods       []string
	detail        bool
}

// viewsetExtraActions lists the @action methods of a viewset class and its
// project bases.
func viewsetExtraActions(p *pysrc.Project, vm *pysrc.Module, def *sitter.Node) []drfAction {
	var out []drfAction
	seen := map[string]bool{}
	for _, c := range p.ClassChain(vm, def) {
		for _, st := range pysrc.Children(c.Body()) {
			if st.Kind() != "decorated_definition" {
				continue
			}
			var ac pysrc.Call
			found := false
			for _, d := range pysrc.Children(st) {
				if d.Kind() != "decorator" {
					continue
				}
				for _, e := range pysrc.Children(d) {
					if call, ok := c.M.AsCall(e); ok {
						switch pysrc.LastName(call.Fn) {
						case "action", "list_route", "detail_route":
							ac, found = call, true
						}
					}
				}
			}
			fn := st.ChildByFieldName("definition")
			if !found || fn == nil {
				continue
			}
			name := c.M.Text(fn.ChildByFieldName("name"))
			if seen[name] {
				continue
			}
			seen[name] = true
			a := drfAction{name: name, urlPath: name, methods: []string{"GET"}}
			if v, ok := ac.Kw["url_path"]; ok {
				if s, ok := c.M.StringValue(v); ok {
					a.urlPath = s
				}
			}
			if v, ok := ac.Kw["methods"]; ok {
				a.methods = nil
				for _, mv := range pysrc.Children(v) {
					if s, ok := c.M.StringValue(mv); ok {
						a.methods = append(a.methods, strings.ToUpper(s))
					}
				}
			}
			if v, ok := ac.Kw["detail"]; ok && c.M.Text(v) == "True" {
				a.detail = true
			}
			if pysrc.LastName(ac.Fn) == "detail_route" {
				a.detail = true
			}
			out = append(out, a)
		}
	}
	return out
}

// expandRoute fills a router URL template: {prefix}, {lookup},
// {url_path}, {trailing_slash}; the ^ and $ anchors are dropped (the
// prefix says whether the pattern is a regex).
func expandRoute(url, base, lookup, urlPath, slash string) string {
	url = strings.TrimSuffix(strings.TrimPrefix(url, "^"), "$")
	return strings.NewReplacer("{prefix}", base, "{lookup}", "<"+lookup+">", "{url_path}", urlPath, "{methodname}", urlPath,
		"{methodnamehyphen}", strings.ReplaceAll(urlPath, "_", "-"), "{trailing_slash}", slash).Replace(url)
}

// viewset adds a ViewSet's rows, one per (route, method, action) the
// router's routes map to an action the viewset provides, in the routes'
// order (the order Django tries them in).
func (w *djangoWalker) viewset(m *pysrc.Module, at *sitter.Node, base string, viewMod *pysrc.Module, view, slash string, routes []drfRoute) {
	vm, rest := w.p.Resolve(viewMod, view)
	var def *sitter.Node
	if vm != nil {
		def = vm.Defs[rest]
	}
	emit := func(pattern string, methods []string, action string) {
		if strings.HasPrefix(pattern, "re:") {
			pattern = "re:" + drfRegex(pattern)
		}
		r := &framework.Route{Framework: "django", Methods: methods, Pattern: displayDjango(pattern), File: m.File, Line: pysrc.Line(at), View: view + "." + action, Kind: "viewset", Action: action, RouteName: pattern}
		if def != nil {
			r.ViewMod, r.ViewNode, r.View = vm, def, vm.Name+"."+rest+"."+action
			r.HasCacheControl, r.PerUser = framework.InspectView(vm, def)
		} else {
			r.Unresolved = "viewset " + view + " not found under --src"
		}
		w.emit(r)
		if w.formatSuffix {
			f := *r
			f.RouteName = formatSuffix(pattern, w.suffix)
			f.Pattern = displayDjango(f.RouteName)
			w.emit(&f)
		}
	}
	lookup := "pk"
	var extra []drfAction
	provided, known := map[string]bool{}, false
	if def != nil {
		provided, known = w.viewsetActions(vm, def, 0)
		lookup = lookupField(w.p, vm, def, "pk")
		extra = viewsetExtraActions(w.p, vm, def)
	}
	for _, rt := range routes {
		if rt.dynamic {
			for _, a := range extra {
				if a.detail == rt.detail {
					emit(expandRoute(rt.url, base, lookup, a.urlPath, slash), a.methods, a.name)
				}
			}
			continue
		}
		for _, mp := range rt.mapping {
			if (len(provided) > 0 || known) && !provided[mp[1]] {
				continue
			}
			emit(expandRoute(rt.url, base, lookup, "", slash), []string{strings.ToUpper(mp[0])}, mp[1])
		}
	}
}

// drfRegex turns a router pattern below a regex prefix into a regex:
// <lookup> becomes DRF's (?P<lookup>[^/.]+); groups already written as
// (?P<name>...) are kept.
func drfRegex(p string) string {
	p = strings.TrimPrefix(p, "re:")
	var b strings.Builder
	for {
		i := strings.IndexByte(p, '<')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '>')
		if j < 0 || strings.HasSuffix(p[:i], "?P") {
			b.WriteString(p[:i+1])
			p = p[i+1:]
			continue
		}
		b.WriteString(p[:i])
		b.WriteString("(?P<" + p[i+1:i+j] + ">[^/.]+)")
		p = p[i+j+1:]
	}
}

// formatSuffix is DRF's format-suffix variant of a route
// (format_suffix_patterns): the route without its trailing slash, then
// \.(?P<format>[a-z0-9]+)/?, as a regex.
func formatSuffix(p, end string) string {
	re := ""
	if strings.HasPrefix(p, "re:") {
		re = drfRegex(p)
	} else {
		var b strings.Builder
		for {
			i := strings.IndexByte(p, '<')
			j := strings.IndexByte(p[max(i, 0):], '>')
			if i < 0 || j < 0 {
				b.WriteString(regexp.QuoteMeta(p))
				break
			}
			b.WriteString(regexp.QuoteMeta(p[:i]))
			name := p[i+1 : i+j]
			if k := strings.IndexByte(name, ':'); k >= 0 {
				name = name[k+1:]
			}
			b.WriteString("(?P<" + name + ">[^/.]+)")
			p = p[i+j+1:]
		}
		re = b.String()
	}
	return "re:" + strings.TrimSuffix(re, "/") + `\.(?P<format>[a-z0-9]+)` + end
}

// suffixEnd is what DRF's format_suffix_patterns puts after the format
// group: "/?" (rest_framework/urlpatterns.py), or "" for a copy of DRF kept
// in the project whose suffix pattern ends the path there (as DRF 2 did).
func (w *djangoWalker) suffixEnd() string {
	for _, m := range w.p.Files {
		if def := m.Defs["format_suffix_patterns"]; def != nil {
			t := m.Text(def)
			if strings.Contains(t, `)$"`) || strings.Contains(t, `)$'`) {
				return ""
			}
		}
	}
	return "/?"
}

// displayDjango shows a Django pattern as a path: "/" + route, with regex
// routes shown as their regex.
func displayDjango(p string) string {
	if strings.HasPrefix(p, "re:") {
		return "^/" + p[3:] + "$"
	}
	return "/" + p
}

// djangoToRegex turns a path() route into a regex with the built-in
// converters.
func djangoToRegex(route string) string { return djangoRegex(route, djangoConverters) }

// djangoRegex turns a path() route into a regex (converters as given).
var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func djangoRegex(route string, converters map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(route, '<')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(route))
			return b.String()
		}
		j := strings.IndexByte(route[i:], '>')
		if j < 0 {
			b.WriteString(regexp.QuoteMeta(route))
			return b.String()
		}
		b.WriteString(regexp.QuoteMeta(route[:i]))
		conv, name, hasConv := strings.Cut(route[i+1:i+j], ":")
		if !hasConv {
			conv, name = "str", conv
		}
		re := `[^/]+`
		if conv == "lang" {
			re = `[a-z]{2}(?:-[a-zA-Z]{2,4})?`
		} else if c, ok := converters[conv]; ok {
			re = c
		}
		// A named group, as Django's RoutePattern compiles it
		// (django/urls/resolvers.py _route_to_regex).
		if identRe.MatchString(name) {
			b.WriteString("(?P<" + name + ">" + re + ")")
		} else {
			b.WriteString("(" + re + ")")
		}
		route = route[i+j+1:]
	}
}

// djangoMethods reads the HTTP methods a view accepts from @require_GET,
// @require_http_methods([...]), @api_view([...]) or a class's get/post/...
// methods (nil: any).
func djangoMethods(p *pysrc.Project, m *pysrc.Module, def *sitter.Node) []string {
	for _, d := range pysrc.Decorators(m, def) {
		switch {
		case d == "require_GET" || d == "require_safe":
			return []string{"GET", "HEAD"}
		case d == "require_POST":
			return []string{"POST"}
		case strings.HasPrefix(d, "require_http_methods(") || strings.HasPrefix(d, "api_view("):
			return pysrc.MethodsIn(d)
		case d == "api_view" || d == "api_view()":
			return []string{"GET"}
		}
	}
	if !pysrc.IsClass(def) {
		return nil
	}
	// A class view answers the handlers it and its bases define: the
	// project's classes read, Django's and DRF's generic views known.
	chain := p.ClassChain(m, def)
	has := map[string]bool{}
	for _, c := range chain {
		for _, n := range pysrc.ClassMethods(c.M, c.Node) {
			has[n] = true
		}
	}
	ownOptions := hasOwn(chain, "options")
	for _, ext := range p.External(chain) {
		for _, n := range classViewHandlers[pysrc.LastName(ext)] {
			has[n] = true
			ownOptions = ownOptions || n == "options"
		}
	}
	allowed := map[string]bool{}
	if at, v, ok := pysrc.ClassAssignment(chain, "http_method_names"); ok {
		for _, e := range pysrc.Children(v) {
			if s, ok := at.M.StringValue(e); ok {
				allowed[s] = true
			}
		}
	}
	var out []string
	for _, n := range []string{"get", "post", "put", "patch", "delete", "head", "options"} {
		if has[n] && (len(allowed) == 0 || allowed[n]) {
			if (n == "head" && has["get"]) || (n == "options" && !ownOptions) {
				continue // GET rows stand for HEAD; View's own options() is every view's
			}
			out = append(out, strings.ToUpper(n))
		}
	}
	return out
}

// hasOwn says whether a class of the chain defines the method itself.
func hasOwn(chain []pysrc.ClassAt, name string) bool {
	_, _, ok := pysrc.ClassMethod(chain, name)
	return ok
}

// classViewHandlers are the HTTP handlers Django's and DRF's generic
// class-based views define (django/views/generic/*.py,
// rest_framework/generics.py), by class name.
var classViewHandlers = map[string][]string{
	"TemplateView": {"get"}, "RedirectView": {"get", "head", "post", "options", "delete", "put", "patch"},
	"DetailView": {"get"}, "BaseDetailView": {"get"}, "ListView": {"get"}, "BaseListView": {"get"},
	"FormView": {"get", "post", "put"}, "BaseFormView": {"get", "post", "put"}, "ProcessFormView": {"get", "post", "put"},
	"CreateView": {"get", "post", "put"}, "BaseCreateView": {"get", "post", "put"},
	"UpdateView": {"get", "post", "put"}, "BaseUpdateView": {"get", "post", "put"},
	"DeleteView": {"get", "post", "delete"}, "BaseDeleteView": {"get", "post", "delete"}, "DeletionMixin": {"post", "delete"},
	"ArchiveIndexView": {"get"}, "YearArchiveView": {"get"}, "MonthArchiveView": {"get"}, "WeekArchiveView": {"get"},
	"DayArchiveView": {"get"}, "TodayArchiveView": {"get"}, "DateDetailView": {"get"},
	"ListAPIView": {"get"}, "CreateAPIView": {"post"}, "RetrieveAPIView": {"get"}, "DestroyAPIView": {"delete"},
	"UpdateAPIView": {"put", "patch"}, "ListCreateAPIView": {"get", "post"}, "RetrieveUpdateAPIView": {"get", "put", "patch"},
	"RetrieveDestroyAPIView": {"get", "delete"}, "RetrieveUpdateDestroyAPIView": {"get", "put", "patch", "delete"},
	"LoginView": {"get", "post", "put"}, "PasswordChangeView": {"get", "post", "put"}, "PasswordResetView": {"get", "post", "put"},
}

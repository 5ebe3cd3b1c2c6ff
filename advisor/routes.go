package advisor

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Route is one row of the route table: one method (GET stands for GET and
// HEAD) of one URL pattern. A view that serves several methods on one
// pattern has a row per method, so that its safe methods can be advised for
// a cache while its unsafe ones are not.
type Route struct {
	Framework string `json:"framework"` // django or fastapi
	// Method is this row's method: GET (with HEAD), POST, PUT, ...
	Method string `json:"method"`
	// Methods are all the methods the view accepts on this pattern (empty:
	// any, and the route has a GET row only).
	Methods []string `json:"methods"`
	Pattern string   `json:"pattern"` // full pattern, prefixes resolved (/api/users/<int:pk>/, /items/{item_id})
	File    string   `json:"file"`    // where the route is declared
	Line    int      `json:"line"`
	View    string   `json:"view"`           // dotted name of the view
	Kind    string   `json:"kind"`           // function, class, viewset, static
	Name    string   `json:"name,omitempty"` // route name
	// Action is the DRF viewset action (list, create, retrieve, ...).
	Action string `json:"action,omitempty"`
	// Unresolved says why the route could not be resolved statically (the
	// pattern or view is then partial).
	Unresolved string `json:"unresolved,omitempty"`
	// HasCacheControl: the view already sets Cache-Control (decorator,
	// header, patch_cache_control); PerUser: it depends on the user
	// (login_required, IsAuthenticated, Depends(current user), ...).
	HasCacheControl bool `json:"has_cache_control,omitempty"`
	PerUser         bool `json:"per_user,omitempty"`
	// Assumptions are what the static reading took for granted to resolve
	// the route: a default of os.getenv, a name's unconditional value
	// while a condition may reassign it, a branch of an if taken.
	Assumptions []string `json:"assumptions,omitempty"`
	// DebugOnly: the route exists only when settings.DEBUG is true
	// (if settings.DEBUG: blocks, static()).
	DebugOnly bool `json:"debug_only,omitempty"`

	regex    *regexp.Regexp
	viewMod  *module
	viewNode *sitter.Node // the view's (decorated) definition, for patches
	// routeName identifies the route for the FastAPI middleware: the path
	// format FastAPI reports for it.
	routeName string
}

// ViewFile and ViewLine locate the view's definition ("" when unknown).
func (r *Route) ViewFile() string {
	if r.viewMod == nil {
		return ""
	}
	return r.viewMod.file
}

// ViewLine is the 1-based line of the view's definition.
func (r *Route) ViewLine() int {
	if r.viewNode == nil {
		return 0
	}
	return line(r.viewNode)
}

// Routes is the route table of a project.
type Routes struct {
	Framework string   `json:"framework"` // django, fastapi, both or none
	Routes    []*Route `json:"routes"`
	Notes     []string `json:"notes,omitempty"`
	proj      *project
	// converters are Django path converters: the built-in ones and those
	// registered with register_converter (their regex attribute).
	converters map[string]string
}

// ExtractRoutes lists every route of the Django or FastAPI project under
// src. Nothing is run: the source is parsed with tree-sitter.
func ExtractRoutes(src string) (*Routes, error) {
	p, err := loadProject(src)
	if err != nil {
		return nil, err
	}
	rt := &Routes{proj: p, converters: map[string]string{}}
	for k, v := range djangoConverters {
		rt.converters[k] = v
	}
	ev := &evaluator{p: p}
	dj := &djangoWalker{p: p, rt: rt, ev: ev, seen: map[string]bool{}}
	dj.run()
	fa := &fastapiWalker{p: p, rt: rt, ev: ev}
	fa.run()
	switch {
	case dj.found && fa.found:
		rt.Framework = "both"
	case dj.found:
		rt.Framework = "django"
	case fa.found:
		rt.Framework = "fastapi"
	default:
		rt.Framework = "none"
		rt.Notes = append(rt.Notes, "no Django urlpatterns and no FastAPI app found under "+src)
	}
	rt.finish()
	return rt, nil
}

// finish compiles the route matchers, splits each route into one row per
// method, and sorts the rows by pattern, method, file, line and view, so
// that the table does not depend on map or file order.
func (rt *Routes) finish() {
	var rows []*Route
	for _, r := range rt.Routes {
		if r.Unresolved == "" && r.regex == nil {
			re, err := compilePattern(r, rt.converters)
			if err != nil {
				r.Unresolved = err.Error()
			} else {
				r.regex = re
			}
		}
		for _, m := range rowMethods(r.Methods) {
			row := *r
			row.Method = m
			rows = append(rows, &row)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		if ma, mb := methodRank(a.Method), methodRank(b.Method); ma != mb {
			return ma < mb
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.View < b.View
	})
	rt.Routes = rows
}

// rowMethods lists the rows a route with these accepted methods gets: GET
// stands for GET and HEAD; no methods (any) is a GET row.
func rowMethods(methods []string) []string {
	set := map[string]bool{}
	for _, m := range methods {
		set[strings.ToUpper(m)] = true
	}
	if len(set) == 0 {
		return []string{"GET"}
	}
	if set["GET"] {
		delete(set, "HEAD")
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		return methodRank(out[i]) < methodRank(out[j]) || methodRank(out[i]) == methodRank(out[j]) && out[i] < out[j]
	})
	return out
}

// methodRank orders methods: safe ones first, then the usual REST order.
func methodRank(m string) int {
	switch m {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "PATCH":
		return 4
	case "DELETE":
		return 5
	case "OPTIONS":
		return 6
	}
	return 7
}

// SafeMethod reports whether caches may store responses to this method's
// requests (GET and HEAD; "" is a log line without a method, read as GET).
func SafeMethod(m string) bool { return m == "" || m == "GET" || m == "HEAD" }

// MethodGroup is the row method a request's method belongs to: HEAD and
// unlogged methods count with GET, as caches serve HEAD from GET entries.
func MethodGroup(m string) string {
	if SafeMethod(m) {
		return "GET"
	}
	return strings.ToUpper(m)
}

// Close releases the parsed source.
func (rt *Routes) Close() { rt.proj.close() }

// ---- Django ----

type djangoWalker struct {
	p  *project
	rt *Routes
	ev *evaluator
	// assume, debug and locals are the context of the patterns being
	// walked: the assumptions made to reach them, whether they exist only
	// under settings.DEBUG, and the loop variables bound.
	assume []string
	debug  bool
	locals env
	// formatSuffix: the routes being added also get DRF's format-suffix
	// variant (DefaultRouter's include_format_suffixes).
	formatSuffix bool
	steps        int             // patterns() calls, against lists that double at each level
	seen         map[string]bool // urlconf modules being walked (include cycles)
	depth        int             // nesting of patterns(), against self-references
	found        bool
}

var djangoConverters = map[string]string{
	"int": `[0-9]+`, "str": `[^/]+`, "slug": `[-a-zA-Z0-9_]+`, "path": `.+`,
	"uuid": `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`,
}

func (w *djangoWalker) run() {
	// The root URLconf: ROOT_URLCONF in settings, else every urls module
	// that no other one includes.
	var roots []*module
	for _, sm := range w.ev.djangoSettings() {
		if v, _, ok := w.ev.name(sm, "ROOT_URLCONF", "ROOT_URLCONF"); ok {
			if r := w.p.findModule(v); r != nil {
				roots = append(roots, r)
				break
			}
		}
	}
	for _, m := range w.p.files {
		if len(roots) > 0 {
			break
		}
		for _, st := range children(m.root) {
			if st.Kind() != "expression_statement" {
				continue
			}
			a := children(st)
			if len(a) == 1 && a[0].Kind() == "assignment" && m.text(a[0].ChildByFieldName("left")) == "ROOT_URLCONF" {
				if v, ok := m.stringValue(a[0].ChildByFieldName("right")); ok {
					if r := w.p.findModule(v); r != nil && !containsModule(roots, r) {
						roots = append(roots, r)
					}
				}
			}
		}
	}
	if len(roots) == 0 {
		included := map[string]bool{}
		var cands []*module
		for _, m := range w.p.files {
			if m.urlpatterns() == nil {
				continue
			}
			cands = append(cands, m)
			src := string(m.src)
			for _, o := range w.p.files {
				if o != m && strings.Contains(src, "include(") {
					if strings.Contains(src, `"`+o.name+`"`) || strings.Contains(src, `'`+o.name+`'`) {
						included[o.name] = true
					}
				}
			}
		}
		for _, c := range cands {
			if !included[c.name] {
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
	for _, m := range w.p.files {
		for _, st := range children(m.root) {
			if st.Kind() != "expression_statement" {
				continue
			}
			for _, e := range children(st) {
				c, ok := m.asCall(e)
				if !ok || lastName(c.fn) != "register_converter" || len(c.args) < 2 {
					continue
				}
				name, ok := m.stringValue(c.args[1])
				if !ok {
					continue
				}
				w.rt.converters[name] = `[^/]+`
				cm, rest := w.p.resolve(m, m.text(c.args[0]))
				if cm == nil || cm.defs[rest] == nil {
					continue
				}
				cls := cm.defs[rest]
				if cls.Kind() == "decorated_definition" {
					cls = cls.ChildByFieldName("definition")
				}
				for _, bs := range children(cls.ChildByFieldName("body")) {
					for _, a := range children(bs) {
						if a.Kind() == "assignment" && cm.text(a.ChildByFieldName("left")) == "regex" {
							if v, ok := cm.stringValue(a.ChildByFieldName("right")); ok {
								w.rt.converters[name] = v
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
func (m *module) urlpatterns() []*sitter.Node {
	return m.assigned("urlpatterns")
}

// assigned returns the right-hand sides of module-level assignments (and
// += augmentations) to name.
func (m *module) assigned(name string) []*sitter.Node {
	var out []*sitter.Node
	for _, st := range children(m.root) {
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, a := range children(st) {
			if (a.Kind() == "assignment" || a.Kind() == "augmented_assignment") && m.text(a.ChildByFieldName("left")) == name {
				if a.Kind() == "assignment" {
					out = out[:0]
				}
				out = append(out, a.ChildByFieldName("right"))
			}
		}
	}
	return out
}

// urlconf walks a URLconf module with the given prefix.
func (w *djangoWalker) urlconf(m *module, prefix, regexPrefix string, langs []string) {
	// A module including itself, directly or not, would never end.
	if w.seen[m.name] || len(w.seen) > 30 {
		w.unresolved(m, m.root, prefix, "include cycle through "+m.name)
		return
	}
	w.seen[m.name] = true
	defer delete(w.seen, m.name)
	w.parts(m, "urlpatterns", prefix)
}

// parts walks the pieces of a list of patterns as module m builds it.
func (w *djangoWalker) parts(m *module, name, prefix string) {
	for _, pt := range w.ev.listParts(m, name, &w.rt.Notes) {
		w.within(pt.assume, pt.debug, pt.locals, func() {
			if pt.elem {
				w.element(pt.m, pt.n, prefix)
			} else {
				w.patterns(pt.m, pt.n, prefix, false)
			}
		})
	}
}

// within runs fn with assumptions added to the context (and debug-only
// set, and loop variables bound, when given).
func (w *djangoWalker) within(assume []string, debug bool, locals env, fn func()) {
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
func (w *djangoWalker) emit(r *Route) {
	r.Assumptions = dedupe(append(append([]string(nil), w.assume...), r.Assumptions...))
	r.DebugOnly = r.DebugOnly || w.debug
	w.rt.Routes = append(w.rt.Routes, r)
}

func dedupe(s []string) []string {
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

func containsModule(ms []*module, m *module) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// patterns walks a urlpatterns expression: lists, concatenations,
// i18n_patterns(...), router.urls, names of other lists.
func (w *djangoWalker) patterns(m *module, n *sitter.Node, prefix string, regex bool) {
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
		for _, e := range children(n) {
			w.element(m, e, prefix)
		}
	case "binary_operator":
		w.patterns(m, n.ChildByFieldName("left"), prefix, regex)
		w.patterns(m, n.ChildByFieldName("right"), prefix, regex)
	case "call":
		c, _ := m.asCall(n)
		switch lastName(c.fn) {
		case "i18n_patterns":
			for _, a := range c.args {
				w.element(m, a, prefix+"<lang>/")
			}
		case "format_suffix_patterns":
			if len(c.args) > 0 {
				w.patterns(m, c.args[0], prefix, regex)
			}
		case "static", "staticfiles_urlpatterns":
			w.static(m, c, prefix)
		default:
			w.unresolved(m, n, prefix, "urlpatterns built by "+c.fn+"(): cannot be read without running it")
		}
	case "attribute":
		if lastName(m.text(n)) == "urls" {
			w.router(m, m.text(n.ChildByFieldName("object")), prefix, n)
			return
		}
		w.unresolved(m, n, prefix, "urlpatterns from "+m.text(n))
	case "identifier":
		name := m.text(n)
		if b, ok := w.locals[name]; ok {
			w.patterns(b.m, b.n, prefix, regex)
			return
		}
		if len(m.assigned(name)) == 0 {
			if tm, rest := w.p.resolve(m, name); tm != nil && rest != "" && tm != m {
				w.parts(tm, rest, prefix)
				return
			}
			w.unresolved(m, n, prefix, "urlpatterns list "+name+" not found")
			return
		}
		w.parts(m, name, prefix)
	case "list_splat":
		cs := children(n)
		if len(cs) == 1 {
			w.patterns(m, cs[0], prefix, regex)
		}
	default:
		w.unresolved(m, n, prefix, "unsupported urlpatterns expression "+n.Kind())
	}
}

// static adds the route of static(settings.MEDIA_URL, ...) or
// staticfiles_urlpatterns(): Django serves files under the prefix only
// when settings.DEBUG is true (and not for an absolute URL prefix).
func (w *djangoWalker) static(m *module, c call, prefix string) {
	view := "django.views.static.serve"
	var pre string
	var assume []string
	ok := false
	if len(c.args) > 0 {
		pre, assume, ok = w.ev.str(m, c.args[0], w.locals)
	} else if lastName(c.fn) == "staticfiles_urlpatterns" {
		view = "django.contrib.staticfiles.views.serve"
		for _, sm := range w.ev.djangoSettings() {
			if pre, assume, ok = w.ev.name(sm, "STATIC_URL", "settings.STATIC_URL"); ok {
				break
			}
		}
	}
	if lastName(c.fn) == "staticfiles_urlpatterns" {
		view = "django.contrib.staticfiles.views.serve"
	}
	if !ok {
		w.within([]string{fmt.Sprintf("assumed settings.DEBUG is true (%s() at %s:%d serves files in development only)", lastName(c.fn), m.file, line(c.node))}, true, nil, func() {
			w.unresolved(m, c.node, prefix, "prefix of "+m.text(c.node)+" is not a constant string")
		})
		return
	}
	if strings.Contains(pre, "://") || strings.TrimLeft(pre, "/") == "" {
		return // Django adds no route for an absolute or empty prefix
	}
	full := joinDjango(prefix, strings.TrimLeft(pre, "/")+"<path:path>")
	if !w.debug {
		assume = append(assume, fmt.Sprintf("assumed settings.DEBUG is true (%s() at %s:%d serves files in development only)", lastName(c.fn), m.file, line(c.node)))
	}
	w.within(assume, true, nil, func() {
		w.emit(&Route{Framework: "django", Methods: []string{"GET", "HEAD"}, Pattern: displayDjango(full), File: m.file, Line: line(c.node),
			View: view, Kind: "static", routeName: full})
	})
}

func (w *djangoWalker) unresolved(m *module, n *sitter.Node, prefix, why string) {
	shown := "/" + prefix + "…"
	if strings.HasPrefix(prefix, "re:") {
		shown = "^/" + prefix[3:] + "…"
	}
	w.emit(&Route{Framework: "django", Pattern: shown, File: m.file, Line: line(n), Unresolved: why})
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
func (w *djangoWalker) element(m *module, e *sitter.Node, prefix string) {
	if !w.budget() {
		return
	}
	if e.Kind() == "list_splat" {
		w.patterns(m, e, prefix, false)
		return
	}
	c, ok := m.asCall(e)
	if !ok {
		w.patterns(m, e, prefix, false)
		return
	}
	fn := lastName(c.fn)
	switch fn {
	case "path", "re_path", "url":
	default:
		w.patterns(m, e, prefix, false)
		return
	}
	if len(c.args) < 2 {
		w.unresolved(m, e, prefix, fn+"() without a view")
		return
	}
	route, assume, ok := w.ev.str(m, c.args[0], w.locals)
	if !ok {
		w.unresolved(m, e, prefix, "route of "+fn+"() is not a constant string: "+m.text(c.args[0]))
		return
	}
	if len(assume) > 0 {
		w.within(assume, false, nil, func() { w.element2(m, e, c, fn, prefix, route) })
		return
	}
	w.element2(m, e, c, fn, prefix, route)
}

// element2 handles a path(), re_path() or url() entry whose route is known.
func (w *djangoWalker) element2(m *module, e *sitter.Node, c call, fn, prefix, route string) {
	if fn != "path" {
		route = "re:" + strings.TrimSuffix(strings.TrimPrefix(route, "^"), "$")
	}
	full := joinDjango(prefix, route)
	name := ""
	if nv, ok := c.kw["name"]; ok {
		name, _ = m.stringValue(nv)
	}
	view := c.args[1]
	if vc, ok := m.asCall(view); ok {
		switch {
		case lastName(vc.fn) == "include":
			if len(vc.args) == 0 {
				w.unresolved(m, e, full, "include() without an argument")
				return
			}
			w.include(m, vc.args[0], full, e)
			return
		case strings.HasSuffix(vc.fn, ".as_view"):
			cls := strings.TrimSuffix(vc.fn, ".as_view")
			w.addView(m, e, full, cls, "class", name)
			return
		}
		w.emit(&Route{Framework: "django", Pattern: displayDjango(full), File: m.file, Line: line(e),
			View: m.text(view), Name: name, Unresolved: "view built by " + vc.fn + "(): cannot be resolved statically"})
		return
	}
	if view.Kind() == "attribute" && lastName(m.text(view)) == "urls" {
		// path("api/", router.urls) or path("admin/", admin.site.urls): an include.
		w.include(m, view, full, e)
		return
	}
	w.addView(m, e, full, m.text(view), "function", name)
}

// include follows include("mod.urls"), include(module), include(router.urls),
// include([...]) and include((patterns, "app")).
func (w *djangoWalker) include(m *module, arg *sitter.Node, prefix string, at *sitter.Node) {
	if s, assume, ok := w.ev.str(m, arg, w.locals); ok {
		w.within(assume, false, nil, func() {
			if t := w.p.findModule(s); t != nil {
				w.urlconf(t, prefix, "", nil)
				return
			}
			w.unresolved(m, at, prefix, "included module "+s+" not found under --src (a third-party package?)")
		})
		return
	}
	switch arg.Kind() {
	case "tuple", "parenthesized_expression":
		cs := children(arg)
		if len(cs) > 0 {
			w.include(m, cs[0], prefix, at)
		}
		return
	case "list":
		w.patterns(m, arg, prefix, false)
		return
	case "attribute":
		if lastName(m.text(arg)) == "urls" {
			w.router(m, m.text(arg.ChildByFieldName("object")), prefix, at)
			return
		}
	case "identifier":
		if b, ok := w.locals[m.text(arg)]; ok {
			w.include(b.m, b.n, prefix, at)
			return
		}
		if _, _, _, ok := m.binding(m.text(arg)); ok {
			w.parts(m, m.text(arg), prefix)
			return
		}
	}
	// A module object or a list variable.
	if t, rest := w.p.resolve(m, m.text(arg)); t != nil {
		if rest == "" {
			w.urlconf(t, prefix, "", nil)
			return
		}
		w.parts(t, rest, prefix)
		return
	}
	if target, ok := m.imports[strings.SplitN(m.text(arg), ".", 2)[0]]; ok {
		w.unresolved(m, at, prefix, "include("+m.text(arg)+"): "+target+" is not under --src (a third-party package?)")
		return
	}
	w.unresolved(m, at, prefix, "cannot resolve include("+m.text(arg)+")")
}

func joinDjango(prefix, route string) string {
	if strings.HasPrefix(route, "re:") {
		if strings.HasPrefix(prefix, "re:") {
			return prefix + route[3:]
		}
		return "re:" + regexp.QuoteMeta(prefix) + route[3:]
	}
	if strings.HasPrefix(prefix, "re:") {
		return prefix + djangoToRegex(route)
	}
	return prefix + route
}

// addView records a route to a function or class view.
func (w *djangoWalker) addView(m *module, at *sitter.Node, pattern, view, kind, name string) {
	r := &Route{Framework: "django", Pattern: displayDjango(pattern), File: m.file, Line: line(at), View: view, Kind: kind, Name: name}
	r.regex = nil
	r.routeName = pattern
	if vm, rest := w.p.resolve(m, view); vm != nil && rest != "" {
		if def, ok := vm.defs[rest]; ok {
			r.viewMod, r.viewNode = vm, def
			r.View = vm.name + "." + rest
			r.HasCacheControl, r.PerUser = inspectView(vm, def)
			if isClass(def) {
				r.Kind = "class"
			}
			r.Methods = djangoMethods(vm, def)
		}
	}
	if r.viewNode == nil {
		r.Unresolved = "view " + view + " not found under --src (the route is listed, the patch cannot target it)"
	}
	w.emit(r)
}

// router adds the routes of a Django REST framework router variable.
func (w *djangoWalker) router(m *module, name, prefix string, at *sitter.Node) {
	rm, rname := m, name
	if len(m.assigned(name)) == 0 {
		if t, rest := w.p.resolve(m, name); t != nil && rest != "" {
			rm, rname = t, rest
		}
	}
	vals := rm.assigned(rname)
	if len(vals) == 0 {
		if target, ok := m.imports[strings.SplitN(name, ".", 2)[0]]; ok && rm == m {
			w.unresolved(m, at, prefix, "routes of "+name+".urls come from "+target+", not under --src (a third-party package?)")
			return
		}
		w.unresolved(m, at, prefix, "router "+name+" not found")
		return
	}
	c, _ := rm.asCall(vals[len(vals)-1])
	kind := lastName(c.fn)
	trailing := "/"
	if ts, ok := c.kw["trailing_slash"]; ok && rm.text(ts) == "False" {
		trailing = ""
	}
	if kind == "DefaultRouter" {
		w.emit(&Route{Framework: "django", Methods: []string{"GET"}, Pattern: displayDjango(prefix), File: rm.file,
			Line: line(vals[0]), View: rname + " (api root)", Kind: "viewset", routeName: prefix})
		w.emit(&Route{Framework: "django", Methods: []string{"GET"}, Pattern: displayDjango(joinDjango(prefix, formatSuffix(""))), File: rm.file,
			Line: line(vals[0]), View: rname + " (api root)", Kind: "viewset", routeName: joinDjango(prefix, formatSuffix(""))})
		// DefaultRouter adds format-suffix variants (.json, .api) of its routes.
		old := w.formatSuffix
		w.formatSuffix = true
		defer func() { w.formatSuffix = old }()
	}
	for _, st := range children(rm.root) {
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, e := range children(st) {
			rc, ok := rm.asCall(e)
			if !ok || !strings.HasPrefix(rc.fn, rname+".register") || len(rc.args) < 2 {
				continue
			}
			reg, assume, ok := w.ev.str(rm, rc.args[0], nil)
			if !ok {
				w.unresolved(rm, e, prefix, "router prefix "+rm.text(rc.args[0])+" is not a constant string")
				continue
			}
			if rc.fn != rname+".register" {
				// Not DRF's register (Wagtail's register_endpoint, ...): the
				// router class decides the routes.
				w.unresolved(rm, e, prefix+strings.Trim(reg, "/")+"/", "endpoint of "+kind+"."+lastName(rc.fn)+"(): its routes are decided by the router class, not under --src")
				continue
			}
			w.within(assume, false, nil, func() {
				w.viewset(rm, e, prefix+strings.Trim(reg, "/"), rm.text(rc.args[1]), trailing)
			})
		}
	}
}

// drfActions maps DRF's router actions to their methods, for the list and
// detail routes (rest_framework/routers.py SimpleRouter.routes).
var drfActions = []struct {
	action, method string
	detail         bool
}{
	{"list", "GET", false}, {"create", "POST", false},
	{"retrieve", "GET", true}, {"update", "PUT", true}, {"partial_update", "PATCH", true}, {"destroy", "DELETE", true},
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
func (w *djangoWalker) viewsetActions(m *module, def *sitter.Node, depth int) (actions map[string]bool, known bool) {
	actions, known = map[string]bool{}, true
	cls := def
	if cls.Kind() == "decorated_definition" {
		cls = cls.ChildByFieldName("definition")
	}
	for _, st := range children(cls.ChildByFieldName("body")) {
		f := st
		if f.Kind() == "decorated_definition" {
			f = f.ChildByFieldName("definition")
		}
		if f != nil && f.Kind() == "function_definition" {
			actions[m.text(f.ChildByFieldName("name"))] = true
		}
	}
	for _, b := range children(cls.ChildByFieldName("superclasses")) {
		if b.Kind() == "keyword_argument" {
			continue
		}
		name := m.text(b)
		if acts, ok := drfBaseActions[lastName(name)]; ok {
			for _, a := range acts {
				actions[a] = true
			}
			continue
		}
		if bm, rest := w.p.resolve(m, name); bm != nil && rest != "" && bm.defs[rest] != nil && depth < 8 {
			sub, ok := w.viewsetActions(bm, bm.defs[rest], depth+1)
			for a := range sub {
				actions[a] = true
			}
			known = known && ok
			continue
		}
		switch lastName(name) {
		case "object", "APIView", "GenericAPIView":
		default:
			known = false
		}
	}
	return actions, known
}

// viewset adds a ViewSet's list, detail and @action routes: one route per
// action, so that list and create (or retrieve and update) on one URL are
// told apart.
func (w *djangoWalker) viewset(m *module, at *sitter.Node, base, view, slash string) {
	vm, rest := w.p.resolve(m, view)
	var def *sitter.Node
	if vm != nil {
		def = vm.defs[rest]
	}
	add := func(pattern string, methods []string, action string) {
		if strings.HasPrefix(pattern, "re:") {
			pattern = "re:" + drfRegex(pattern)
		}
		r := &Route{Framework: "django", Methods: methods, Pattern: displayDjango(pattern), File: m.file, Line: line(at), View: view + "." + action, Kind: "viewset", Action: action, routeName: pattern}
		if def != nil {
			r.viewMod, r.viewNode, r.View = vm, def, vm.name+"."+rest+"."+action
			r.HasCacheControl, r.PerUser = inspectView(vm, def)
		} else {
			r.Unresolved = "viewset " + view + " not found under --src"
		}
		w.emit(r)
		if w.formatSuffix {
			f := *r
			f.routeName = formatSuffix(pattern)
			f.Pattern = displayDjango(f.routeName)
			w.emit(&f)
		}
	}
	lookup := "pk"
	var actions []*sitter.Node
	provided, known := map[string]bool{}, false
	if def != nil {
		provided, known = w.viewsetActions(vm, def, 0)
		cls := def
		if cls.Kind() == "decorated_definition" {
			cls = cls.ChildByFieldName("definition")
		}
		for _, st := range children(cls.ChildByFieldName("body")) {
			if st.Kind() == "expression_statement" {
				for _, a := range children(st) {
					if a.Kind() == "assignment" && vm.text(a.ChildByFieldName("left")) == "lookup_field" {
						if v, ok := vm.stringValue(a.ChildByFieldName("right")); ok {
							lookup = v
						}
					}
				}
			}
			if st.Kind() == "decorated_definition" {
				actions = append(actions, st)
			}
		}
	}
	for _, a := range drfActions {
		if len(provided) > 0 || known {
			if !provided[a.action] {
				continue
			}
		}
		p := base + slash
		if a.detail {
			p = base + "/<" + lookup + ">" + slash
		}
		add(p, []string{a.method}, a.action)
	}
	for _, a := range actions {
		var ac call
		found := false
		for _, d := range children(a) {
			if d.Kind() != "decorator" {
				continue
			}
			for _, e := range children(d) {
				if c, ok := vm.asCall(e); ok && lastName(c.fn) == "action" {
					ac, found = c, true
				}
			}
		}
		if !found {
			continue
		}
		fn := a.ChildByFieldName("definition")
		name := vm.text(fn.ChildByFieldName("name"))
		urlPath := strings.ReplaceAll(name, "_", "-")
		if v, ok := ac.kw["url_path"]; ok {
			if s, ok := vm.stringValue(v); ok {
				urlPath = s
			}
		}
		methods := []string{"GET"}
		if v, ok := ac.kw["methods"]; ok {
			methods = nil
			for _, mv := range children(v) {
				if s, ok := vm.stringValue(mv); ok {
					methods = append(methods, strings.ToUpper(s))
				}
			}
		}
		p := base + "/" + urlPath + slash
		if v, ok := ac.kw["detail"]; ok && vm.text(v) == "True" {
			p = base + "/<" + lookup + ">/" + urlPath + slash
		}
		add(p, methods, name)
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
func formatSuffix(p string) string {
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
	return "re:" + strings.TrimSuffix(re, "/") + `\.(?P<format>[a-z0-9]+)/?`
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
		conv, _, _ := strings.Cut(route[i+1:i+j], ":")
		if !strings.Contains(route[i+1:i+j], ":") {
			conv = "str"
		}
		if conv == "lang" {
			b.WriteString(`[a-z]{2}(?:-[a-zA-Z]{2,4})?`)
		} else if re, ok := converters[conv]; ok {
			b.WriteString(re)
		} else {
			b.WriteString(`[^/]+`)
		}
		route = route[i+j+1:]
	}
}

// djangoMethods reads the HTTP methods a view accepts from @require_GET,
// @require_http_methods([...]), @api_view([...]) or a class's get/post/...
// methods (nil: any).
func djangoMethods(m *module, def *sitter.Node) []string {
	for _, d := range decorators(m, def) {
		switch {
		case d == "require_GET" || d == "require_safe":
			return []string{"GET", "HEAD"}
		case d == "require_POST":
			return []string{"POST"}
		case strings.HasPrefix(d, "require_http_methods(") || strings.HasPrefix(d, "api_view("):
			return methodsIn(d)
		case d == "api_view" || d == "api_view()":
			return []string{"GET"}
		}
	}
	if isClass(def) {
		cls := def
		if cls.Kind() == "decorated_definition" {
			cls = cls.ChildByFieldName("definition")
		}
		var out []string
		for _, st := range children(cls.ChildByFieldName("body")) {
			f := st
			if f.Kind() == "decorated_definition" {
				f = f.ChildByFieldName("definition")
			}
			if f.Kind() == "function_definition" {
				switch n := m.text(f.ChildByFieldName("name")); n {
				case "get", "post", "put", "patch", "delete", "head", "options":
					out = append(out, strings.ToUpper(n))
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

var methodRe = regexp.MustCompile(`(?i)["'](get|post|put|patch|delete|head|options)["']`)

func methodsIn(s string) []string {
	var out []string
	for _, m := range methodRe.FindAllStringSubmatch(s, -1) {
		out = append(out, strings.ToUpper(m[1]))
	}
	if len(out) == 0 {
		return []string{"GET"}
	}
	return out
}

func isClass(def *sitter.Node) bool {
	if def.Kind() == "decorated_definition" {
		def = def.ChildByFieldName("definition")
	}
	return def != nil && def.Kind() == "class_definition"
}

// decorators returns the decorator expressions of a definition (without @).
func decorators(m *module, def *sitter.Node) []string {
	if def == nil || def.Kind() != "decorated_definition" {
		return nil
	}
	var out []string
	for _, d := range children(def) {
		if d.Kind() == "decorator" {
			out = append(out, strings.TrimSpace(strings.TrimPrefix(m.text(d), "@")))
		}
	}
	return out
}

var (
	cacheRe   = regexp.MustCompile(`(?i)cache[-_]control|patch_cache_control|cache_page|never_cache|add_never_cache_headers`)
	perUserRe = regexp.MustCompile(`login_required|permission_required|user_passes_test|IsAuthenticated|IsAdminUser|LoginRequiredMixin|PermissionRequiredMixin|current_user|get_current_user|Security\(|OAuth2|HTTPBearer|request\.user|request\.session|set_cookie|Depends\(auth`)
)

// inspectView reports whether a view already sets Cache-Control and whether
// it depends on the user, from its decorators, bases and body.
func inspectView(m *module, def *sitter.Node) (hasCache, perUser bool) {
	t := m.text(def)
	return cacheRe.MatchString(t), perUserRe.MatchString(t)
}

// ---- FastAPI ----

type fastapiWalker struct {
	p     *project
	rt    *Routes
	ev    *evaluator
	found bool
	// objects: "module|var" -> kind (app or router) and own prefix.
	objects map[string]*faObject
}

type faObject struct {
	key, kind, prefix string
	unresolved        string // why the prefix is unknown
	assume            []string
	// perUser: dependencies=[Depends(auth)] on the APIRouter or FastAPI.
	perUser bool
	mod     *module
	line    int
	// docs are the routes FastAPI adds to an app by itself (OpenAPI
	// schema and documentation pages) unless their URL is set to None.
	docs []string
	// includedIn: (parent object key, prefix given to include_router or
	// mount).
	includedIn []faInclude
}

// mounted reports whether an app is mounted in another one (it is then
// served under the mount's path only).
func (o *faObject) mounted() bool {
	for _, inc := range o.includedIn {
		if inc.mount {
			return true
		}
	}
	return false
}

type faInclude struct {
	parent, prefix string
	unresolved     string
	assume         []string
	perUser        bool
	mount          bool
}

// faCtx is the context a statement runs in: the assumptions made to reach
// it (a branch of an if, a try block) and the loop variables bound.
type faCtx struct {
	assume []string
	locals env
}

func (w *fastapiWalker) run() {
	w.objects = map[string]*faObject{}
	// Apps and routers (module level, and inside factories such as create_app()).
	for _, m := range w.p.files {
		w.walk(m, func(st *sitter.Node, ctx faCtx) {
			for _, a := range children(st) {
				if a.Kind() != "assignment" {
					continue
				}
				c, ok := m.asCall(a.ChildByFieldName("right"))
				if !ok {
					continue
				}
				kind := ""
				switch lastName(c.fn) {
				case "FastAPI":
					kind = "app"
				case "APIRouter":
					kind = "router"
				default:
					continue
				}
				o := &faObject{key: m.name + "|" + m.text(a.ChildByFieldName("left")), kind: kind, mod: m, line: line(a)}
				if _, dup := w.objects[o.key]; dup {
					continue // the first definition wins (a name rebound in another branch)
				}
				if p, ok := c.kw["prefix"]; ok {
					if o.prefix, o.assume, ok = w.ev.str(m, p, ctx.locals); !ok {
						o.unresolved = "prefix " + m.text(p) + " is not a constant string"
					}
				}
				o.perUser = w.authDeps(m, c.kw["dependencies"])
				if kind == "app" {
					o.docs = w.docRoutes(m, c, ctx)
				}
				w.objects[o.key] = o
				w.found = true
			}
		})
	}
	if !w.found {
		return
	}
	// include_router calls and mounted sub-applications.
	for _, m := range w.p.files {
		w.eachCallCtx(m, func(c call, ctx faCtx) {
			obj, method := splitLast(c.fn)
			switch method {
			case "include_router":
			case "mount":
				w.mountApp(m, c, ctx)
				return
			default:
				return
			}
			if len(c.args) == 0 {
				return
			}
			parent := w.object(m, obj)
			child := w.objectExpr(m, c.args[0], ctx.locals)
			if parent == nil || child == nil {
				return
			}
			inc := faInclude{parent: parent.key, assume: ctx.assume}
			if p, ok := c.kw["prefix"]; ok {
				var a []string
				if inc.prefix, a, ok = w.ev.str(m, p, ctx.locals); !ok {
					inc.unresolved = "include_router prefix " + m.text(p) + " is not a constant string"
				}
				inc.assume = append(append([]string(nil), ctx.assume...), a...)
			}
			inc.perUser = w.authDeps(m, c.kw["dependencies"])
			child.includedIn = append(child.includedIn, inc)
		})
	}
	// FastAPI's own routes: the OpenAPI schema and the documentation pages.
	keys := make([]string, 0, len(w.objects))
	for k := range w.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := w.objects[k]
		for _, f := range w.prefixes(o) {
			for _, d := range o.docs {
				w.rt.Routes = append(w.rt.Routes, &Route{Framework: "fastapi", Methods: []string{"GET", "HEAD"}, Pattern: f.path + d, File: o.mod.file, Line: o.line,
					View: "FastAPI (built in)", Kind: "builtin", routeName: f.path + d, Unresolved: f.unresolved, Assumptions: f.assume})
			}
		}
	}
	// Routes: decorators, add_api_route, mount.
	for _, m := range w.p.files {
		for _, def := range decoratedFunctions(m) {
			name := m.text(def.ChildByFieldName("definition").ChildByFieldName("name"))
			for _, d := range children(def) {
				if d.Kind() != "decorator" {
					continue
				}
				for _, e := range children(d) {
					c, ok := m.asCall(e)
					if !ok {
						continue
					}
					obj, method := splitLast(c.fn)
					o := w.object(m, obj)
					if o == nil {
						continue
					}
					methods := []string{strings.ToUpper(method)}
					switch method {
					case "get", "post", "put", "patch", "delete", "head", "options":
					case "api_route":
						methods = []string{"GET"}
						if v, ok := c.kw["methods"]; ok {
							methods = methodsIn(m.text(v))
						}
					default:
						continue
					}
					w.addRoutes(m, d, o, c, methods, name, def, faCtx{})
				}
			}
		}
		w.eachCallCtx(m, func(c call, ctx faCtx) {
			obj, method := splitLast(c.fn)
			o := w.object(m, obj)
			if o == nil {
				return
			}
			switch method {
			case "add_api_route":
				methods := []string{"GET"}
				if v, ok := c.kw["methods"]; ok {
					methods = methodsIn(m.text(v))
				}
				view := ""
				var def *sitter.Node
				vm := m
				if len(c.args) > 1 {
					view = m.text(c.args[1])
					if t, rest := w.p.resolve(m, view); t != nil {
						vm, def = t, t.defs[rest]
					}
				}
				w.addRoutes(vm, c.node, o, c, methods, view, def, ctx)
			case "mount":
				if w.mountedApp(m, c, ctx.locals) != nil {
					return
				}
				p, assume, ok := w.ev.str(m, mountPath(c), ctx.locals)
				why := ""
				if !ok {
					why = "mount path " + m.text(mountPath(c)) + " is not a constant string"
				}
				for _, full := range w.prefixes(o) {
					r := &Route{Framework: "fastapi", Methods: []string{"GET", "HEAD"}, Pattern: full.path + strings.TrimSuffix(p, "/") + "/{path:path}",
						File: m.file, Line: line(c.node), View: m.text(mountApp(c)), Kind: "static", routeName: full.path + strings.TrimSuffix(p, "/"), Unresolved: full.unresolved,
						Assumptions: dedupe(append(append(append([]string(nil), full.assume...), ctx.assume...), assume...))}
					if why != "" {
						r.Unresolved = why
					}
					w.rt.Routes = append(w.rt.Routes, r)
				}
			}
		})
	}
}

// mountPath and mountApp are the path and the application of a mount()
// call (positional or path=, app=).
func mountPath(c call) *sitter.Node {
	if v, ok := c.kw["path"]; ok {
		return v
	}
	return first(c.args)
}

func mountApp(c call) *sitter.Node {
	if v, ok := c.kw["app"]; ok {
		return v
	}
	return second(c.args)
}

// mountedApp returns the FastAPI application a mount() call mounts, or nil
// (a static folder or another ASGI app).
func (w *fastapiWalker) mountedApp(m *module, c call, locals env) *faObject {
	a := mountApp(c)
	if a == nil || (a.Kind() != "identifier" && a.Kind() != "attribute") {
		return nil
	}
	if o := w.objectExpr(m, a, locals); o != nil && o.kind == "app" {
		return o
	}
	return nil
}

// mountApp records app.mount("/v2", other_app) of a FastAPI application:
// its routes are served under /v2.
func (w *fastapiWalker) mountApp(m *module, c call, ctx faCtx) {
	obj, _ := splitLast(c.fn)
	parent := w.object(m, obj)
	child := w.mountedApp(m, c, ctx.locals)
	if parent == nil || child == nil || parent == child {
		return
	}
	inc := faInclude{parent: parent.key, mount: true, assume: ctx.assume}
	p, a, ok := w.ev.str(m, mountPath(c), ctx.locals)
	if !ok {
		inc.unresolved = "mount path " + m.text(mountPath(c)) + " is not a constant string"
	}
	inc.prefix = strings.TrimSuffix(p, "/")
	inc.assume = append(append([]string(nil), ctx.assume...), a...)
	child.includedIn = append(child.includedIn, inc)
}

// authDeps reports whether a dependencies=[...] list looks like
// authentication: its text, or the functions it depends on, match
// perUserRe.
func (w *fastapiWalker) authDeps(m *module, n *sitter.Node) bool {
	if n == nil {
		return false
	}
	if perUserRe.MatchString(m.text(n)) {
		return true
	}
	for _, e := range children(n) {
		c, ok := m.asCall(e)
		if !ok || len(c.args) == 0 {
			continue
		}
		switch lastName(c.fn) {
		case "Depends", "Security":
		default:
			continue
		}
		if t, rest := w.p.resolve(m, m.text(c.args[0])); t != nil && t.defs[rest] != nil {
			if perUserRe.MatchString(t.text(t.defs[rest])) {
				return true
			}
		}
	}
	return false
}

// docRoutes lists the routes FastAPI(...) adds by itself: openapi_url
// (default /openapi.json) and, when it is set, docs_url (/docs, with
// swagger_ui_oauth2_redirect_url /docs/oauth2-redirect) and redoc_url
// (/redoc); a URL given as None, or one that is not a constant, is left out.
func (w *fastapiWalker) docRoutes(m *module, c call, ctx faCtx) []string {
	url := func(kw, def string) string {
		v, ok := c.kw[kw]
		if !ok {
			return def
		}
		if m.text(v) == "None" {
			return ""
		}
		s, _, ok := w.ev.str(m, v, ctx.locals)
		if !ok {
			return ""
		}
		return s
	}
	openapi := url("openapi_url", "/openapi.json")
	if openapi == "" {
		return nil
	}
	out := []string{openapi}
	if d := url("docs_url", "/docs"); d != "" {
		out = append(out, d)
		if r := url("swagger_ui_oauth2_redirect_url", "/docs/oauth2-redirect"); r != "" {
			out = append(out, r)
		}
	}
	if r := url("redoc_url", "/redoc"); r != "" {
		out = append(out, r)
	}
	return out
}

// decoratedFunctions lists a module's decorated function definitions in
// source order: at module level and inside functions (routes declared in
// an app factory such as create_app()) and their blocks, not in classes.
func decoratedFunctions(m *module) []*sitter.Node {
	var out []*sitter.Node
	var visit func(n *sitter.Node, depth int)
	visit = func(n *sitter.Node, depth int) {
		if depth > 12 {
			return
		}
		for _, c := range children(n) {
			switch c.Kind() {
			case "decorated_definition":
				d := c.ChildByFieldName("definition")
				if d == nil || d.Kind() != "function_definition" {
					continue
				}
				out = append(out, c)
				visit(d.ChildByFieldName("body"), depth+1)
			case "function_definition":
				visit(c.ChildByFieldName("body"), depth+1)
			case "if_statement", "block", "with_statement", "try_statement", "else_clause", "elif_clause", "except_clause", "finally_clause":
				visit(c, depth+1)
			}
		}
	}
	visit(m.root, 0)
	return out
}

func first(a []*sitter.Node) *sitter.Node {
	if len(a) > 0 {
		return a[0]
	}
	return nil
}

func second(a []*sitter.Node) *sitter.Node {
	if len(a) > 1 {
		return a[1]
	}
	return nil
}

func splitLast(s string) (string, string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

// walk calls fn for every expression statement at module level and inside
// functions (factories such as create_app()) and blocks, with the context
// it runs in: each branch of an if with its assumption, try blocks, and
// for loops over literal lists (once per item, the loop variable bound).
func (w *fastapiWalker) walk(m *module, fn func(*sitter.Node, faCtx)) {
	iterations := 0
	push := func(c faCtx, a string) faCtx {
		c.assume = append(append([]string(nil), c.assume...), a)
		return c
	}
	var visit func(n *sitter.Node, c faCtx, depth int)
	visit = func(n *sitter.Node, c faCtx, depth int) {
		if depth > 12 {
			return
		}
		for _, st := range children(n) {
			switch st.Kind() {
			case "expression_statement":
				fn(st, c)
			case "function_definition", "block", "decorated_definition", "with_statement":
				visit(st, c, depth+1)
			case "if_statement":
				for _, b := range ifBranches(m, st) {
					visit(b.body, push(c, b.assume), depth+1)
				}
			case "try_statement":
				where := fmt.Sprintf("%s:%d", m.file, line(st))
				visit(st.ChildByFieldName("body"), push(c, "assumed the try block at "+where+" runs without error"), depth+1)
				for _, cl := range children(st) {
					switch cl.Kind() {
					case "except_clause":
						for _, b := range children(cl) {
							if b.Kind() == "block" {
								visit(b, push(c, "assumed the try block at "+where+" fails"), depth+1)
							}
						}
					case "else_clause":
						visit(cl.ChildByFieldName("body"), push(c, "assumed the try block at "+where+" runs without error"), depth+1)
					case "finally_clause":
						for _, b := range children(cl) {
							if b.Kind() == "block" {
								visit(b, c, depth+1)
							}
						}
					}
				}
			case "for_statement":
				items, ok := w.ev.forItems(m, st.ChildByFieldName("right"), c.locals, 0)
				if !ok {
					if strings.Contains(m.text(st), "include_router") {
						w.rt.Notes = append(w.rt.Notes, fmt.Sprintf("%s:%d: the for loop over %s including routers cannot be followed statically", m.file, line(st), m.text(st.ChildByFieldName("right"))))
					}
					continue
				}
				for _, it := range items {
					iterations++
					if iterations > 2000 {
						return
					}
					l, ok := bindTarget(m, st.ChildByFieldName("left"), it, c.locals)
					if !ok {
						break
					}
					c2 := c
					c2.locals = l
					visit(st.ChildByFieldName("body"), c2, depth+1)
				}
			}
		}
	}
	visit(m.root, faCtx{}, 0)
}

// eachCallCtx calls fn for every call statement found by walk.
func (w *fastapiWalker) eachCallCtx(m *module, fn func(call, faCtx)) {
	w.walk(m, func(st *sitter.Node, c faCtx) {
		for _, e := range children(st) {
			if cl, ok := m.asCall(e); ok {
				fn(cl, c)
			}
		}
	})
}

// object finds the app or router a local name refers to.
func (w *fastapiWalker) object(m *module, name string) *faObject {
	if name == "" {
		return nil
	}
	if o, ok := w.objects[m.name+"|"+name]; ok {
		return o
	}
	if t, rest := w.p.resolve(m, name); t != nil && rest != "" {
		if o, ok := w.objects[t.name+"|"+rest]; ok {
			return o
		}
	}
	return nil
}

// objectExpr finds the app or router an expression refers to, a loop
// variable included.
func (w *fastapiWalker) objectExpr(m *module, n *sitter.Node, locals env) *faObject {
	for depth := 0; n != nil && n.Kind() == "identifier" && depth < 8; depth++ {
		b, ok := locals[m.text(n)]
		if !ok {
			break
		}
		m, n, locals = b.m, b.n, nil
	}
	if n == nil {
		return nil
	}
	return w.object(m, m.text(n))
}

// prefix is a full prefix at which an object is served, why it is
// uncertain when a part of it is not a constant, the assumptions made to
// resolve it, and whether a router or include on the way requires a user.
type prefix struct {
	path, unresolved string
	assume           []string
	perUser          bool
}

// prefixes lists the full prefixes at which an object is served (its own
// prefix included), following include_router and mount up to an app that
// is not mounted in another one.
func (w *fastapiWalker) prefixes(o *faObject) []prefix {
	var out []prefix
	var walk func(o *faObject, suffix, why string, assume []string, perUser bool, depth int)
	walk = func(o *faObject, suffix, why string, assume []string, perUser bool, depth int) {
		if depth > 20 {
			return
		}
		s := o.prefix + suffix
		if o.unresolved != "" {
			why = o.unresolved
		}
		assume = append(append([]string(nil), o.assume...), assume...)
		perUser = perUser || o.perUser
		if len(out) >= 1000 {
			return
		}
		if o.kind == "app" && !o.mounted() {
			out = append(out, prefix{s, why, dedupe(assume), perUser})
		}
		for _, inc := range o.includedIn {
			if p, ok := w.objects[inc.parent]; ok {
				w2 := why
				if inc.unresolved != "" {
					w2 = inc.unresolved
				}
				walk(p, inc.prefix+s, w2, append(append([]string(nil), inc.assume...), assume...), perUser || inc.perUser, depth+1)
			}
		}
	}
	walk(o, "", "", nil, false, 0)
	return out
}

func (w *fastapiWalker) addRoutes(m *module, at *sitter.Node, o *faObject, c call, methods []string, view string, def *sitter.Node, ctx faCtx) {
	pathNode := first(c.args)
	if pathNode == nil {
		pathNode = c.kw["path"]
	}
	p, assume, ok := w.ev.str(m, pathNode, ctx.locals)
	base := &Route{Framework: "fastapi", Methods: methods, File: m.file, Line: line(at), View: m.name + "." + view, Kind: "function"}
	if def != nil {
		base.viewMod, base.viewNode = m, def
		base.HasCacheControl, base.PerUser = inspectView(m, def)
	}
	if w.authDeps(m, c.kw["dependencies"]) {
		base.PerUser = true
	}
	if !ok {
		r := *base
		r.Pattern, r.Unresolved = "…", "route path "+m.text(pathNode)+" is not a constant string"
		r.Assumptions = dedupe(ctx.assume)
		w.rt.Routes = append(w.rt.Routes, &r)
		return
	}
	full := w.prefixes(o)
	if len(full) == 0 {
		r := *base
		r.Pattern = o.prefix + p
		r.Assumptions = dedupe(append(append(append([]string(nil), o.assume...), ctx.assume...), assume...))
		r.Unresolved = fmt.Sprintf("router %s (%s:%d) is not included in any FastAPI app found under --src", lastName(strings.SplitN(o.key, "|", 2)[1]), o.mod.file, o.line)
		w.rt.Routes = append(w.rt.Routes, &r)
		return
	}
	for _, f := range full {
		r := *base
		r.Pattern = f.path + p
		r.routeName = r.Pattern
		r.Unresolved = f.unresolved
		r.PerUser = r.PerUser || f.perUser
		r.Assumptions = dedupe(append(append(append([]string(nil), f.assume...), ctx.assume...), assume...))
		w.rt.Routes = append(w.rt.Routes, &r)
	}
}

// compilePattern builds the matcher of a route.
func compilePattern(r *Route, converters map[string]string) (*regexp.Regexp, error) {
	switch r.Framework {
	case "django":
		p := r.routeName
		var re string
		if strings.HasPrefix(p, "re:") {
			re = p[3:]
		} else {
			re = djangoRegex(p, converters)
		}
		return regexp.Compile("^/" + re + "$")
	default:
		var b strings.Builder
		b.WriteString("^")
		p := r.Pattern
		for {
			i := strings.IndexByte(p, '{')
			if i < 0 {
				b.WriteString(regexp.QuoteMeta(p))
				break
			}
			j := strings.IndexByte(p[i:], '}')
			if j < 0 {
				b.WriteString(regexp.QuoteMeta(p))
				break
			}
			b.WriteString(regexp.QuoteMeta(p[:i]))
			if strings.HasSuffix(p[i+1:i+j], ":path") {
				b.WriteString(`.*`)
			} else {
				b.WriteString(`[^/]+`)
			}
			p = p[i+j+1:]
		}
		b.WriteString("$")
		return regexp.Compile(b.String())
	}
}

// Route implements analyze.Router: the pattern of the first route that
// matches path (most specific first: literal routes before parameters).
func (rt *Routes) Route(path string) (string, bool) {
	if r := rt.Match(path); r != nil {
		return r.Pattern, true
	}
	return "", false
}

// byPattern returns the first row of a pattern (its GET row when it has one).
func (rt *Routes) byPattern(pattern string) *Route {
	for _, r := range rt.Routes {
		if r.Pattern == pattern && r.regex != nil {
			return r
		}
	}
	return nil
}

// Match returns the route a path belongs to, or nil.
func (rt *Routes) Match(path string) *Route {
	var best *Route
	bestScore := -1
	for _, r := range rt.Routes {
		if r.regex == nil || !r.regex.MatchString(path) {
			continue
		}
		// Prefer the route with the most literal characters.
		score := len(r.Pattern) - 4*strings.Count(r.Pattern, "<") - 4*strings.Count(r.Pattern, "{")
		if score > bestScore {
			best, bestScore = r, score
		}
	}
	return best
}

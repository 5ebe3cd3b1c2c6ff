package framework

import (
	"regexp"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/pysrc"

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
	// ViewOutside says that the route's pattern is whole but its view is
	// not a definition under --src (Django's TemplateView, a library's
	// view): the route matches its traffic, its view is not read (it is
	// advised as unverified) and the patch cannot target it.
	ViewOutside string `json:"view_outside,omitempty"`
	// HasCacheControl: the view already sets Cache-Control (decorator,
	// header, patch_cache_control); PerUser: it depends on the user
	// (login_required, IsAuthenticated, Depends(current user), ...).
	HasCacheControl bool `json:"has_cache_control,omitempty"`
	// Vary are the request headers the responses vary on, as the source
	// tells (Django's LocaleMiddleware and GZipMiddleware, @vary_on_headers,
	// @vary_on_cookie).
	Vary    []string `json:"vary,omitempty"`
	PerUser bool     `json:"per_user,omitempty"`
	// PerUserWhy says what in the source makes the route per-user.
	PerUserWhy string `json:"per_user_why,omitempty"`
	// Assumptions are what the static reading took for granted to resolve
	// the route: a default of os.getenv, a name's unconditional value
	// while a condition may reassign it, a branch of an if taken.
	Assumptions []string `json:"assumptions,omitempty"`
	// DebugOnly: the route exists only when settings.DEBUG is true
	// (if settings.DEBUG: blocks, static()).
	DebugOnly bool `json:"debug_only,omitempty"`

	Regex    *regexp.Regexp `json:"-"`
	ViewMod  *pysrc.Module  `json:"-"`
	ViewNode *sitter.Node   `json:"-"` // the view's (decorated) definition, for patches
	// RouteName identifies the route for the FastAPI middleware: the path
	// format FastAPI reports for it.
	RouteName string `json:"-"`
	// AppAssign is the X = Flask(...) statement of a Flask static route
	// (its patch goes after it).
	AppAssign *sitter.Node `json:"-"`
	// Kept is the header set for the route away from its view, as a
	// framework's facts read it (FastAPI: the table of cdnadvise's own
	// middleware); nil when none is.
	Kept *KeptHeader `json:"-"`
	// Order is the route's place in the order the walker (or, in exact
	// mode, the framework) lists routes: Django's urlpatterns order, the
	// order of app.routes in exact mode.
	Order int `json:"-"`
}

// ViewFile and ViewLine locate the view's definition ("" when unknown).
func (r *Route) ViewFile() string {
	if r.ViewMod == nil {
		return ""
	}
	return r.ViewMod.File
}

// ViewLine is the 1-based line of the view's definition.
func (r *Route) ViewLine() int {
	if r.ViewNode == nil {
		return 0
	}
	return pysrc.Line(r.ViewNode)
}

// Routes is the route table of a project.
type Routes struct {
	Framework string         `json:"framework"` // django, fastapi, both or none
	Routes    []*Route       `json:"routes"`
	Notes     []string       `json:"notes,omitempty"`
	Proj      *pysrc.Project `json:"-"`
	// Exact: the routes are those the framework built (exact mode), in
	// its own order.
	Exact bool `json:"-"`
	// Mode says how the routes were read and why (nil: not said).
	Mode *RouteMode `json:"mode,omitempty"`
	// table is the frameworks the routes were read with.
	table []Framework
	// converters are each framework's converters by name (framework ->
	// converter -> regex): Django's built-in ones and those registered with
	// register_converter, those registered on a Flask app's url_map.
	converters map[string]map[string]string
}

// Converters returns the converters of a framework (name -> regex), for
// its home to read and add to.
func (rt *Routes) Converters(framework string) map[string]string {
	if rt.converters == nil {
		rt.converters = map[string]map[string]string{}
	}
	c := rt.converters[framework]
	if c == nil {
		c = map[string]string{}
		rt.converters[framework] = c
	}
	return c
}

// home returns the framework a route row belongs to (nil: none known).
func (rt *Routes) home(name string) Framework {
	for _, f := range rt.table {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// Extract reads the routes of the project under src with the frameworks
// of table (the static pass).
func Extract(src string, table []Framework) (*Routes, error) {
	p, err := pysrc.LoadProject(src)
	if err != nil {
		return nil, err
	}
	rt := &Routes{Proj: p, table: table}
	ev := &pysrc.Evaluator{P: p}
	var found []string
	for _, f := range rt.table {
		if f.Walk(p, ev, rt) {
			found = append(found, f.Name())
		}
	}
	switch len(found) {
	case 0:
		rt.Framework = "none"
		rt.Notes = append(rt.Notes, "no Django urlpatterns, FastAPI app or Flask app found under "+src)
	case 1:
		rt.Framework = found[0]
	default:
		rt.Framework = "both"
	}
	rt.sourceFacts()
	rt.finish()
	return rt, nil
}

// finish compiles the route matchers, splits each route into one row per
// method, and sorts the rows by pattern, method, file, line and view, so
// that the table does not depend on map or file order.
func (rt *Routes) finish() {
	var rows []*Route
	for i, r := range rt.Routes {
		r.Order = i
		if r.Unresolved == "" && r.Regex == nil {
			re, err := rt.compilePattern(r)
			if err != nil {
				r.Unresolved = err.Error()
			} else {
				r.Regex = re
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
		if ma, mb := MethodRank(a.Method), MethodRank(b.Method); ma != mb {
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
		return MethodRank(out[i]) < MethodRank(out[j]) || MethodRank(out[i]) == MethodRank(out[j]) && out[i] < out[j]
	})
	return out
}

// MethodRank orders methods: safe ones first, then the usual REST order.
func MethodRank(m string) int {
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
func (rt *Routes) Close() { rt.Proj.Close() }

// compilePattern builds the matcher of a route, the way its framework
// matches a request path.
func (rt *Routes) compilePattern(r *Route) (*regexp.Regexp, error) {
	if f := rt.home(r.Framework); f != nil {
		return f.Matcher(r, rt)
	}
	return regexp.Compile(BraceRegex(r.Pattern, func(string) string { return `[^/]+` }))
}

// BraceRegex turns a pattern with {param} placeholders (FastAPI routes,
// inferred templates) into an anchored regex: literal text quoted, each
// placeholder replaced by param(its inside).
func BraceRegex(p string, param func(string) string) string {
	var b strings.Builder
	b.WriteString("^")
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
		b.WriteString(param(p[i+1 : i+j]))
		p = p[i+j+1:]
	}
	b.WriteString("$")
	return b.String()
}

// Route implements analyze.Router: the pattern of the first route that
// matches path (most specific first: literal routes before parameters).
func (rt *Routes) Route(path string) (string, bool) {
	if r := rt.Match(path); r != nil {
		return r.Pattern, true
	}
	return "", false
}

// ByPattern returns the first row of a pattern (its GET row when it has one).
func (rt *Routes) ByPattern(pattern string) *Route {
	for _, r := range rt.Routes {
		if r.Pattern == pattern && r.Regex != nil {
			return r
		}
	}
	return nil
}

// Match returns the route a path belongs to, or nil: the one the
// framework dispatches it to. Django tries urlpatterns in order, the first
// match wins (django/urls/resolvers.py, URLResolver.resolve); so does
// Starlette in the order of app.routes, known in exact mode. Werkzeug
// (Flask) prefers static parts to converters segment by segment whatever
// the order (werkzeug/routing/matcher.py), which is how FastAPI routes
// read statically are ranked too (their registration order is not read).
func (rt *Routes) Match(path string) *Route {
	var best *Route
	for _, r := range rt.Routes {
		if r.Regex == nil || !r.Regex.MatchString(path) {
			continue
		}
		if best == nil || rt.dispatchedBefore(r, best) {
			best = r
		}
	}
	return best
}

// dispatchedBefore reports whether the framework would dispatch a path
// both routes match to a rather than to b.
func (rt *Routes) dispatchedBefore(a, b *Route) bool {
	if a.Framework == b.Framework && (a.Framework == "django" || a.Framework == "fastapi" && rt.Exact) {
		return a.Order < b.Order
	}
	if c := compareSpecific(a.Pattern, b.Pattern); c != 0 {
		return c > 0
	}
	return a.Order < b.Order
}

// compareSpecific compares two patterns segment by segment as Werkzeug
// ranks rules: at the first segment where they differ, a literal segment
// beats one with a parameter, and one partly literal beats a parameter
// alone; then the pattern with more segments. >0: a is more specific.
func compareSpecific(a, b string) int {
	rank := func(seg string) int {
		switch {
		case !strings.ContainsAny(seg, "<{(\\[*+?"):
			return 2
		case strings.HasPrefix(seg, "<") && strings.HasSuffix(seg, ">") || strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			return 0
		}
		return 1
	}
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		if ra, rb := rank(as[i]), rank(bs[i]); ra != rb {
			return ra - rb
		}
	}
	return len(as) - len(bs)
}

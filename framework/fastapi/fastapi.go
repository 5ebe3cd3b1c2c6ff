package fastapi

// FastAPI: apps and routers, include_router and mount chains with their
// prefixes, route decorators and add_api_route, FastAPI's own routes.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// fastapiWalker reads FastAPI's apps and routers over the shared app walker.
type fastapiWalker struct {
	*framework.AppWalker
	found bool
	// routables are the instances of classy-fastapi Routable classes.
	routables []routableUse
}

func (w *fastapiWalker) run() {
	w.Objects = map[string]*framework.AppObject{}
	// Apps and routers (module level, and inside factories such as create_app()).
	for _, m := range w.Proj.Files {
		w.EachAssignedCall(m, func(a *sitter.Node, left string, c pysrc.Call, ctx framework.WalkCtx) {
			// InferringRouter: fastapi-utils' and fastapi-restful's APIRouter
			// subclass (response models inferred from annotations).
			o := w.NewObject(m, a, left, c, "FastAPI", "app", "APIRouter", "router", "InferringRouter", "router")
			if o == nil {
				o = w.routableInstance(m, a, left, c)
			}
			if o == nil && strings.HasSuffix(pysrc.LastName(c.Fn), "APIRouter") {
				// A router class defined outside --src (a sibling
				// package's CustomAPIRouter): read as the APIRouter its
				// name says it is.
				if cm, rest := w.Proj.Resolve(m, c.Fn); cm == nil || cm.Defs[rest] == nil {
					if _, dup := w.Objects[m.Name+"|"+left]; !dup {
						o = &framework.AppObject{Key: m.Name + "|" + left, Kind: "router", Mod: m, Line: pysrc.Line(a)}
					}
				}
			}
			if o == nil {
				return
			}
			kind := o.Kind
			if p, ok := c.Kw["prefix"]; ok {
				if o.Prefix, o.Assume, ok = w.Eval.Str(m, p, ctx.Locals); !ok {
					o.Unresolved = "prefix " + m.Text(p) + " is not a constant string"
				}
			}
			if why := w.depsRequirement(m, c.Kw["dependencies"]); why != "" {
				o.PerUser, o.PerUserWhy = true, fmt.Sprintf("%s(dependencies=...) (%s:%d): %s", pysrc.LastName(c.Fn), m.File, pysrc.Line(a), why)
			}
			if kind == "app" {
				o.Docs = w.docRoutes(m, c, ctx)
			}
			w.Objects[o.Key] = o
			w.found = true
		})
	}
	if !w.found {
		return
	}
	w.AliasFactoryResults()
	w.BindParameters()
	// include_router calls and mounted sub-applications.
	for _, m := range w.Proj.Files {
		w.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			obj, method := pysrc.SplitLast(c.Fn)
			switch method {
			case "include_router":
			case "mount":
				w.mountApp(m, c, ctx)
				return
			default:
				return
			}
			arg := pysrc.First(c.Args)
			if arg == nil {
				arg = c.Kw["router"]
			}
			if arg == nil {
				return
			}
			parent := w.Object(m, obj)
			child := w.ObjectExpr(m, arg, ctx.Locals)
			if parent == nil || child == nil {
				return
			}
			inc := framework.Inclusion{Parent: parent.Key, Assume: ctx.Assume}
			if p, ok := c.Kw["prefix"]; ok {
				var a []string
				if inc.Prefix, a, ok = w.Eval.Str(m, p, ctx.Locals); !ok {
					inc.Unresolved = "include_router prefix " + m.Text(p) + " is not a constant string"
				}
				inc.Assume = append(append([]string(nil), ctx.Assume...), a...)
			}
			if why := w.depsRequirement(m, c.Kw["dependencies"]); why != "" {
				inc.PerUser, inc.PerUserWhy = true, fmt.Sprintf("include_router(dependencies=...) (%s:%d): %s", m.File, pysrc.Line(c.Node), why)
			}
			child.IncludedIn = append(child.IncludedIn, inc)
		})
	}
	// FastAPI's own routes: the OpenAPI schema and the documentation pages.
	keys := make([]string, 0, len(w.Objects))
	for k := range w.Objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[*framework.AppObject]bool{}
	for _, k := range keys {
		o := w.Objects[k]
		if seen[o] {
			continue // a name that stands for an app made elsewhere
		}
		seen[o] = true
		for _, f := range w.prefixes(o) {
			for _, d := range o.Docs {
				w.Routes.Routes = append(w.Routes.Routes, &framework.Route{Framework: "fastapi", Methods: []string{"GET", "HEAD"}, Pattern: f.Path + d, File: o.Mod.File, Line: o.Line,
					View: "FastAPI (built in)", Kind: "builtin", RouteName: f.Path + d, Unresolved: f.Unresolved, Assumptions: f.Assume})
			}
		}
	}
	// classy-fastapi controllers made by a decorator of the project.
	w.decoratedRoutables()
	// Routes: decorators, add_api_route, mount.
	for _, m := range w.Proj.Files {
		w.routableRoutes(m)
		w.EachRouteDecorator(m, func(def, d *sitter.Node, name string, c pysrc.Call, o *framework.AppObject, method string) {
			methods := routeMethods(m, c, method)
			if methods == nil {
				return
			}
			w.addRoutes(m, d, o, c, methods, name, def, framework.WalkCtx{})
		})
		// Class-based controllers: route decorators on methods.
		w.EachMethodRouteDecorator(m, func(cls, def, d *sitter.Node, name string, c pysrc.Call, o *framework.AppObject, method string) {
			methods := routeMethods(m, c, method)
			if methods == nil {
				return
			}
			w.addClassRoutes(m, cls, d, o, c, methods, name, def)
		})
		w.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			obj, method := pysrc.SplitLast(c.Fn)
			o := w.Object(m, obj)
			if o == nil {
				return
			}
			switch method {
			case "add_api_route":
				methods := []string{"GET"}
				if v, ok := c.Kw["methods"]; ok {
					methods = pysrc.MethodsIn(m.Text(v))
				}
				view := ""
				var def *sitter.Node
				vm := m
				if len(c.Args) > 1 {
					view = m.Text(c.Args[1])
					if t, rest := w.Proj.Resolve(m, view); t != nil {
						vm, def = t, t.Defs[rest]
					}
				}
				w.addRoutes(vm, c.Node, o, c, methods, view, def, ctx)
			case "mount":
				if w.mountedApp(m, c, ctx.Locals) != nil {
					return
				}
				p, assume, ok := w.Eval.Str(m, mountPath(c), ctx.Locals)
				why := ""
				if !ok {
					why = "mount path " + m.Text(mountPath(c)) + " is not a constant string"
				}
				for _, full := range w.prefixes(o) {
					r := &framework.Route{Framework: "fastapi", Methods: []string{"GET", "HEAD"}, Pattern: full.Path + strings.TrimSuffix(p, "/") + "/{path:path}",
						File: m.File, Line: pysrc.Line(c.Node), View: m.Text(mountApp(c)), Kind: "static", RouteName: full.Path + strings.TrimSuffix(p, "/"), Unresolved: full.Unresolved,
						Assumptions: framework.Dedupe(append(append(append([]string(nil), full.Assume...), ctx.Assume...), assume...))}
					if why != "" {
						r.Unresolved = why
					}
					w.Routes.Routes = append(w.Routes.Routes, r)
				}
			}
		})
	}
}

// routeMethods are the HTTP methods of a route decorator @X.method(...)
// (nil when the method is not a route decorator).
func routeMethods(m *pysrc.Module, c pysrc.Call, method string) []string {
	switch method {
	case "get", "post", "put", "patch", "delete", "head", "options":
		return []string{strings.ToUpper(method)}
	case "api_route":
		if v, ok := c.Kw["methods"]; ok {
			return pysrc.MethodsIn(m.Text(v))
		}
		return []string{"GET"}
	}
	return nil
}

// addClassRoutes adds the routes of a method of a class-based controller:
// the class's shared dependencies (class attributes given Depends() or
// Security(), parameters of __init__, through its bases) apply to every
// route of the class, as fastapi-utils' @cbv makes them dependencies of
// each endpoint.
func (w *fastapiWalker) addClassRoutes(m *pysrc.Module, cls, at *sitter.Node, o *framework.AppObject, c pysrc.Call, methods []string, name string, def *sitter.Node) {
	className := m.Text(pysrc.ClassNameNode(cls))
	n := len(w.Routes.Routes)
	w.addRoutes(m, at, o, c, methods, className+"."+name, def, framework.WalkCtx{})
	why := w.classDeps(m, cls)
	if why == "" {
		return
	}
	for _, r := range w.Routes.Routes[n:] {
		if !r.PerUser || r.PerUserWhy == "" {
			r.PerUser, r.PerUserWhy = true, fmt.Sprintf("the dependencies shared by class %s: %s", className, why)
		}
	}
}

// classDeps says why the shared dependencies of a class-based controller
// need a user ("" when none does).
func (w *fastapiWalker) classDeps(m *pysrc.Module, cls *sitter.Node) string {
	for _, c := range w.Proj.ClassChain(m, cls) {
		for _, st := range pysrc.Children(c.Body()) {
			switch st.Kind() {
			case "expression_statement":
			case "function_definition", "decorated_definition":
				f := st
				if f.Kind() == "decorated_definition" {
					f = f.ChildByFieldName("definition")
				}
				if f == nil || f.Kind() != "function_definition" || c.M.Text(f.ChildByFieldName("name")) != "__init__" {
					continue
				}
				st = f.ChildByFieldName("parameters")
			default:
				continue
			}
			if t := c.M.Text(st); !strings.Contains(t, "Depends(") && !strings.Contains(t, "Security(") {
				continue
			}
			if why := w.depsRequirement(c.M, st); why != "" {
				return why
			}
		}
	}
	return ""
}

// mountPath and mountApp are the path and the application of a mount()
// call (positional or path=, app=).
func mountPath(c pysrc.Call) *sitter.Node {
	if v, ok := c.Kw["path"]; ok {
		return v
	}
	return pysrc.First(c.Args)
}

func mountApp(c pysrc.Call) *sitter.Node {
	if v, ok := c.Kw["app"]; ok {
		return v
	}
	return pysrc.Second(c.Args)
}

// mountedApp returns the FastAPI application a mount() call mounts, or nil
// (a static folder or another ASGI app).
func (w *fastapiWalker) mountedApp(m *pysrc.Module, c pysrc.Call, locals pysrc.Env) *framework.AppObject {
	a := mountApp(c)
	if a == nil || (a.Kind() != "identifier" && a.Kind() != "attribute") {
		return nil
	}
	if o := w.ObjectExpr(m, a, locals); o != nil && o.Kind == "app" {
		return o
	}
	return nil
}

// mountApp records app.mount("/v2", other_app) of a FastAPI application:
// its routes are served under /v2.
func (w *fastapiWalker) mountApp(m *pysrc.Module, c pysrc.Call, ctx framework.WalkCtx) {
	obj, _ := pysrc.SplitLast(c.Fn)
	parent := w.Object(m, obj)
	child := w.mountedApp(m, c, ctx.Locals)
	if parent == nil || child == nil || parent == child {
		return
	}
	inc := framework.Inclusion{Parent: parent.Key, Mount: true, Assume: ctx.Assume}
	p, a, ok := w.Eval.Str(m, mountPath(c), ctx.Locals)
	if !ok {
		inc.Unresolved = "mount path " + m.Text(mountPath(c)) + " is not a constant string"
	}
	inc.Prefix = strings.TrimSuffix(p, "/")
	inc.Assume = append(append([]string(nil), ctx.Assume...), a...)
	child.IncludedIn = append(child.IncludedIn, inc)
}

// docRoutes lists the routes FastAPI(...) adds by itself: openapi_url
// (default /openapi.json) and, when it is set, docs_url (/docs, with
// swagger_ui_oauth2_redirect_url /docs/oauth2-redirect) and redoc_url
// (/redoc); a URL given as None, or one that is not a constant, is left out.
func (w *fastapiWalker) docRoutes(m *pysrc.Module, c pysrc.Call, ctx framework.WalkCtx) []string {
	url := func(kw, def string) string {
		v, ok := c.Kw[kw]
		if !ok {
			return def
		}
		if m.Text(v) == "None" {
			return ""
		}
		s, _, ok := w.Eval.Str(m, v, ctx.Locals)
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

// prefixes lists the full prefixes at which an object is served (its own
// prefix included), following include_router and mount up to an app that
// is not mounted in another one.
func (w *fastapiWalker) prefixes(o *framework.AppObject) []framework.Prefix {
	var out []framework.Prefix
	var walk func(o *framework.AppObject, suffix, why string, assume []string, user string, depth int)
	// user is why a router or include on the way requires a user ("" none).
	walk = func(o *framework.AppObject, suffix, why string, assume []string, user string, depth int) {
		if depth > 20 {
			return
		}
		s := o.Prefix + suffix
		if o.Unresolved != "" {
			why = o.Unresolved
		}
		assume = append(append([]string(nil), o.Assume...), assume...)
		if o.PerUser && user == "" {
			user = o.PerUserWhy
		}
		if len(out) >= 1000 {
			return
		}
		if o.Kind == "app" && !o.Mounted() {
			out = append(out, framework.Prefix{Path: s, Unresolved: why, Assume: framework.Dedupe(assume), PerUser: user != "", PerUserWhy: user})
		}
		for _, inc := range o.IncludedIn {
			if p, ok := w.Objects[inc.Parent]; ok {
				w2 := why
				if inc.Unresolved != "" {
					w2 = inc.Unresolved
				}
				u := user
				if inc.PerUser && u == "" {
					u = inc.PerUserWhy
				}
				walk(p, inc.Prefix+s, w2, append(append([]string(nil), inc.Assume...), assume...), u, depth+1)
			}
		}
	}
	walk(o, "", "", nil, "", 0)
	return out
}

func (w *fastapiWalker) addRoutes(m *pysrc.Module, at *sitter.Node, o *framework.AppObject, c pysrc.Call, methods []string, view string, def *sitter.Node, ctx framework.WalkCtx) {
	pathNode := pysrc.First(c.Args)
	if pathNode == nil {
		pathNode = c.Kw["path"]
	}
	p, assume, ok := w.Eval.Str(m, pathNode, ctx.Locals)
	base := &framework.Route{Framework: "fastapi", Methods: methods, File: m.File, Line: pysrc.Line(at), View: m.Name + "." + view, Kind: "function"}
	if def != nil {
		base.ViewMod, base.ViewNode = m, def
		base.HasCacheControl, base.PerUser = framework.InspectView(m, def)
	}
	if why := w.depsRequirement(m, c.Kw["dependencies"]); why != "" {
		base.PerUser, base.PerUserWhy = true, "the route's dependencies=... : "+why
	} else if def != nil {
		if why := w.depsRequirement(m, def); why != "" {
			base.PerUser, base.PerUserWhy = true, "the view's dependencies: "+why
		}
	}
	if !ok {
		r := *base
		r.Pattern, r.Unresolved = "…", "route path "+m.Text(pathNode)+" is not a constant string"
		r.Assumptions = framework.Dedupe(ctx.Assume)
		w.Routes.Routes = append(w.Routes.Routes, &r)
		return
	}
	full := w.prefixes(o)
	if len(full) == 0 {
		r := *base
		r.Pattern = o.Prefix + p
		r.Assumptions = framework.Dedupe(append(append(append([]string(nil), o.Assume...), ctx.Assume...), assume...))
		r.Unresolved = fmt.Sprintf("router %s (%s:%d) is not included in any FastAPI app found under --src", pysrc.LastName(strings.SplitN(o.Key, "|", 2)[1]), o.Mod.File, o.Line)
		w.Routes.Routes = append(w.Routes.Routes, &r)
		return
	}
	for _, f := range full {
		r := *base
		r.Pattern = f.Path + p
		r.RouteName = r.Pattern
		r.Unresolved = f.Unresolved
		if f.PerUser && !r.PerUser {
			r.PerUser, r.PerUserWhy = true, f.PerUserWhy
		}
		r.Assumptions = framework.Dedupe(append(append(append([]string(nil), f.Assume...), ctx.Assume...), assume...))
		w.Routes.Routes = append(w.Routes.Routes, &r)
	}
}

// classy-fastapi: a class built on Routable declares routes on its methods
// with @get(path), @post(path)... (imported from classy_fastapi); each
// instance's __init__ makes an APIRouter (prefix= and the other keyword
// arguments given to the class) at instance.router, which the project
// includes. An instance is X = Cls(prefix=...) (X and X.router stand for
// its router), or one a project decorator makes of the class it decorates
// (@router(prefix="/coupons") where router's inner function instantiates
// the class and includes its router in an object of the project).

// routable says whether a called name makes an instance of a Routable class.
func (w *fastapiWalker) routable(m *pysrc.Module, fn string) bool {
	return w.ClassOf(m, fn, "Routable") != ""
}

// routableInstance is the router of X = Cls(...) for a Routable class.
func (w *fastapiWalker) routableInstance(m *pysrc.Module, a *sitter.Node, left string, c pysrc.Call) *framework.AppObject {
	if !w.routable(m, c.Fn) || pysrc.LastName(c.Fn) == "Routable" {
		return nil
	}
	cm, rest := w.Proj.Resolve(m, c.Fn)
	if cm == nil || rest == "" {
		return nil
	}
	o := &framework.AppObject{Key: m.Name + "|" + left, Kind: "router", Mod: m, Line: pysrc.Line(a)}
	if _, dup := w.Objects[o.Key]; dup {
		return nil
	}
	w.routablePrefix(m, c, o, framework.WalkCtx{}, cm, cm.Defs[rest])
	w.Objects[m.Name+"|"+left+".router"] = o
	w.routables = append(w.routables, routableUse{cm: cm, cls: cm.Defs[rest], o: o})
	return o
}

// routablePrefix reads the router options of a Routable instance: the
// prefix= and dependencies= its construction (or the decorator making it)
// gives, else those the class's __init__ passes to Routable.__init__
// (super().__init__(prefix=..., dependencies=[...])).
func (w *fastapiWalker) routablePrefix(m *pysrc.Module, c pysrc.Call, o *framework.AppObject, ctx framework.WalkCtx, cm *pysrc.Module, cls *sitter.Node) {
	prefixAt, prefixNode := m, c.Kw["prefix"]
	depsAt, depsNode := m, c.Kw["dependencies"]
	if cls != nil && (prefixNode == nil || depsNode == nil) {
		if at, init, ok := pysrc.ClassMethod(w.Proj.ClassChain(cm, cls), "__init__"); ok {
			pysrc.EachCall(at.M, init, func(sc pysrc.Call) {
				if !strings.HasSuffix(sc.Fn, "__init__") {
					return
				}
				if v, ok := sc.Kw["prefix"]; ok && prefixNode == nil {
					prefixAt, prefixNode = at.M, v
				}
				if v, ok := sc.Kw["dependencies"]; ok && depsNode == nil {
					depsAt, depsNode = at.M, v
				}
			})
		}
	}
	if prefixNode != nil {
		var a []string
		var ok bool
		if o.Prefix, a, ok = w.Eval.Str(prefixAt, prefixNode, ctx.Locals); !ok {
			o.Unresolved = "prefix " + prefixAt.Text(prefixNode) + " is not a constant string"
		}
		o.Assume = append(o.Assume, a...)
	}
	if why := w.depsRequirement(depsAt, depsNode); why != "" {
		o.PerUser, o.PerUserWhy = true, fmt.Sprintf("the router's dependencies=... (%s:%d): %s", depsAt.File, pysrc.Line(depsNode), why)
	}
}

// routableUse is a Routable class and the router of one of its instances.
type routableUse struct {
	cm  *pysrc.Module
	cls *sitter.Node
	o   *framework.AppObject
}

// decoratedRoutables reads the Routable classes decorated by a function of
// the project that instantiates them and includes their router.
func (w *fastapiWalker) decoratedRoutables() {
	for _, m := range w.Proj.Files {
		for _, cls := range framework.DecoratedClasses(m) {
			name := m.Text(pysrc.ClassNameNode(cls))
			if !w.routable(m, name) {
				continue
			}
			decos, calls := framework.DecoratorCalls(m, cls)
			for i, c := range calls {
				fm, def := w.Proj.FunctionDef(m, c.Fn)
				if def == nil {
					continue
				}
				parent := w.includedInto(fm, def)
				if parent == nil {
					continue
				}
				o := &framework.AppObject{Key: m.Name + "|" + name + "()", Kind: "router", Mod: m, Line: pysrc.Line(decos[i])}
				w.routablePrefix(m, c, o, framework.WalkCtx{}, m, cls)
				o.IncludedIn = append(o.IncludedIn, framework.Inclusion{Parent: parent.Key})
				w.Objects[o.Key] = o
				w.routables = append(w.routables, routableUse{cm: m, cls: cls, o: o})
			}
		}
	}
}

var includeRouterRe = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_.]*)\.include_router\(`)

// includedInto is the object a decorator function includes routers into
// (root.include_router(obj.router) in its body), nil when none.
func (w *fastapiWalker) includedInto(fm *pysrc.Module, def *sitter.Node) *framework.AppObject {
	for _, mm := range includeRouterRe.FindAllStringSubmatch(fm.Text(def), -1) {
		if o := w.Object(fm, mm[1]); o != nil {
			return o
		}
	}
	return nil
}

// classyMethods maps classy-fastapi's decorators to their methods.
var classyMethods = map[string][]string{"get": {"GET"}, "post": {"POST"}, "put": {"PUT"}, "patch": {"PATCH"}, "delete": {"DELETE"}, "options": {"OPTIONS"}, "head": {"HEAD"}}

// routableRoutes adds the routes of the Routable classes of module m, for
// each of their instances found.
func (w *fastapiWalker) routableRoutes(m *pysrc.Module) {
	methods, classes := framework.DecoratedMethods(m)
	for i, def := range methods {
		cls := classes[i]
		var uses []routableUse
		for _, u := range w.routables {
			if u.cm == m && pysrc.ClassNode(u.cls).StartByte() == pysrc.ClassNode(cls).StartByte() {
				uses = append(uses, u)
			}
		}
		if len(uses) == 0 {
			continue
		}
		name := m.Text(def.ChildByFieldName("definition").ChildByFieldName("name"))
		decos, calls := framework.DecoratorCalls(m, def)
		for j, c := range calls {
			head := strings.SplitN(c.Fn, ".", 2)[0]
			if !strings.HasPrefix(m.Imports[head], "classy_fastapi") {
				continue
			}
			ms := classyMethods[pysrc.LastName(c.Fn)]
			if pysrc.LastName(c.Fn) == "api_route" {
				ms = []string{"GET"}
				if v, ok := c.Kw["methods"]; ok {
					ms = pysrc.MethodsIn(m.Text(v))
				}
			}
			if ms == nil {
				continue
			}
			for _, u := range uses {
				w.addClassRoutes(m, cls, decos[j], u.o, c, ms, name, def)
			}
		}
	}
}

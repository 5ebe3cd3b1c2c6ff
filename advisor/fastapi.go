package advisor

// FastAPI: apps and routers, include_router and mount chains with their
// prefixes, route decorators and add_api_route, FastAPI's own routes.

import (
	"fmt"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// fastapiWalker reads FastAPI's apps and routers over the shared app walker.
type fastapiWalker struct {
	*appWalker
	found bool
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
		w.eachRouteDecorator(m, func(def, d *sitter.Node, name string, c call, o *faObject, method string) {
			methods := []string{strings.ToUpper(method)}
			switch method {
			case "get", "post", "put", "patch", "delete", "head", "options":
			case "api_route":
				methods = []string{"GET"}
				if v, ok := c.kw["methods"]; ok {
					methods = methodsIn(m.text(v))
				}
			default:
				return
			}
			w.addRoutes(m, d, o, c, methods, name, def, faCtx{})
		})
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

// eachRouteDecorator calls fn for every decorator call X.method(...) on a
// function, where X is one of the walker's objects (an app, router or
// blueprint): the decorated definition, the decorator, the function's
// name, the call, the object and the method.
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

package flask

// Flask-RESTful and Flask-RESTX (and Flask-RESTPlus, its predecessor):
// Api objects bound to an app or a blueprint (Api(app), Api(bp),
// api.init_app(app)) with their prefix; Flask-RESTX namespaces
// (api.namespace(...), or Namespace(...) added with api.add_namespace(ns,
// path=...)) with their path; resources added with add_resource(Resource,
// *urls) or the @api.route / @ns.route / @api.resource class decorators,
// one route per URL with the HTTP methods the Resource defines. URLs are
// joined as the libraries join them, by plain concatenation: blueprint
// prefix + Api prefix + namespace path + url (flask_restful.Api.
// _complete_url, flask_restx.Api.ns_urls and _complete_url; a namespace's
// own path is "/" + its name unless path= is given, without a trailing
// slash). Flask-RESTX also serves its Swagger document (prefix +
// /swagger.json), unless doc=False its documentation page (doc=, default
// /), the API root (prefix, or /; it answers 404) and the Swagger UI files
// (/swaggerui/...), as flask_restx/api.py and apidoc.py register them.
//
// Authentication: the app's and blueprint's before_request hooks, the
// decorators= of the Api and of the Namespace (both wrap every resource),
// the Resource's decorators (View.as_view) and method_decorators (a list,
// or a dict per method, applied by dispatch_request), and the method's
// own decorators and code. A route is per-user when its GET handler (or,
// without one, any handler) needs a user: only GET and HEAD responses are
// ever stored by a shared cache.

import (
	"fmt"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// restLibs are the libraries read here, by the dotted name their Api and
// Namespace classes are imported from.
var restLibs = map[string]string{
	"flask_restful": "Flask-RESTful", "flask_restx": "Flask-RESTX", "flask_restplus": "Flask-RESTPlus",
}

// restObj is an Api or a Namespace of the source.
type restObj struct {
	key, kind, lib string // kind: api or namespace; lib: a key of restLibs
	m              *pysrc.Module
	line           int
	name           string
	// An Api: the app or blueprint it is bound to, and its prefix.
	target *framework.AppObject
	prefix string
	doc    string // Flask-RESTX's documentation page ("" none)
	// A namespace: its own path and the Apis it is added to.
	path   string
	adds   []nsAdd
	why    string // why its decorators= require a user
	unres  string
	assume []string
}

// nsAdd is a namespace added to an Api, with the path given there.
type nsAdd struct {
	api     *restObj
	path    string
	hasPath bool
	unres   string
}

// restWalker reads the Apis, namespaces and resources of a Flask project.
type restWalker struct {
	w    *flaskWalker
	objs map[string]*restObj
}

// restLib says which library a called name refers to ("" none): an Api or
// Namespace class imported from one, or a project class built on one.
func (r *restWalker) restLib(m *pysrc.Module, fn, class string) string {
	p := r.w.h.Proj
	bm, rest := p.Resolve(m, fn)
	if bm == nil {
		head, last := pysrc.SplitLast(rest)
		if last == class {
			if _, ok := restLibs[head]; ok {
				return head
			}
		}
		return ""
	}
	def, ok := bm.Defs[rest]
	if !ok || !pysrc.IsClass(def) {
		return ""
	}
	for _, ext := range p.External(p.ClassChain(bm, def)) {
		head, last := pysrc.SplitLast(ext)
		if _, ok := restLibs[head]; ok && last == class {
			return head
		}
	}
	return ""
}

// object finds the Api or namespace a name refers to.
func (r *restWalker) object(m *pysrc.Module, name string) *restObj {
	if o, ok := r.objs[m.Name+"|"+name]; ok {
		return o
	}
	if t, rest := r.w.h.Proj.Resolve(m, name); t != nil && rest != "" {
		return r.objs[t.Name+"|"+rest]
	}
	return nil
}

// objectExpr finds the Api or namespace an expression refers to, a loop
// variable followed to the list item it takes.
func (r *restWalker) objectExpr(m *pysrc.Module, n *sitter.Node, locals pysrc.Env) *restObj {
	if n == nil {
		return nil
	}
	if b, ok := locals[m.Text(n)]; ok && n.Kind() == "identifier" {
		if o := r.object(b.M, b.M.Text(b.N)); o != nil {
			return o
		}
	}
	return r.object(m, m.Text(n))
}

func (r *restWalker) run() {
	h := r.w.h
	r.objs = map[string]*restObj{}
	// Apis and namespaces.
	for _, m := range h.Proj.Files {
		h.EachAssignedCall(m, func(a *sitter.Node, left string, c pysrc.Call, ctx framework.WalkCtx) {
			key := m.Name + "|" + left
			if _, dup := r.objs[key]; dup {
				return
			}
			o := &restObj{key: key, m: m, line: pysrc.Line(a), name: left, assume: ctx.Assume}
			objName, method := pysrc.SplitLast(c.Fn)
			apiLib, nsLib := r.restLib(m, c.Fn, "Api"), r.restLib(m, c.Fn, "Namespace")
			switch {
			case apiLib != "":
				o.kind, o.lib = "api", apiLib
				target := c.Kw["app"]
				if target == nil {
					target = pysrc.First(c.Args)
				}
				if target != nil {
					o.target = h.ObjectExpr(m, target, ctx.Locals)
				}
				if v, ok := c.Kw["prefix"]; ok {
					if o.prefix, _, ok = h.Eval.Str(m, v, ctx.Locals); !ok {
						o.unres = "Api prefix " + m.Text(v) + " is not a constant string"
					}
				}
				if o.lib != "flask_restful" {
					o.doc = "/"
					if v, ok := c.Kw["doc"]; ok {
						if s, _, ok := h.Eval.Str(m, v, ctx.Locals); ok {
							o.doc = s
						} else {
							o.doc = "" // doc=False, or not a constant
						}
					}
				}
			case nsLib != "":
				o.kind, o.lib = "namespace", nsLib
				r.nsPath(m, c, o, ctx)
			case method == "namespace" && r.object(m, objName) != nil && r.object(m, objName).kind == "api":
				api := r.object(m, objName)
				o.kind, o.lib = "namespace", api.lib
				r.nsPath(m, c, o, ctx)
				o.adds = append(o.adds, nsAdd{api: api})
			default:
				return
			}
			if why := r.w.listRequirement(m, c.Kw["decorators"]); why != "" {
				o.why = fmt.Sprintf("decorators= of %s %s (%s:%d): %s", o.kind, left, m.File, pysrc.Line(a), why)
			}
			r.objs[key] = o
		})
	}
	if len(r.objs) == 0 {
		return
	}
	// An Api or namespace given to a function of the project
	// (register_routes(api, app)) is its parameter there.
	for pass := 0; pass < 2; pass++ {
		h.EachParamArg(func(fm *pysrc.Module, param string, m *pysrc.Module, arg *sitter.Node, ctx framework.WalkCtx) {
			if o := r.objectExpr(m, arg, ctx.Locals); o != nil {
				if _, taken := r.objs[fm.Name+"|"+param]; !taken {
					r.objs[fm.Name+"|"+param] = o
				}
			}
		})
	}
	// init_app and add_namespace.
	for _, m := range h.Proj.Files {
		h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			objName, method := pysrc.SplitLast(c.Fn)
			api := r.object(m, objName)
			if api == nil || api.kind != "api" || len(c.Args) == 0 {
				return
			}
			switch method {
			case "init_app":
				if t := h.ObjectExpr(m, c.Args[0], ctx.Locals); t != nil && api.target == nil {
					api.target = t
				}
			case "add_namespace":
				ns := r.objectExpr(m, c.Args[0], ctx.Locals)
				if ns == nil || ns.kind != "namespace" {
					return
				}
				add := nsAdd{api: api}
				v := c.Kw["path"]
				if v == nil {
					v = pysrc.Second(c.Args)
				}
				if v != nil && m.Text(v) != "None" {
					add.hasPath = true
					if s, _, ok := h.Eval.Str(m, v, ctx.Locals); ok {
						add.path = s
					} else {
						add.unres = "add_namespace path " + m.Text(v) + " is not a constant string"
					}
				}
				for i, a := range ns.adds {
					if a.api == api {
						ns.adds[i] = add // the path given last
						return
					}
				}
				ns.adds = append(ns.adds, add)
			}
		})
	}
	// Flask-RESTX's own routes, in source order.
	apidoc := false
	for _, m := range h.Proj.Files {
		for _, o := range r.objs {
			if o.m != m || o.kind != "api" || o.lib == "flask_restful" || o.target == nil {
				continue
			}
			r.addBuiltin(o, o.prefix+"/swagger.json", "Swagger document")
			if o.doc != "" {
				r.addBuiltin(o, o.doc, "documentation page")
			}
			root := o.prefix
			if root == "" {
				root = "/"
			}
			if root != o.doc {
				r.addBuiltin(o, root, "API root (answers 404)")
			}
			if !apidoc {
				// The Swagger UI files, once per app (flask_restx/apidoc.py).
				apidoc = true
				h.Routes.Routes = append(h.Routes.Routes, &framework.Route{Framework: "flask", Methods: []string{"GET"}, Pattern: "/swaggerui/<path:filename>",
					RouteName: "/swaggerui/<path:filename>", File: o.m.File, Line: o.line, View: restLibs[o.lib] + " Swagger UI files (built in)", Kind: "builtin"})
			}
		}
	}
	// Resources: add_resource and class decorators.
	for _, m := range h.Proj.Files {
		h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			objName, method := pysrc.SplitLast(c.Fn)
			o := r.object(m, objName)
			if o == nil || method != "add_resource" || len(c.Args) < 2 {
				return
			}
			cm, cls := r.resourceClass(m, m.Text(c.Args[0]))
			r.addResource(m, c.Node, o, c.Args[1:], m.Text(c.Args[0]), cm, cls, ctx)
		})
		for _, def := range framework.DecoratedClasses(m) {
			decos, calls := framework.DecoratorCalls(m, def)
			for i, c := range calls {
				objName, method := pysrc.SplitLast(c.Fn)
				if o := r.object(m, objName); o != nil && (method == "route" || method == "resource") {
					r.addResource(m, decos[i], o, c.Args, m.Text(pysrc.ClassNameNode(def)), m, def, framework.WalkCtx{})
				}
			}
		}
	}
}

// nsPath reads a namespace's own path: path=, else "/" + its name, without
// a trailing slash (flask_restx.Namespace.path).
func (r *restWalker) nsPath(m *pysrc.Module, c pysrc.Call, o *restObj, ctx framework.WalkCtx) {
	if v, ok := c.Kw["path"]; ok && m.Text(v) != "None" {
		if s, _, ok := r.w.h.Eval.Str(m, v, ctx.Locals); ok {
			o.path = strings.TrimRight(s, "/")
		} else {
			o.unres = "namespace path " + m.Text(v) + " is not a constant string"
		}
		return
	}
	name := c.Kw["name"]
	if name == nil {
		name = pysrc.First(c.Args)
	}
	if s, _, ok := r.w.h.Eval.Str(m, name, ctx.Locals); ok {
		o.path = strings.TrimRight("/"+s, "/")
	} else {
		o.unres = "namespace name " + m.Text(name) + " is not a constant string"
	}
}

// resourceClass finds a Resource class by the name used in m.
func (r *restWalker) resourceClass(m *pysrc.Module, name string) (*pysrc.Module, *sitter.Node) {
	if t, rest := r.w.h.Proj.Resolve(m, name); t != nil && rest != "" {
		if def, ok := t.Defs[rest]; ok && pysrc.IsClass(def) {
			return t, def
		}
		return nil, nil
	}
	if def, ok := m.Defs[name]; ok && pysrc.IsClass(def) {
		return m, def
	}
	return nil, nil
}

// restPrefix is one full prefix a resource URL is served under, with what
// the chain of objects says of users.
type restPrefix struct {
	path, unres, why string
	assume           []string
}

// prefixes lists the full prefixes of an Api or namespace: the blueprint's
// prefixes, the Api's prefix, the namespace's path.
func (r *restWalker) prefixes(o *restObj) []restPrefix {
	if o.kind == "namespace" {
		var out []restPrefix
		for _, add := range o.adds {
			path, unres := o.path, o.unres
			if add.hasPath {
				path, unres = add.path, add.unres
			}
			for _, p := range r.prefixes(add.api) {
				if unres != "" {
					p.unres = unres
				}
				if p.why == "" {
					p.why = o.why
				}
				p.path += path
				out = append(out, p)
			}
		}
		return out
	}
	if o.target == nil {
		return nil
	}
	var out []restPrefix
	for _, p := range r.w.prefixes(o.target) {
		rp := restPrefix{path: p.Path + o.prefix, unres: p.Unresolved, assume: append(append([]string(nil), o.assume...), p.Assume...), why: o.why}
		if o.unres != "" {
			rp.unres = o.unres
		}
		if why := r.w.userRequirement(o.target, 0); why != "" {
			rp.why = why
		}
		out = append(out, rp)
	}
	return out
}

// addBuiltin adds a route Flask-RESTX serves by itself.
func (r *restWalker) addBuiltin(o *restObj, url, what string) {
	if o.target == nil {
		return
	}
	for _, p := range r.w.prefixes(o.target) {
		pat := p.Path + url
		r.w.h.Routes.Routes = append(r.w.h.Routes.Routes, &framework.Route{Framework: "flask", Methods: []string{"GET"}, Pattern: pat, RouteName: pat,
			File: o.m.File, Line: o.line, View: restLibs[o.lib] + " " + what + " (built in)", Kind: "builtin", Unresolved: p.Unresolved, Assumptions: p.Assume})
	}
}

// addResource adds the routes of a Resource class at urls of an Api or
// namespace.
func (r *restWalker) addResource(m *pysrc.Module, at *sitter.Node, o *restObj, urls []*sitter.Node, view string, cm *pysrc.Module, cls *sitter.Node, ctx framework.WalkCtx) {
	h := r.w.h
	base := framework.Route{Framework: "flask", Methods: []string{"GET"}, File: m.File, Line: pysrc.Line(at), View: m.Name + "." + view, Kind: "class"}
	if cls != nil {
		base.View = cm.Name + "." + cm.Text(pysrc.ClassNameNode(cls))
		base.ViewMod, base.ViewNode = cm, cls
		base.Methods, base.PerUserWhy, base.HasCacheControl = r.resourceMethods(cm, cls)
		base.PerUser = base.PerUserWhy != ""
	} else {
		base.Unresolved = fmt.Sprintf("resource class %s is not found under --src", view)
	}
	pre := r.prefixes(o)
	for _, u := range urls {
		if u.Kind() == "keyword_argument" {
			continue
		}
		url, assume, ok := h.Eval.Str(m, u, ctx.Locals)
		if !ok {
			rt := base
			rt.Pattern, rt.Unresolved = "…", "resource URL "+m.Text(u)+" is not a constant string"
			h.Routes.Routes = append(h.Routes.Routes, &rt)
			continue
		}
		if len(pre) == 0 {
			rt := base
			rt.Pattern = o.prefix + o.path + url
			rt.Unresolved = fmt.Sprintf("%s %s (%s:%d) is not bound to a Flask app or blueprint found under --src", o.kind, o.name, o.m.File, o.line)
			h.Routes.Routes = append(h.Routes.Routes, &rt)
			continue
		}
		for _, p := range pre {
			rt := base
			rt.Pattern = p.path + url
			rt.RouteName = rt.Pattern
			if rt.Unresolved == "" {
				rt.Unresolved = p.unres
			}
			if p.why != "" && !rt.PerUser {
				rt.PerUser, rt.PerUserWhy = true, p.why
			}
			rt.Assumptions = framework.Dedupe(append(append(append([]string(nil), p.assume...), ctx.Assume...), assume...))
			h.Routes.Routes = append(h.Routes.Routes, &rt)
		}
	}
}

// resourceMethods reads a Resource class: the HTTP methods it defines
// (itself or through its bases), why its GET handler (else any handler)
// needs a user, and whether a handler sets Cache-Control.
func (r *restWalker) resourceMethods(m *pysrc.Module, cls *sitter.Node) (methods []string, why string, hasCache bool) {
	p := r.w.h.Proj
	chain := p.ClassChain(m, cls)
	whole := ""
	if c, v, ok := pysrc.ClassAssignment(chain, "decorators"); ok {
		if x := r.w.listRequirement(c.M, v); x != "" {
			whole = fmt.Sprintf("decorators of %s (%s:%d): %s", c.Name(), c.M.File, pysrc.Line(v), x)
		}
	}
	// A header set by the class's decorators (a patch already applied) or
	// by a handler.
	hasCache, _ = framework.InspectView(m, cls)
	md, mdv, mdOK := pysrc.ClassAssignment(chain, "method_decorators")
	handlerWhy := map[string]string{}
	for _, name := range []string{"get", "post", "put", "patch", "delete"} {
		c, def, ok := pysrc.ClassMethod(chain, name)
		if !ok {
			continue
		}
		methods = append(methods, strings.ToUpper(name))
		cache, user := framework.InspectView(c.M, def)
		hasCache = hasCache || cache
		w := whole
		if w == "" && mdOK {
			list := mdv
			if mdv.Kind() == "dictionary" {
				list = dictValue(md.M, mdv, name)
			}
			if x := r.w.listRequirement(md.M, list); x != "" {
				w = fmt.Sprintf("method_decorators of %s (%s:%d): %s", md.Name(), md.M.File, pysrc.Line(mdv), x)
			}
		}
		if w == "" {
			w = r.w.decoratorRequirement(c.M, def)
		}
		if w == "" && (user || flaskPerUserRe.MatchString(c.M.Text(def))) {
			w = fmt.Sprintf("%s.%s (%s:%d) reads the user, the session or the credentials", c.Name(), name, c.M.File, pysrc.Line(def))
		}
		handlerWhy[name] = w
	}
	if len(methods) == 0 {
		return []string{"GET"}, whole, false
	}
	if w, ok := handlerWhy["get"]; ok {
		return methods, w, hasCache
	}
	for _, w := range handlerWhy {
		if w != "" {
			return methods, w, hasCache
		}
	}
	return methods, "", hasCache
}

// dictValue is the value of a string key of a dict literal (nil when
// absent).
func dictValue(m *pysrc.Module, dict *sitter.Node, key string) *sitter.Node {
	for _, pair := range pysrc.Children(dict) {
		if pair.Kind() != "pair" {
			continue
		}
		if k, ok := m.StringValue(pair.ChildByFieldName("key")); ok && strings.EqualFold(k, key) {
			return pair.ChildByFieldName("value")
		}
	}
	return nil
}

// listRequirement says why a list (or tuple) of decorators needs a user:
// one that names a known login check (login_required, jwt_required, ...)
// or a function of the project whose code checks for a user.
func (w *flaskWalker) listRequirement(m *pysrc.Module, list *sitter.Node) string {
	if list == nil {
		return ""
	}
	items := []*sitter.Node{list}
	if k := list.Kind(); k == "list" || k == "tuple" {
		items = pysrc.Children(list)
	}
	for _, it := range items {
		switch it.Kind() {
		case "[", "]", "(", ")", ",", "comment":
			continue
		}
		if why := w.exprRequirement(m, m.Text(it)); why != "" {
			return why
		}
	}
	return ""
}

// exprRequirement says why a decorator expression (without @) needs a
// user: its own name is a known login check, or it names a function of the
// project whose code checks for one.
func (w *flaskWalker) exprRequirement(m *pysrc.Module, d string) string {
	name := d
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = name[:i]
	}
	if x := loginCheckRe.FindString(name); x != "" {
		return fmt.Sprintf("%s (%s)", d, x)
	}
	dm, rest := m, name
	if t, r := w.h.Proj.Resolve(m, name); t != nil && r != "" {
		dm, rest = t, r
	}
	ddef, ok := dm.Defs[rest]
	if !ok || pysrc.IsClass(ddef) {
		return ""
	}
	if x := loginCheckRe.FindString(dm.Text(ddef)); x != "" {
		return fmt.Sprintf("%s (%s:%d) checks for a user (%s)", name, dm.File, pysrc.Line(ddef), x)
	}
	return ""
}

package flask

// Flask: applications and blueprints (also created inside factories such
// as create_app()), register_blueprint chains with their url_prefix (given
// at registration, it replaces the blueprint's own; nested blueprints join
// their parent's), @route/@get/@post... decorators, add_url_rule with
// view_func (functions, and View/MethodView classes through as_view), the
// static route Flask adds, and converters (<int:id>, <path:p>, <uuid:u>,
// custom ones registered in app.url_map.converters). Rule joining and
// converter regexes follow Flask 2 and Werkzeug (flask/blueprints.py,
// werkzeug/routing/converters.py).

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

type flaskWalker struct {
	h     *framework.AppWalker // object lookup and statement walking, shared with FastAPI
	found bool
	// own url_prefix of each blueprint ("" none), registrations per child.
	regs map[string][]flaskReg
	// converters registered on an app's url_map: name -> regex.
	converters map[string]string
	// hookWhy: why the before_request hooks of an object (by key) turn
	// anonymous users away; appWhy: the same for every request of the app.
	hookWhy map[string]string
	appWhy  string
	// smorestAPIs are flask-smorest Apis made without an app (bound later
	// by init_app), by key.
	smorestAPIs map[string]bool
}

// smorest says whether a called name is flask-smorest's Api, or a project
// class built on it.
func (w *flaskWalker) smorest(m *pysrc.Module, fn string) bool {
	p := w.h.Proj
	bm, rest := p.Resolve(m, fn)
	if bm == nil {
		return rest == "flask_smorest.Api"
	}
	if bm.Name == "flask_smorest" && rest == "Api" {
		return true // the library kept in the tree
	}
	def, ok := bm.Defs[rest]
	if !ok || !pysrc.IsClass(def) {
		return false
	}
	for _, ext := range p.External(p.ClassChain(bm, def)) {
		if ext == "flask_smorest.Api" {
			return true
		}
	}
	return false
}

type flaskReg struct {
	parent     string
	prefix     string
	hasPrefix  bool // url_prefix= given to register_blueprint
	assume     []string
	unresolved string
}

// flaskJoin joins two prefixes (or a prefix and a rule) with one slash,
// as Flask does.
func flaskJoin(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return strings.TrimRight(a, "/") + "/" + strings.TrimLeft(b, "/")
}

func (w *flaskWalker) run() {
	w.regs = map[string][]flaskReg{}
	w.smorestAPIs = map[string]bool{}
	w.converters = map[string]string{}
	h := w.h
	// Applications and blueprints.
	for _, m := range h.Proj.Files {
		// One walk: converters registered on a url_map, apps and blueprints.
		h.EachAssignment(m, func(a *sitter.Node, left string, ctx framework.WalkCtx) {
			if strings.Contains(left, "url_map.converters[") {
				w.converter(m, a, ctx)
				return
			}
			c, ok := m.AsCall(a.ChildByFieldName("right"))
			if !ok {
				return
			}
			o := h.NewObject(m, a, left, c, "Flask", "app", "Blueprint", "blueprint")
			if o == nil {
				return
			}
			kind := o.Kind
			if p, ok := c.Kw["url_prefix"]; ok && kind == "blueprint" {
				if o.Prefix, o.Assume, ok = h.Eval.Str(m, p, ctx.Locals); !ok {
					o.Unresolved = "url_prefix " + m.Text(p) + " is not a constant string"
				}
			}
			if kind == "app" {
				w.staticRoute(m, a, c, ctx)
			}
			h.Objects[o.Key] = o
			w.found = true
		})
	}
	// flask-smorest's Api(app) registers blueprints on its app: the Api
	// stands for the app (flask_smorest.Api.register_blueprint calls
	// app.register_blueprint with the same options).
	for _, m := range h.Proj.Files {
		h.EachAssignedCall(m, func(a *sitter.Node, left string, c pysrc.Call, ctx framework.WalkCtx) {
			if !w.smorest(m, c.Fn) {
				return
			}
			target := c.Kw["app"]
			if target == nil {
				target = pysrc.First(c.Args)
			}
			if t := h.ObjectExpr(m, target, ctx.Locals); t != nil {
				h.Objects[m.Name+"|"+left] = t
			} else {
				w.smorestAPIs[m.Name+"|"+left] = true
			}
		})
	}
	if len(w.smorestAPIs) > 0 {
		for _, m := range h.Proj.Files {
			h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
				obj, method := pysrc.SplitLast(c.Fn)
				if method != "init_app" || len(c.Args) == 0 {
					return
				}
				// The Api may be made in another module
				// (extensions.py: api = Api()) and bound here.
				key := m.Name + "|" + obj
				if t, rest := h.Proj.Resolve(m, obj); t != nil && rest != "" && !w.smorestAPIs[key] {
					key = t.Name + "|" + rest
				}
				if !w.smorestAPIs[key] {
					return
				}
				if t := h.ObjectExpr(m, c.Args[0], ctx.Locals); t != nil {
					h.Objects[key] = t
				}
			})
		}
	}
	if !w.found {
		return
	}
	h.AliasFactoryResults()
	h.BindParameters()
	// register_blueprint calls.
	for _, m := range h.Proj.Files {
		h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			obj, method := pysrc.SplitLast(c.Fn)
			if method != "register_blueprint" || len(c.Args) == 0 {
				return
			}
			parent := h.Object(m, obj)
			child := h.ObjectExpr(m, c.Args[0], ctx.Locals)
			if parent == nil || child == nil || child.Kind != "blueprint" {
				return
			}
			reg := flaskReg{parent: parent.Key, assume: ctx.Assume}
			if p, ok := c.Kw["url_prefix"]; ok {
				var a []string
				if reg.prefix, a, ok = h.Eval.Str(m, p, ctx.Locals); !ok {
					reg.unresolved = "register_blueprint url_prefix " + m.Text(p) + " is not a constant string"
				}
				reg.hasPrefix = true
				reg.assume = append(append([]string(nil), ctx.Assume...), a...)
			}
			w.regs[child.Key] = append(w.regs[child.Key], reg)
		})
	}
	w.hooks()
	// Routes: decorators and add_url_rule.
	for _, m := range h.Proj.Files {
		h.EachRouteDecorator(m, func(def, d *sitter.Node, name string, c pysrc.Call, o *framework.AppObject, method string) {
			var methods []string
			switch method {
			case "get", "post", "put", "patch", "delete":
				methods = []string{strings.ToUpper(method)}
			case "route":
				methods = flaskMethods(m, c)
			default:
				return
			}
			w.addRoute(m, d, o, c, methods, m.Name+"."+name, "function", m, def, framework.WalkCtx{})
		})
		// flask-smorest's Blueprint.route on a MethodView class: the
		// class's as_view() at the rule, for the methods it defines.
		for _, cls := range framework.DecoratedClasses(m) {
			decos, calls := framework.DecoratorCalls(m, cls)
			for i, c := range calls {
				obj, method := pysrc.SplitLast(c.Fn)
				o := h.Object(m, obj)
				if method != "route" || o == nil || len(c.Args) == 0 {
					continue
				}
				methods := flaskClassMethods(m, cls)
				if _, given := c.Kw["methods"]; given {
					methods = flaskMethods(m, c)
				}
				name := m.Text(cls.ChildByFieldName("definition").ChildByFieldName("name"))
				w.addRoute(m, decos[i], o, c, methods, m.Name+"."+name, "class", m, cls, framework.WalkCtx{})
			}
		}
		h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			obj, method := pysrc.SplitLast(c.Fn)
			if method != "add_url_rule" {
				return
			}
			o := h.Object(m, obj)
			if o == nil {
				return
			}
			vf := c.Kw["view_func"]
			if vf == nil && len(c.Args) > 2 {
				vf = c.Args[2]
			}
			methods := flaskMethods(m, c)
			view, kind := "", "function"
			var vm *pysrc.Module
			var def *sitter.Node
			if vf != nil {
				view = m.Text(vf)
				target := view
				if vc, ok := m.AsCall(vf); ok && strings.HasSuffix(vc.Fn, ".as_view") {
					target, kind = strings.TrimSuffix(vc.Fn, ".as_view"), "class"
				}
				if t, rest := h.Proj.Resolve(m, target); t != nil && rest != "" {
					vm, def = t, t.Defs[rest]
					view = t.Name + "." + rest
				}
				if kind == "class" && def != nil {
					if _, given := c.Kw["methods"]; !given {
						methods = flaskClassMethods(vm, def)
					}
				}
			}
			w.addRoute(m, c.Node, o, c, methods, view, kind, vm, def, ctx)
		})
	}
	// Flask-RESTful and Flask-RESTX resources.
	(&restWalker{w: w}).run()
}

// flaskMethods reads methods=[...] of route() or add_url_rule() (GET when
// absent).
func flaskMethods(m *pysrc.Module, c pysrc.Call) []string {
	if v, ok := c.Kw["methods"]; ok {
		if ms := pysrc.MethodsIn(m.Text(v)); len(ms) > 0 {
			return ms
		}
	}
	return []string{"GET"}
}

// flaskClassMethods are the methods of a View class: its methods = [...]
// attribute, else the HTTP method functions a MethodView defines.
func flaskClassMethods(m *pysrc.Module, def *sitter.Node) []string {
	body := m.Text(pysrc.ClassNode(def))
	if mm := flaskMethodsAttrRe.FindStringSubmatch(body); mm != nil {
		return pysrc.MethodsIn(mm[1])
	}
	var out []string
	for _, n := range pysrc.ClassMethods(m, def) {
		switch n {
		case "get", "post", "put", "patch", "delete":
			out = append(out, strings.ToUpper(n))
		}
	}
	if len(out) == 0 {
		return []string{"GET"}
	}
	return out
}

// converter records app.url_map.converters["name"] = SomeConverter: its
// regex class attribute.
func (w *flaskWalker) converter(m *pysrc.Module, a *sitter.Node, ctx framework.WalkCtx) {
	left := m.Text(a.ChildByFieldName("left"))
	mm := flaskConverterKeyRe.FindStringSubmatch(left)
	if mm == nil {
		return
	}
	cls := m.Text(a.ChildByFieldName("right"))
	t, rest := w.h.Proj.Resolve(m, cls)
	if t == nil || t.Defs[rest] == nil {
		return
	}
	body := t.Text(t.Defs[rest])
	if re := flaskConverterRegexRe.FindStringSubmatch(body); re != nil {
		w.converters[mm[1]] = re[1]
	}
}

// staticRoute adds the route Flask serves the static folder at
// (static_url_path, default /static), unless static_folder=None.
func (w *flaskWalker) staticRoute(m *pysrc.Module, a *sitter.Node, c pysrc.Call, ctx framework.WalkCtx) {
	if v, ok := c.Kw["static_folder"]; ok && m.Text(v) == "None" {
		return
	}
	p := "/static"
	var assume []string
	if v, ok := c.Kw["static_url_path"]; ok {
		s, as, ok := w.h.Eval.Str(m, v, ctx.Locals)
		if !ok {
			return
		}
		p, assume = s, as
	}
	w.h.Routes.Routes = append(w.h.Routes.Routes, &framework.Route{Framework: "flask", Methods: []string{"GET"}, Pattern: strings.TrimRight(p, "/") + "/<path:filename>",
		RouteName: strings.TrimRight(p, "/") + "/<path:filename>", File: m.File, Line: pysrc.Line(a), View: "Flask (static folder)", Kind: "static",
		Assumptions: framework.Dedupe(append(append([]string(nil), ctx.Assume...), assume...)), ViewMod: m, AppAssign: a})
}

// prefixes lists the full url prefixes a blueprint (or app: "") is served
// at, following register_blueprint up to an app.
func (w *flaskWalker) prefixes(o *framework.AppObject) []framework.Prefix {
	var out []framework.Prefix
	var walk func(o *framework.AppObject, own string, why string, assume []string, depth int) []framework.Prefix
	walk = func(o *framework.AppObject, own, why string, assume []string, depth int) []framework.Prefix {
		if o.Kind == "app" {
			return []framework.Prefix{{Path: "", Unresolved: why, Assume: assume}}
		}
		if depth > 20 {
			return nil
		}
		var res []framework.Prefix
		for _, reg := range w.regs[o.Key] {
			p := o.Prefix
			w2 := why
			if o.Unresolved != "" {
				w2 = o.Unresolved
			}
			if reg.hasPrefix {
				p, w2 = reg.prefix, why
				if reg.unresolved != "" {
					w2 = reg.unresolved
				}
			}
			parent := w.h.Objects[reg.parent]
			if parent == nil {
				continue
			}
			a := append(append(append([]string(nil), o.Assume...), reg.assume...), assume...)
			for _, pp := range walk(parent, "", w2, a, depth+1) {
				res = append(res, framework.Prefix{Path: flaskJoin(pp.Path, p), Unresolved: pp.Unresolved, Assume: pp.Assume})
			}
		}
		return res
	}
	out = walk(o, "", "", nil, 0)
	if len(out) > 1000 {
		out = out[:1000]
	}
	return out
}

func (w *flaskWalker) addRoute(m *pysrc.Module, at *sitter.Node, o *framework.AppObject, c pysrc.Call, methods []string, view, kind string, vm *pysrc.Module, def *sitter.Node, ctx framework.WalkCtx) {
	ruleNode := pysrc.First(c.Args)
	if ruleNode == nil {
		ruleNode = c.Kw["rule"]
	}
	rule, assume, ok := w.h.Eval.Str(m, ruleNode, ctx.Locals)
	base := &framework.Route{Framework: "flask", Methods: methods, File: m.File, Line: pysrc.Line(at), View: view, Kind: kind}
	if def != nil {
		base.ViewMod, base.ViewNode = vm, def
		base.HasCacheControl, base.PerUser = framework.InspectView(vm, def)
		if !base.PerUser {
			base.PerUser = flaskPerUserRe.MatchString(vm.Text(def))
		}
		if why := w.decoratorRequirement(vm, def); why != "" {
			base.PerUser, base.PerUserWhy = true, why
		}
	}
	if why := w.userRequirement(o, 0); why != "" {
		base.PerUser = true
		if base.PerUserWhy == "" {
			base.PerUserWhy = why
		}
	}
	if !ok {
		r := *base
		r.Pattern, r.Unresolved = "…", "route rule "+m.Text(ruleNode)+" is not a constant string"
		r.Assumptions = framework.Dedupe(ctx.Assume)
		w.h.Routes.Routes = append(w.h.Routes.Routes, &r)
		return
	}
	full := w.prefixes(o)
	if len(full) == 0 {
		r := *base
		r.Pattern = flaskJoin(o.Prefix, rule)
		r.Unresolved = fmt.Sprintf("blueprint %s (%s:%d) is not registered on any Flask app found under --src", pysrc.LastName(strings.SplitN(o.Key, "|", 2)[1]), o.Mod.File, o.Line)
		w.h.Routes.Routes = append(w.h.Routes.Routes, &r)
		return
	}
	for _, f := range full {
		r := *base
		r.Pattern = flaskJoin(f.Path, rule)
		r.RouteName = r.Pattern
		r.Unresolved = f.Unresolved
		r.Assumptions = framework.Dedupe(append(append(append([]string(nil), f.Assume...), ctx.Assume...), assume...))
		w.h.Routes.Routes = append(w.h.Routes.Routes, &r)
	}
}

var (
	// flaskMethodsAttrRe: a View class's methods = [...] attribute.
	flaskMethodsAttrRe = regexp.MustCompile(`(?m)^\s+methods\s*=\s*(\[[^\]]*\]|\([^)]*\))`)
	// flaskConverterKeyRe: app.url_map.converters["name"] on the left of an assignment.
	flaskConverterKeyRe = regexp.MustCompile(`converters\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]`)
	// flaskConverterRegexRe: a converter class's regex attribute.
	flaskConverterRegexRe = regexp.MustCompile(`(?m)^\s+regex\s*=\s*r?["']([^"']+)["']`)
)

// flaskPerUserRe: a Flask view that depends on the user (flask_login, the
// session, g.user, the request's cookies or Authorization header).
var flaskPerUserRe = regexp.MustCompile(`login_required|current_user|\bsession\b|\bg\.user\b|request\.cookies|request\.authorization|request\.headers\.get\(["'][Aa]uthorization`)

// flaskRegex builds the matcher of a Flask rule: Werkzeug's converters
// (default and string: one segment; int; float; path: anything; uuid; any(a,
// b)), custom ones by their regex; a rule ending in a slash also matches
// without it (Werkzeug redirects there).
func flaskRegex(rule string, custom map[string]string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	p := rule
	for {
		i := strings.IndexByte(p, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '>')
		if j < 0 {
			break
		}
		b.WriteString(regexp.QuoteMeta(p[:i]))
		inside := p[i+1 : i+j]
		conv := "default"
		args := ""
		if k := strings.IndexByte(inside, ':'); k >= 0 {
			conv = inside[:k]
		}
		if k := strings.IndexByte(conv, '('); k >= 0 {
			conv, args = conv[:k], strings.TrimSuffix(conv[k+1:], ")")
		}
		switch conv {
		case "default", "string":
			b.WriteString(`[^/]+`)
		case "int":
			b.WriteString(`\d+`)
		case "float":
			b.WriteString(`\d+\.\d+`)
		case "path":
			b.WriteString(`[^/].*?`)
		case "uuid":
			b.WriteString(`[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}`)
		case "any":
			var alts []string
			for _, a := range strings.Split(args, ",") {
				alts = append(alts, regexp.QuoteMeta(strings.Trim(strings.TrimSpace(a), `"'`)))
			}
			b.WriteString("(?:" + strings.Join(alts, "|") + ")")
		default:
			re, ok := custom[conv]
			if !ok {
				return nil, fmt.Errorf("converter %q is not registered on the app (app.url_map.converters)", conv)
			}
			b.WriteString("(?:" + re + ")")
		}
		p = p[i+j+1:]
	}
	rest := regexp.QuoteMeta(p)
	if strings.HasSuffix(rule, "/") && rule != "/" {
		rest = strings.TrimSuffix(rest, "/") + "/?"
	}
	b.WriteString(rest + "$")
	return regexp.Compile(b.String())
}

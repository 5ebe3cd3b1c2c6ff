package advisor

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

	sitter "github.com/tree-sitter/go-tree-sitter"
)

type flaskWalker struct {
	h     *appWalker // object lookup and statement walking, shared with FastAPI
	found bool
	// own url_prefix of each blueprint ("" none), registrations per child.
	regs map[string][]flaskReg
	// converters registered on an app's url_map: name -> regex.
	converters map[string]string
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
	w.converters = map[string]string{}
	h := w.h
	// Applications and blueprints.
	for _, m := range h.p.files {
		h.walk(m, func(st *sitter.Node, ctx faCtx) {
			for _, a := range children(st) {
				if a.Kind() != "assignment" {
					continue
				}
				left := m.text(a.ChildByFieldName("left"))
				if strings.Contains(left, "url_map.converters[") {
					w.converter(m, a, ctx)
					continue
				}
				c, ok := m.asCall(a.ChildByFieldName("right"))
				if !ok {
					continue
				}
				kind := ""
				switch lastName(c.fn) {
				case "Flask":
					kind = "app"
				case "Blueprint":
					kind = "blueprint"
				default:
					continue
				}
				o := &faObject{key: m.name + "|" + left, kind: kind, mod: m, line: line(a)}
				if _, dup := h.objects[o.key]; dup {
					continue
				}
				if p, ok := c.kw["url_prefix"]; ok && kind == "blueprint" {
					if o.prefix, o.assume, ok = h.ev.str(m, p, ctx.locals); !ok {
						o.unresolved = "url_prefix " + m.text(p) + " is not a constant string"
					}
				}
				if kind == "app" {
					w.staticRoute(m, a, c, ctx)
				}
				h.objects[o.key] = o
				w.found = true
			}
		})
	}
	if !w.found {
		return
	}
	// register_blueprint calls.
	for _, m := range h.p.files {
		h.eachCallCtx(m, func(c call, ctx faCtx) {
			obj, method := splitLast(c.fn)
			if method != "register_blueprint" || len(c.args) == 0 {
				return
			}
			parent := h.object(m, obj)
			child := h.objectExpr(m, c.args[0], ctx.locals)
			if parent == nil || child == nil || child.kind != "blueprint" {
				return
			}
			reg := flaskReg{parent: parent.key, assume: ctx.assume}
			if p, ok := c.kw["url_prefix"]; ok {
				var a []string
				if reg.prefix, a, ok = h.ev.str(m, p, ctx.locals); !ok {
					reg.unresolved = "register_blueprint url_prefix " + m.text(p) + " is not a constant string"
				}
				reg.hasPrefix = true
				reg.assume = append(append([]string(nil), ctx.assume...), a...)
			}
			w.regs[child.key] = append(w.regs[child.key], reg)
		})
	}
	// Routes: decorators and add_url_rule.
	for _, m := range h.p.files {
		h.eachRouteDecorator(m, func(def, d *sitter.Node, name string, c call, o *faObject, method string) {
			var methods []string
			switch method {
			case "get", "post", "put", "patch", "delete":
				methods = []string{strings.ToUpper(method)}
			case "route":
				methods = flaskMethods(m, c)
			default:
				return
			}
			w.addRoute(m, d, o, c, methods, m.name+"."+name, "function", m, def, faCtx{})
		})
		h.eachCallCtx(m, func(c call, ctx faCtx) {
			obj, method := splitLast(c.fn)
			if method != "add_url_rule" {
				return
			}
			o := h.object(m, obj)
			if o == nil {
				return
			}
			vf := c.kw["view_func"]
			if vf == nil && len(c.args) > 2 {
				vf = c.args[2]
			}
			methods := flaskMethods(m, c)
			view, kind := "", "function"
			var vm *module
			var def *sitter.Node
			if vf != nil {
				view = m.text(vf)
				target := view
				if vc, ok := m.asCall(vf); ok && strings.HasSuffix(vc.fn, ".as_view") {
					target, kind = strings.TrimSuffix(vc.fn, ".as_view"), "class"
				}
				if t, rest := h.p.resolve(m, target); t != nil && rest != "" {
					vm, def = t, t.defs[rest]
					view = t.name + "." + rest
				}
				if kind == "class" && def != nil {
					if _, given := c.kw["methods"]; !given {
						methods = flaskClassMethods(vm, def)
					}
				}
			}
			w.addRoute(m, c.node, o, c, methods, view, kind, vm, def, ctx)
		})
	}
}

// flaskMethods reads methods=[...] of route() or add_url_rule() (GET when
// absent).
func flaskMethods(m *module, c call) []string {
	if v, ok := c.kw["methods"]; ok {
		if ms := methodsIn(m.text(v)); len(ms) > 0 {
			return ms
		}
	}
	return []string{"GET"}
}

// flaskClassMethods are the methods of a View class: its methods = [...]
// attribute, else the HTTP method functions a MethodView defines.
func flaskClassMethods(m *module, def *sitter.Node) []string {
	body := m.text(classNode(def))
	if mm := flaskMethodsAttrRe.FindStringSubmatch(body); mm != nil {
		return methodsIn(mm[1])
	}
	var out []string
	for _, n := range classMethods(m, def) {
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
func (w *flaskWalker) converter(m *module, a *sitter.Node, ctx faCtx) {
	left := m.text(a.ChildByFieldName("left"))
	mm := flaskConverterKeyRe.FindStringSubmatch(left)
	if mm == nil {
		return
	}
	cls := m.text(a.ChildByFieldName("right"))
	t, rest := w.h.p.resolve(m, cls)
	if t == nil || t.defs[rest] == nil {
		return
	}
	body := t.text(t.defs[rest])
	if re := flaskConverterRegexRe.FindStringSubmatch(body); re != nil {
		w.converters[mm[1]] = re[1]
	}
}

// staticRoute adds the route Flask serves the static folder at
// (static_url_path, default /static), unless static_folder=None.
func (w *flaskWalker) staticRoute(m *module, a *sitter.Node, c call, ctx faCtx) {
	if v, ok := c.kw["static_folder"]; ok && m.text(v) == "None" {
		return
	}
	p := "/static"
	var assume []string
	if v, ok := c.kw["static_url_path"]; ok {
		s, as, ok := w.h.ev.str(m, v, ctx.locals)
		if !ok {
			return
		}
		p, assume = s, as
	}
	w.h.rt.Routes = append(w.h.rt.Routes, &Route{Framework: "flask", Methods: []string{"GET"}, Pattern: strings.TrimRight(p, "/") + "/<path:filename>",
		routeName: strings.TrimRight(p, "/") + "/<path:filename>", File: m.file, Line: line(a), View: "Flask (static folder)", Kind: "static",
		Assumptions: dedupe(append(append([]string(nil), ctx.assume...), assume...)), viewMod: m, appAssign: a})
}

// prefixes lists the full url prefixes a blueprint (or app: "") is served
// at, following register_blueprint up to an app.
func (w *flaskWalker) prefixes(o *faObject) []prefix {
	var out []prefix
	var walk func(o *faObject, own string, why string, assume []string, depth int) []prefix
	walk = func(o *faObject, own, why string, assume []string, depth int) []prefix {
		if o.kind == "app" {
			return []prefix{{path: "", unresolved: why, assume: assume}}
		}
		if depth > 20 {
			return nil
		}
		var res []prefix
		for _, reg := range w.regs[o.key] {
			p := o.prefix
			w2 := why
			if o.unresolved != "" {
				w2 = o.unresolved
			}
			if reg.hasPrefix {
				p, w2 = reg.prefix, why
				if reg.unresolved != "" {
					w2 = reg.unresolved
				}
			}
			parent := w.h.objects[reg.parent]
			if parent == nil {
				continue
			}
			a := append(append(append([]string(nil), o.assume...), reg.assume...), assume...)
			for _, pp := range walk(parent, "", w2, a, depth+1) {
				res = append(res, prefix{path: flaskJoin(pp.path, p), unresolved: pp.unresolved, assume: pp.assume})
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

func (w *flaskWalker) addRoute(m *module, at *sitter.Node, o *faObject, c call, methods []string, view, kind string, vm *module, def *sitter.Node, ctx faCtx) {
	ruleNode := first(c.args)
	if ruleNode == nil {
		ruleNode = c.kw["rule"]
	}
	rule, assume, ok := w.h.ev.str(m, ruleNode, ctx.locals)
	base := &Route{Framework: "flask", Methods: methods, File: m.file, Line: line(at), View: view, Kind: kind}
	if def != nil {
		base.viewMod, base.viewNode = vm, def
		base.HasCacheControl, base.PerUser = inspectView(vm, def)
		if !base.PerUser {
			base.PerUser = flaskPerUserRe.MatchString(vm.text(def))
		}
	}
	if !ok {
		r := *base
		r.Pattern, r.Unresolved = "…", "route rule "+m.text(ruleNode)+" is not a constant string"
		r.Assumptions = dedupe(ctx.assume)
		w.h.rt.Routes = append(w.h.rt.Routes, &r)
		return
	}
	full := w.prefixes(o)
	if len(full) == 0 {
		r := *base
		r.Pattern = flaskJoin(o.prefix, rule)
		r.Unresolved = fmt.Sprintf("blueprint %s (%s:%d) is not registered on any Flask app found under --src", lastName(strings.SplitN(o.key, "|", 2)[1]), o.mod.file, o.line)
		w.h.rt.Routes = append(w.h.rt.Routes, &r)
		return
	}
	for _, f := range full {
		r := *base
		r.Pattern = flaskJoin(f.path, rule)
		r.routeName = r.Pattern
		r.Unresolved = f.unresolved
		r.Assumptions = dedupe(append(append(append([]string(nil), f.assume...), ctx.assume...), assume...))
		w.h.rt.Routes = append(w.h.rt.Routes, &r)
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

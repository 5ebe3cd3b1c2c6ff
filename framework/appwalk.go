package framework

import (
	"strings"

	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// AppWalker walks the statements of a project whose routes hang off app
// objects (FastAPI apps and routers, Flask apps and blueprints): it finds
// the objects' statements in factories, branches and loops, and what a
// name or expression refers to.
type AppWalker struct {
	Proj   *pysrc.Project
	Routes *Routes
	Eval   *pysrc.Evaluator
	// Objects: "module|var" -> kind (app, router, blueprint) and own prefix.
	Objects map[string]*AppObject
}

// AppObject is an app, router or blueprint object of the source: where it
// is defined, its own prefix and where it is included.
type AppObject struct {
	Key, Kind, Prefix string
	Unresolved        string // why the prefix is unknown
	Assume            []string
	// PerUser: a requirement of a user on the object (FastAPI's
	// dependencies=[...] on the APIRouter or app, a Flask before_request
	// hook that turns anonymous users away), and where it comes from.
	PerUser    bool
	PerUserWhy string
	Mod        *pysrc.Module
	Line       int
	// Docs are the routes FastAPI adds to an app by itself (OpenAPI
	// schema and documentation pages) unless their URL is set to None.
	Docs []string
	// IncludedIn: (parent object key, prefix given to include_router or
	// mount).
	IncludedIn []Inclusion
}

// Mounted reports whether an app is mounted in another one (it is then
// served under the mount's path only).
func (o *AppObject) Mounted() bool {
	for _, inc := range o.IncludedIn {
		if inc.Mount {
			return true
		}
	}
	return false
}

// Inclusion is one place an object is included in a parent (include_router,
// mount, register_blueprint) with the prefix given there.
type Inclusion struct {
	Parent, Prefix string
	Unresolved     string
	Assume         []string
	PerUser        bool
	PerUserWhy     string
	Mount          bool
}

// faCtx is the context a statement runs in: the assumptions made to reach
// it (a branch of an if, a try block) and the loop variables bound.
type WalkCtx struct {
	Assume []string
	Locals pysrc.Env
}

// EachRouteDecorator calls fn for every decorator of a decorated function
// that is a call on a known app object (@app.get(...), @bp.route(...)).
func (w *AppWalker) EachRouteDecorator(m *pysrc.Module, fn func(def, d *sitter.Node, name string, c pysrc.Call, o *AppObject, method string)) {
	w.eachDecoratorCall(m, DecoratedFunctions(m), fn)
}

// EachMethodRouteDecorator is EachRouteDecorator for the methods of
// classes (a class-based controller: @router.get(...) on methods of a
// class that fastapi-utils' @cbv(router) turns into routes); fn gets the
// method's class too.
func (w *AppWalker) EachMethodRouteDecorator(m *pysrc.Module, fn func(cls, def, d *sitter.Node, name string, c pysrc.Call, o *AppObject, method string)) {
	methods, classes := DecoratedMethods(m)
	for i, def := range methods {
		cls := classes[i]
		w.eachDecoratorCall(m, []*sitter.Node{def}, func(def, d *sitter.Node, name string, c pysrc.Call, o *AppObject, method string) {
			fn(cls, def, d, name, c, o, method)
		})
	}
}

// eachDecoratorCall calls fn for the decorator calls on app objects of
// each decorated definition.
func (w *AppWalker) eachDecoratorCall(m *pysrc.Module, defs []*sitter.Node, fn func(def, d *sitter.Node, name string, c pysrc.Call, o *AppObject, method string)) {
	for _, def := range defs {
		name := m.Text(def.ChildByFieldName("definition").ChildByFieldName("name"))
		decos, calls := DecoratorCalls(m, def)
		for i, c := range calls {
			obj, method := pysrc.SplitLast(c.Fn)
			if o := w.Object(m, obj); o != nil {
				fn(def, decos[i], name, c, o, method)
			}
		}
	}
}

// DecoratedFunctions lists a module's decorated function definitions in
// source order: at module level and inside functions (routes declared in
// an app factory such as create_app()) and their blocks, not in classes.
func DecoratedFunctions(m *pysrc.Module) []*sitter.Node {
	return decoratedDefs(m, "function_definition")
}

// DecoratedClasses lists a module's decorated class definitions in source
// order (@ns.route("/x") on a Flask-RESTX Resource, @cbv(router) on a
// FastAPI controller), where DecoratedFunctions looks.
func DecoratedClasses(m *pysrc.Module) []*sitter.Node {
	return decoratedDefs(m, "class_definition")
}

// DecoratedMethods lists the decorated methods of the classes of a module
// (where DecoratedClasses looks, decorated or not), each with its class.
func DecoratedMethods(m *pysrc.Module) (methods, classes []*sitter.Node) {
	for _, cls := range append(decoratedDefs(m, "class_definition"), plainClasses(m)...) {
		for _, st := range pysrc.Children(pysrc.ClassNode(cls).ChildByFieldName("body")) {
			if st.Kind() != "decorated_definition" {
				continue
			}
			if d := st.ChildByFieldName("definition"); d != nil && d.Kind() == "function_definition" {
				methods, classes = append(methods, st), append(classes, cls)
			}
		}
	}
	return methods, classes
}

// plainClasses lists the undecorated class definitions where
// DecoratedFunctions looks.
func plainClasses(m *pysrc.Module) []*sitter.Node {
	var out []*sitter.Node
	visitDefs(m, func(n *sitter.Node) {
		if n.Kind() == "class_definition" {
			out = append(out, n)
		}
	})
	return out
}

// decoratedDefs lists the decorated definitions of one kind.
func decoratedDefs(m *pysrc.Module, kind string) []*sitter.Node {
	var out []*sitter.Node
	visitDefs(m, func(n *sitter.Node) {
		if n.Kind() != "decorated_definition" {
			return
		}
		if d := n.ChildByFieldName("definition"); d != nil && d.Kind() == kind {
			out = append(out, n)
		}
	})
	return out
}

// visitDefs calls fn for every definition (decorated or not) at module
// level and inside functions (methods included) and their blocks, in
// source order; a class's own methods are not listed.
func visitDefs(m *pysrc.Module, fn func(*sitter.Node)) {
	var visit func(n *sitter.Node, depth int)
	visit = func(n *sitter.Node, depth int) {
		if depth > 12 {
			return
		}
		for _, c := range pysrc.Children(n) {
			switch c.Kind() {
			case "decorated_definition":
				fn(c)
				if d := c.ChildByFieldName("definition"); d != nil && d.Kind() == "function_definition" {
					visit(d.ChildByFieldName("body"), depth+1)
				}
			case "class_definition":
				fn(c)
				// Functions defined inside methods (routes added by a
				// method that configures an app); the methods themselves
				// are DecoratedMethods'.
				for _, d := range pysrc.Children(c.ChildByFieldName("body")) {
					if d.Kind() == "decorated_definition" {
						d = d.ChildByFieldName("definition")
					}
					if d != nil && d.Kind() == "function_definition" {
						visit(d.ChildByFieldName("body"), depth+1)
					}
				}
			case "function_definition":
				visit(c.ChildByFieldName("body"), depth+1)
			case "if_statement", "block", "with_statement", "try_statement", "else_clause", "elif_clause", "except_clause", "finally_clause":
				visit(c, depth+1)
			}
		}
	}
	visit(m.Root, 0)
}

// Walk calls fn for every expression statement at module level and inside
// functions (factories such as create_app()) and blocks, with the context
// it runs in: each branch of an if with its assumption, try blocks, and
// for loops over literal lists (once per item, the loop variable bound).
func (w *AppWalker) Walk(m *pysrc.Module, fn func(*sitter.Node, WalkCtx)) {
	iterations := 0
	push := func(c WalkCtx, a string) WalkCtx {
		if a == "" {
			return c
		}
		c.Assume = append(append([]string(nil), c.Assume...), a)
		return c
	}
	var visit func(n *sitter.Node, c WalkCtx, depth int)
	visit = func(n *sitter.Node, c WalkCtx, depth int) {
		if depth > 12 {
			return
		}
		for _, st := range pysrc.Children(n) {
			switch st.Kind() {
			case "expression_statement":
				fn(st, c)
			case "function_definition":
				// A parameter's default stands for it where the body
				// builds a path from it (f"/{root}/widget", root="api"),
				// when no call of the project passes that parameter.
				c2 := c
				c2.Locals = w.Eval.ParamDefaults(m, st, c.Locals, func(p string) bool { return !w.Proj.PassedParam(m, st, p) })
				visit(st, c2, depth+1)
			case "block", "decorated_definition", "with_statement":
				visit(st, c, depth+1)
			case "class_definition":
				// Methods build apps and routers too (an app made in
				// _init_app(self), routes added in _configure(self, app));
				// the class body's own statements are not run here.
				for _, d := range pysrc.Children(st.ChildByFieldName("body")) {
					if d.Kind() == "function_definition" || d.Kind() == "decorated_definition" {
						visit(d, c, depth+1)
					}
				}
			case "if_statement":
				for _, b := range pysrc.IfBranches(m, st) {
					visit(b.Body, push(c, b.Assume), depth+1)
				}
			case "try_statement":
				for _, b := range pysrc.TryBranches(m, st) {
					visit(b.Body, push(c, b.Assume), depth+1)
				}
			case "for_statement":
				envs, why := w.Eval.ForBindings(m, st, c.Locals, &iterations)
				if why != "" && strings.Contains(m.Text(st), "include_router") {
					w.Routes.Notes = append(w.Routes.Notes, why+" (including routers)")
				}
				for _, l := range envs {
					c2 := c
					c2.Locals = l
					visit(st.ChildByFieldName("body"), c2, depth+1)
				}
			}
		}
	}
	visit(m.Root, WalkCtx{}, 0)
}

// EachAssignedCall calls fn for every statement NAME = call(...) found by
// Walk (app, router, blueprint and Api objects are made so): the
// assignment, the name as written and the call.
func (w *AppWalker) EachAssignedCall(m *pysrc.Module, fn func(a *sitter.Node, left string, c pysrc.Call, ctx WalkCtx)) {
	w.EachAssignment(m, func(a *sitter.Node, left string, ctx WalkCtx) {
		if c, ok := m.AsCall(a.ChildByFieldName("right")); ok {
			fn(a, left, c, ctx)
		}
	})
}

// EachAssignment calls fn for every assignment statement found by Walk,
// with the name (or target) as written.
func (w *AppWalker) EachAssignment(m *pysrc.Module, fn func(a *sitter.Node, left string, ctx WalkCtx)) {
	w.Walk(m, func(st *sitter.Node, ctx WalkCtx) {
		for _, a := range pysrc.Children(st) {
			if a.Kind() == "assignment" {
				fn(a, m.Text(a.ChildByFieldName("left")), ctx)
			}
		}
	})
}

// DecoratorCalls lists the decorators of a decorated definition that are
// calls (@bp.route("/x"), @ns.route(...)), each with its decorator node.
func DecoratorCalls(m *pysrc.Module, def *sitter.Node) (decos []*sitter.Node, calls []pysrc.Call) {
	for _, d := range pysrc.Children(def) {
		if d.Kind() != "decorator" {
			continue
		}
		for _, e := range pysrc.Children(d) {
			if c, ok := m.AsCall(e); ok {
				decos, calls = append(decos, d), append(calls, c)
			}
		}
	}
	return decos, calls
}

// EachCallCtx calls fn for every call statement found by walk.
func (w *AppWalker) EachCallCtx(m *pysrc.Module, fn func(pysrc.Call, WalkCtx)) {
	w.Walk(m, func(st *sitter.Node, c WalkCtx) {
		for _, e := range pysrc.Children(st) {
			if cl, ok := m.AsCall(e); ok {
				fn(cl, c)
			}
		}
	})
}

// ClassOf says which of the named framework classes a called name makes
// an instance of: the class itself (by its last name, as imported), or a
// class of the project built on it (class CTFdFlask(Flask)); "" when none.
func (w *AppWalker) ClassOf(m *pysrc.Module, fn string, classes ...string) string {
	last := pysrc.LastName(fn)
	for _, c := range classes {
		if last == c {
			return c
		}
	}
	bm, rest := w.Proj.Resolve(m, fn)
	if bm == nil || rest == "" {
		return ""
	}
	def, ok := bm.Defs[rest]
	if !ok || !pysrc.IsClass(def) {
		return ""
	}
	chain := w.Proj.ClassChain(bm, def)
	for _, ext := range w.Proj.External(chain) {
		for _, c := range classes {
			if pysrc.LastName(ext) == c {
				return c
			}
		}
	}
	// The library's class kept in the tree (a vendored copy).
	for _, at := range chain[1:] {
		for _, c := range classes {
			if at.Name() == c {
				return c
			}
		}
	}
	return ""
}

// NewObject is the app object a statement NAME = Class(...) makes, when
// Class is one of the framework classes given as (class, kind) pairs or a
// project class built on one; nil when it is none of them, or when the
// name is taken already (the first definition wins: a name rebound in
// another branch).
func (w *AppWalker) NewObject(m *pysrc.Module, a *sitter.Node, left string, c pysrc.Call, classKinds ...string) *AppObject {
	var classes []string
	kinds := map[string]string{}
	for i := 0; i+1 < len(classKinds); i += 2 {
		classes = append(classes, classKinds[i])
		kinds[classKinds[i]] = classKinds[i+1]
	}
	kind, ok := kinds[w.ClassOf(m, c.Fn, classes...)]
	if !ok {
		return nil
	}
	o := &AppObject{Key: m.Name + "|" + left, Kind: kind, Mod: m, Line: pysrc.Line(a)}
	if _, dup := w.Objects[o.Key]; dup {
		return nil
	}
	return o
}

// AliasFactoryResults makes a name assigned the result of a project
// function that returns an app or router it makes (app =
// create_application(), where create_application builds app = FastAPI()
// and returns it) stand for that object, so that what the module then
// does with it (include_router, register_blueprint) is read.
func (w *AppWalker) AliasFactoryResults() {
	for _, m := range w.Proj.Files {
		w.EachAssignedCall(m, func(a *sitter.Node, left string, c pysrc.Call, ctx WalkCtx) {
			key := m.Name + "|" + left
			if _, ok := w.Objects[key]; ok {
				return
			}
			fm, def := w.Proj.FunctionDef(m, c.Fn)
			if def == nil {
				return
			}
			if o := w.returnedObject(fm, def); o != nil {
				w.Objects[key] = o
			}
		})
	}
}

// BindParameters makes the parameter of a project function stand for the
// app, blueprint or router a call passes it (def init_app(app):
// app.register_blueprint(bp), called as routes.init_app(app) in a
// factory), so that what the function does with it is read. Two passes
// follow one level of passing on.
func (w *AppWalker) BindParameters() {
	for pass := 0; pass < 2; pass++ {
		w.EachParamArg(func(fm *pysrc.Module, param string, m *pysrc.Module, arg *sitter.Node, ctx WalkCtx) {
			w.bindParam(fm, param, w.ObjectExpr(m, arg, ctx.Locals))
		})
	}
}

// EachParamArg calls fn for every argument a call of the project gives a
// function of the project: the function's module and the parameter's
// name, the caller's module, the argument and the caller's context.
func (w *AppWalker) EachParamArg(fn func(fm *pysrc.Module, param string, m *pysrc.Module, arg *sitter.Node, ctx WalkCtx)) {
	for _, m := range w.Proj.Files {
		w.EachCallCtx(m, func(c pysrc.Call, ctx WalkCtx) {
			w.Proj.EachArg(m, c, func(fm *pysrc.Module, _ *sitter.Node, param string, arg *sitter.Node) {
				fn(fm, param, m, arg, ctx)
			})
		})
	}
}

func (w *AppWalker) bindParam(fm *pysrc.Module, param string, o *AppObject) {
	if o == nil {
		return
	}
	key := fm.Name + "|" + param
	if _, taken := w.Objects[key]; !taken {
		w.Objects[key] = o
	}
}

// returnedObject is the app or router a function returns by name (return
// app), when it is one of its own or its module's objects.
func (w *AppWalker) returnedObject(m *pysrc.Module, def *sitter.Node) *AppObject {
	var found *AppObject
	var visit func(n *sitter.Node, depth int)
	visit = func(n *sitter.Node, depth int) {
		if n == nil || depth > 12 || found != nil {
			return
		}
		if n.Kind() == "return_statement" {
			for _, e := range pysrc.Children(n) {
				if e.Kind() == "identifier" {
					found = w.Objects[m.Name+"|"+m.Text(e)]
				}
			}
			return
		}
		switch n.Kind() {
		case "function_definition", "class_definition", "lambda":
			if depth > 0 {
				return
			}
		}
		for _, c := range pysrc.Children(n) {
			visit(c, depth+1)
		}
	}
	visit(pysrc.FuncNode(def), 0)
	return found
}

// Object finds the app or router a local name refers to.
func (w *AppWalker) Object(m *pysrc.Module, name string) *AppObject {
	if name == "" {
		return nil
	}
	if o, ok := w.Objects[m.Name+"|"+name]; ok {
		return o
	}
	if t, rest := w.Proj.Resolve(m, name); t != nil && rest != "" {
		if o, ok := w.Objects[t.Name+"|"+rest]; ok {
			return o
		}
	}
	return nil
}

// ObjectExpr finds the app or router an expression refers to: a loop
// variable followed to the item it takes, a call of a project function to
// the object it builds and returns, and a parameter bound to its default
// that a call gives an app taken by its own name.
func (w *AppWalker) ObjectExpr(m *pysrc.Module, n *sitter.Node, locals pysrc.Env) *AppObject {
	if n == nil {
		return nil
	}
	if n.Kind() == "call" {
		if c, ok := m.AsCall(n); ok {
			if fm, def := w.Proj.FunctionDef(m, c.Fn); def != nil {
				return w.returnedObject(fm, def)
			}
		}
		return nil
	}
	name, nm := m.Text(n), m
	for depth := 0; n != nil && n.Kind() == "identifier" && depth < 8; depth++ {
		b, ok := locals[m.Text(n)]
		if !ok {
			break
		}
		m, n, locals = b.M, b.N, nil
	}
	if o := w.Object(m, m.Text(n)); o != nil || nm == m && name == m.Text(n) {
		return o
	}
	return w.Object(nm, name)
}

// Prefix is a full prefix at which an object is served, why it is
// uncertain when a part of it is not a constant, the assumptions made to
// resolve it, and whether a router or include on the way requires a user.
type Prefix struct {
	Path, Unresolved string
	Assume           []string
	PerUser          bool
	PerUserWhy       string
}

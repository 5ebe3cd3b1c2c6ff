package advisor

import (
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// appWalker walks the statements of a project whose routes hang off app
// objects (FastAPI apps and routers, Flask apps and blueprints): it finds
// the objects' statements in factories, branches and loops, and what a
// name or expression refers to.
type appWalker struct {
	p  *project
	rt *Routes
	ev *evaluator
	// objects: "module|var" -> kind (app, router, blueprint) and own prefix.
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

func (w *appWalker) eachRouteDecorator(m *module, fn func(def, d *sitter.Node, name string, c call, o *faObject, method string)) {
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
				if o := w.object(m, obj); o != nil {
					fn(def, d, name, c, o, method)
				}
			}
		}
	}
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
func (w *appWalker) walk(m *module, fn func(*sitter.Node, faCtx)) {
	iterations := 0
	push := func(c faCtx, a string) faCtx {
		if a == "" {
			return c
		}
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
				for _, b := range tryBranches(m, st) {
					visit(b.body, push(c, b.assume), depth+1)
				}
			case "for_statement":
				envs, why := w.ev.forBindings(m, st, c.locals, &iterations)
				if why != "" && strings.Contains(m.text(st), "include_router") {
					w.rt.Notes = append(w.rt.Notes, why+" (including routers)")
				}
				for _, l := range envs {
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
func (w *appWalker) eachCallCtx(m *module, fn func(call, faCtx)) {
	w.walk(m, func(st *sitter.Node, c faCtx) {
		for _, e := range children(st) {
			if cl, ok := m.asCall(e); ok {
				fn(cl, c)
			}
		}
	})
}

// object finds the app or router a local name refers to.
func (w *appWalker) object(m *module, name string) *faObject {
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
func (w *appWalker) objectExpr(m *module, n *sitter.Node, locals env) *faObject {
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

package flask

// Authentication as Flask applies it: a view needs a user when it is
// decorated with login_required (Flask-Login) or a project decorator that
// checks for one, or when a before_request hook of its app or blueprint
// (or of a blueprint it is nested in), or a blueprint's
// before_app_request hook, turns anonymous users away. The reason names
// the hook or decorator with its file and line.

import (
	"fmt"
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// loginCheckRe: code that turns anonymous users away or reads who they are.
var loginCheckRe = regexp.MustCompile(`login_required\b|\b(fresh_)?jwt_required\b|\bverify_jwt_in_request\b|\bauth_required\b|\broles_(required|accepted)\b|current_user\b|\bis_authenticated\b|\bis_anonymous\b|\bg\.user\b|session\.get\(\s*["']user|session\[\s*["']user|abort\(\s*40[13]\b|request\.authorization\b|["'][Aa]uthorization["']`)

// hooks reads the before_request hooks of every app and blueprint: the
// why of each object's hooks (by key), and of the hooks that run for
// every request of the app (before_app_request, or a hook on the app).
func (w *flaskWalker) hooks() {
	w.hookWhy = map[string]string{}
	h := w.h
	add := func(o *framework.AppObject, hook, name string, dm *pysrc.Module, def *sitter.Node) {
		if def == nil || !loginCheckRe.MatchString(dm.Text(def)) {
			return
		}
		why := fmt.Sprintf("the %s hook %s (%s:%d) of %s turns anonymous users away", hook, name, dm.File, pysrc.Line(def), objectName(o))
		if hook == "before_app_request" || o.Kind == "app" {
			if w.appWhy == "" {
				w.appWhy = why
			}
			return
		}
		if w.hookWhy[o.Key] == "" {
			w.hookWhy[o.Key] = why
		}
	}
	for _, m := range h.Proj.Files {
		for _, def := range framework.DecoratedFunctions(m) {
			name := m.Text(def.ChildByFieldName("definition").ChildByFieldName("name"))
			for _, d := range pysrc.Decorators(m, def) {
				obj, hook := pysrc.SplitLast(d)
				if hook != "before_request" && hook != "before_app_request" {
					continue
				}
				if o := h.Object(m, obj); o != nil {
					add(o, hook, name, m, def)
				} else if o := w.paramApp(m, def, obj); o != nil {
					add(o, hook, name, m, def)
				}
			}
		}
		h.EachCallCtx(m, func(c pysrc.Call, ctx framework.WalkCtx) {
			obj, hook := pysrc.SplitLast(c.Fn)
			if (hook != "before_request" && hook != "before_app_request") || len(c.Args) == 0 {
				return
			}
			o := h.Object(m, obj)
			if o == nil {
				o = w.paramApp(m, c.Node, obj)
			}
			if o == nil {
				return
			}
			name := m.Text(c.Args[0])
			dm, rest := m, name
			if t, r := h.Proj.Resolve(m, name); t != nil && r != "" {
				dm, rest = t, r
			}
			add(o, hook, name, dm, dm.Defs[rest])
		})
	}
}

// paramApp stands for the app a hook is registered on when that app is a
// parameter of the enclosing function (def init_request_processors(app):
// @app.before_request ...), as extensions and factories do: the hook is
// taken as running for every request of the apps of the project (the
// function may be given a blueprint: reading it as the app's only makes
// more routes per-user). nil when name is not such a parameter.
func (w *flaskWalker) paramApp(m *pysrc.Module, at *sitter.Node, name string) *framework.AppObject {
	if name == "" || strings.Contains(name, ".") {
		return nil
	}
	for n := at.Parent(); n != nil; n = n.Parent() {
		if n.Kind() != "function_definition" {
			continue
		}
		for _, p := range pysrc.Children(n.ChildByFieldName("parameters")) {
			id := p
			if p.Kind() != "identifier" {
				id = p.ChildByFieldName("name")
				if id == nil && pysrc.First(pysrc.Children(p)) != nil {
					id = pysrc.First(pysrc.Children(p))
				}
			}
			if id != nil && m.Text(id) == name {
				fn := m.Text(n.ChildByFieldName("name"))
				return &framework.AppObject{Key: m.Name + "|" + name + " given to " + fn + "()", Kind: "app"}
			}
		}
		return nil
	}
	return nil
}

// objectName is how the reasons name an app or blueprint.
func objectName(o *framework.AppObject) string {
	return fmt.Sprintf("%s %s", map[bool]string{true: "app", false: "blueprint"}[o.Kind == "app"], pysrc.LastName(strings.SplitN(o.Key, "|", 2)[1]))
}

// userRequirement says why the routes of an object need a user: the app's
// hooks, the object's own, or those of a blueprint it is registered in.
func (w *flaskWalker) userRequirement(o *framework.AppObject, depth int) string {
	if w.appWhy != "" {
		return w.appWhy
	}
	if o == nil || depth > 20 {
		return ""
	}
	if why := w.hookWhy[o.Key]; why != "" {
		return why
	}
	for _, reg := range w.regs[o.Key] {
		if why := w.userRequirement(w.h.Objects[reg.parent], depth+1); why != "" {
			return why
		}
	}
	return ""
}

// decoratorRequirement says why a view's decorators require a user: a
// known login check (login_required, jwt_required, ...) or a decorator of
// the project (in any module) whose code checks for one.
func (w *flaskWalker) decoratorRequirement(m *pysrc.Module, def *sitter.Node) string {
	for _, d := range pysrc.Decorators(m, def) {
		if why := w.exprRequirement(m, d); why != "" {
			return "@" + why
		}
	}
	return ""
}

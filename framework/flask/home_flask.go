package flask

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Home is Flask's home.
type Home struct{}

var _ framework.Framework = Home{}

// Name is the framework's name in route rows.
func (Home) Name() string { return "flask" }

// Walk reads apps and blueprints, register_blueprint chains, route
// decorators, add_url_rule and the converters registered on the url_map.
func (Home) Walk(p *pysrc.Project, ev *pysrc.Evaluator, rt *framework.Routes) bool {
	w := &flaskWalker{h: &framework.AppWalker{Proj: p, Routes: rt, Eval: ev, Objects: map[string]*framework.AppObject{}}}
	w.run()
	conv := rt.Converters("flask")
	for k, v := range w.converters {
		conv[k] = v
	}
	return w.found
}

// Facts: the source says nothing more of the responses.
func (Home) Facts(*framework.Routes) {}

// Matcher is Werkzeug's rule matching with the app's converters.
func (Home) Matcher(r *framework.Route, rt *framework.Routes) (*regexp.Regexp, error) {
	return flaskRegex(r.RouteName, rt.Converters("flask"))
}

// Exact runs routes.py with the project's interpreter.
func (Home) Exact(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	// The script reads hooks and wrappers with the static pass's markers.
	res, err := framework.RunAppScript(ctx, o, p, "Flask", "Flask", flaskRoutesScript, "CDNADVISE_LOGIN_CHECK="+loginCheckRe.String())
	if err != nil {
		return nil, err
	}
	res.Version = "Flask " + res.Version
	return res, nil
}

// ExactPattern is the rule and its path format.
func (Home) ExactPattern(r *framework.ExactRoute) (display, rule string) {
	return r.Path, r.PathFormat
}

// Builtin: the Swagger document, documentation page and Swagger UI files
// Flask-RESTX (or Flask-RESTPlus) adds; Flask adds only the static route,
// which is the project's folder.
func (Home) Builtin(r *framework.Route) bool {
	return r.Kind == "builtin" || strings.HasPrefix(r.View, "flask_restx.") || strings.HasPrefix(r.View, "flask_restplus.")
}

// PatchRow writes static_immutable(app) for the static route, and files a
// plan for a view function or View class.
func (Home) PatchRow(pw *framework.PatchWriter, r *framework.Route, rec *framework.Advised) {
	row := rec.Method + " " + r.Pattern
	if r.Kind == "static" {
		if !rec.Immutable || r.AppAssign == nil || r.ViewMod == nil {
			pw.Skip(r, rec, "Flask's static route: only fingerprinted files get a header (immutable)")
			return
		}
		m := r.ViewMod
		if err := framework.UnderRoot(pw.Src, m.File); err != nil {
			pw.Skip(r, rec, err.Error())
			return
		}
		if strings.Contains(string(m.Src), "static_immutable(") {
			pw.Skip(r, rec, "static_immutable(app) is already there")
			return
		}
		helper, imp, err := pw.HelperFor(m, flaskHelperSource)
		if err != nil {
			pw.Skip(r, rec, err.Error())
			return
		}
		at := int(r.AppAssign.EndPosition().Row) + 1
		ind := pysrc.LeadingSpace(pysrc.LineAt(m.Src, int(r.AppAssign.StartPosition().Row)))
		app := m.Text(r.AppAssign.ChildByFieldName("left"))
		e, local := framework.Import(m, imp, "static_immutable")
		pw.Edits[m] = append(pw.Edits[m], e)
		pw.Edits[m] = append(pw.Edits[m], framework.Edit{At: at, Lines: []string{fmt.Sprintf("%s%s(%s)", ind, local, app)}})
		pw.Res.Changes = append(pw.Res.Changes, framework.PatchChange{View: r.View, File: m.File, Line: at + 1, Routes: []string{row}, CacheControl: rec.CacheControl,
			How: "static_immutable(app) (" + helper + "): fingerprinted files under the static route get " + rec.CacheControl})
		pw.Res.Applied = append(pw.Res.Applied, framework.PatchRow{Method: rec.Method, Pattern: r.Pattern, CacheControl: rec.CacheControl, File: m.File})
		return
	}
	if r.ViewNode == nil || r.ViewMod == nil {
		pw.Skip(r, rec, "view not found under --src: the header cannot be written")
		return
	}
	if pysrc.IsClass(r.ViewNode) {
		pw.Plan(r.ViewMod.Name+"."+r.ViewMod.Text(pysrc.ClassNameNode(r.ViewNode)), flaskClassTarget, false, r, rec)
		return
	}
	pw.Plan(r.View, flaskFuncTarget, false, r, rec)
}

// WritePlan writes @cache_control_header (the generated module) under the
// route decorators, or in a View class's decorators list.
func (Home) WritePlan(pw *framework.PatchWriter, p *framework.PatchPlan) {
	m := p.Route.ViewMod
	def := p.Route.ViewNode
	helper, imp, err := pw.HelperFor(m, flaskHelperSource)
	if err != nil {
		pw.SkipPlan(p, err.Error())
		return
	}
	e, local := framework.Import(m, imp, "cache_control_header")
	pw.Edits[m] = append(pw.Edits[m], e)
	call := fmt.Sprintf("%s(%q%s)", local, p.Rec.CacheControl, map[bool]string{true: ", replace=True", false: ""}[pw.Replace])
	var at int
	var deco, how string
	if p.Target == flaskClassTarget {
		// View.as_view applies the class's decorators list: the helper is
		// added to the list the class has (its own, or inherited), never
		// put in its place (that would drop a login check).
		at, deco, how = classDecorators(pw.Rt.Proj, m, def, call)
		how += " (" + helper + "): GET and HEAD responses only"
	} else {
		// Closest to the function, under the route decorators: the view
		// Flask registers is the wrapped one (the helper replaces the
		// header itself).
		at = int(pysrc.ClassNode(def).StartPosition().Row)
		deco = pysrc.LeadingSpace(pysrc.LineAt(m.Src, at)) + "@" + call
		how = "@cache_control_header(...) (" + helper + ") under the route decorators: GET and HEAD responses only"
	}
	pw.WritePlan(p, at, deco, how)
}

// FinishPatch: every row was written by its plan.
func (Home) FinishPatch(*framework.PatchWriter) error { return nil }

// flaskRoutesScript reads the routes Flask builds (common.py goes before it).
//
//go:embed routes.py
var flaskRoutesScript string

// classDecorators writes the helper call into a View class's decorators:
// after the class's own decorators = [...] as decorators = [call,
// *decorators]; at the top of its body as decorators = [call,
// *Base.decorators] when a base class of the project sets them; else
// decorators = [call]. It returns the line to insert at, the line, and how
// the change reads.
func classDecorators(p *pysrc.Project, m *pysrc.Module, def *sitter.Node, call string) (at int, line, how string) {
	cls := pysrc.ClassNode(def)
	body := cls.ChildByFieldName("body")
	at = int(body.StartPosition().Row)
	ind := pysrc.LeadingSpace(pysrc.LineAt(m.Src, at))
	chain := p.ClassChain(m, def)
	owner, val, ok := pysrc.ClassAssignment(chain, "decorators")
	switch {
	case !ok:
		return at, ind + "decorators = [" + call + "]", "decorators = [cache_control_header(...)] on the View class"
	case owner.Node == cls:
		st := val.Parent()
		for st != nil && st.Kind() != "expression_statement" {
			st = st.Parent()
		}
		if st != nil {
			return int(st.EndPosition().Row) + 1, ind + "decorators = [" + call + ", *decorators]", "cache_control_header(...) added to the class's own decorators"
		}
	}
	// Inherited: through the direct base that leads to the class setting them.
	for _, b := range pysrc.Children(cls.ChildByFieldName("superclasses")) {
		if b.Kind() != "identifier" && b.Kind() != "attribute" {
			continue
		}
		bm, rest := p.Resolve(m, m.Text(b))
		if bm == nil || bm.Defs[rest] == nil {
			continue
		}
		for _, c := range p.ClassChain(bm, bm.Defs[rest]) {
			if c.Node == owner.Node {
				return at, ind + "decorators = [" + call + ", *" + m.Text(b) + ".decorators]", "cache_control_header(...) added to the decorators " + owner.Name() + " sets"
			}
		}
	}
	return at, ind + "decorators = [" + call + "]", "decorators = [cache_control_header(...)] on the View class"
}

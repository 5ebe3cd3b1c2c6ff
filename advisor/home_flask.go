package advisor

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// flaskFramework is Flask's home.
type flaskFramework struct{}

var _ Framework = flaskFramework{}

func (flaskFramework) Name() string { return "flask" }

// Walk reads apps and blueprints, register_blueprint chains, route
// decorators, add_url_rule and the converters registered on the url_map.
func (flaskFramework) Walk(p *project, ev *evaluator, rt *Routes) bool {
	w := &flaskWalker{h: &appWalker{p: p, rt: rt, ev: ev, objects: map[string]*faObject{}}}
	w.run()
	conv := rt.Converters("flask")
	for k, v := range w.converters {
		conv[k] = v
	}
	return w.found
}

func (flaskFramework) Facts(*Routes) {}

// Matcher is Werkzeug's rule matching with the app's converters.
func (flaskFramework) Matcher(r *Route, rt *Routes) (*regexp.Regexp, error) {
	return flaskRegex(r.routeName, rt.Converters("flask"))
}

func (flaskFramework) Exact(ctx context.Context, o ExactOptions, p *project) (*exactResult, error) {
	res, err := runFlaskScript(ctx, o, p)
	if err != nil {
		return nil, err
	}
	res.Version = "Flask " + res.Version
	return res, nil
}

// ExactPattern is the rule and its path format.
func (flaskFramework) ExactPattern(r *exactRoute) (display, rule string) { return r.Path, r.PathFormat }

func (flaskFramework) Builtin(*Route) bool { return false }

// PatchRow writes static_immutable(app) for the static route, and files a
// plan for a view function or View class.
func (flaskFramework) PatchRow(pw *patchWriter, r *Route, rec *Advised) {
	row := rec.Method + " " + r.Pattern
	if r.Kind == "static" {
		if !rec.Immutable || r.appAssign == nil || r.viewMod == nil {
			pw.skip(r, rec, "Flask's static route: only fingerprinted files get a header (immutable)")
			return
		}
		m := r.viewMod
		if err := underRoot(pw.src, m.file); err != nil {
			pw.skip(r, rec, err.Error())
			return
		}
		if strings.Contains(string(m.src), "static_immutable(") {
			pw.skip(r, rec, "static_immutable(app) is already there")
			return
		}
		helper, imp, err := pw.helperFor(m, flaskHelperSource)
		if err != nil {
			pw.skip(r, rec, err.Error())
			return
		}
		at := int(r.appAssign.EndPosition().Row) + 1
		ind := leadingSpace(lineAt(m.src, int(r.appAssign.StartPosition().Row)))
		app := m.text(r.appAssign.ChildByFieldName("left"))
		pw.edits[m] = append(pw.edits[m], importEdit(m, imp, "static_immutable"))
		pw.edits[m] = append(pw.edits[m], edit{at: at, lines: []string{fmt.Sprintf("%sstatic_immutable(%s)", ind, app)}})
		pw.res.Changes = append(pw.res.Changes, PatchChange{View: r.View, File: m.file, Line: at + 1, Routes: []string{row}, CacheControl: rec.CacheControl,
			How: "static_immutable(app) (" + helper + "): fingerprinted files under the static route get " + rec.CacheControl})
		pw.res.Applied = append(pw.res.Applied, PatchRow{Method: rec.Method, Pattern: r.Pattern, CacheControl: rec.CacheControl, File: m.file})
		return
	}
	if r.viewNode == nil || r.viewMod == nil {
		pw.skip(r, rec, "view not found under --src: the header cannot be written")
		return
	}
	if isClass(r.viewNode) {
		pw.plan(r.viewMod.name+"."+r.viewMod.text(classNameNode(r.viewNode)), flaskClassTarget, false, r, rec)
		return
	}
	pw.plan(r.View, flaskFuncTarget, false, r, rec)
}

// WritePlan writes @cache_control_header (the generated module) under the
// route decorators, or in a View class's decorators list.
func (flaskFramework) WritePlan(pw *patchWriter, p *patchPlan) {
	m := p.route.viewMod
	def := p.route.viewNode
	helper, imp, err := pw.helperFor(m, flaskHelperSource)
	if err != nil {
		pw.skipPlan(p, err.Error())
		return
	}
	pw.edits[m] = append(pw.edits[m], importEdit(m, imp, "cache_control_header"))
	call := fmt.Sprintf("cache_control_header(%q%s)", p.rec.CacheControl, map[bool]string{true: ", replace=True", false: ""}[pw.replace])
	var at int
	var deco, how string
	if p.target == flaskClassTarget {
		// View.as_view applies the class's decorators list.
		at = int(classNode(def).ChildByFieldName("body").StartPosition().Row)
		deco = leadingSpace(lineAt(m.src, at)) + "decorators = [" + call + "]"
		how = "decorators = [cache_control_header(...)] on the View class (" + helper + "): GET and HEAD responses only"
	} else {
		// Closest to the function, under the route decorators: the view
		// Flask registers is the wrapped one (the helper replaces the
		// header itself).
		at = int(classNode(def).StartPosition().Row)
		deco = leadingSpace(lineAt(m.src, at)) + "@" + call
		how = "@cache_control_header(...) (" + helper + ") under the route decorators: GET and HEAD responses only"
	}
	pw.writePlan(p, at, deco, how)
}

func (flaskFramework) FinishPatch(*patchWriter) error { return nil }

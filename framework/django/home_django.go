package django

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// settingsObject is the import path of Django's settings object.
const settingsObject = "django.conf.settings"

// Home is Django's home (with Django REST framework).
type Home struct{}

var _ framework.Framework = Home{}

// Name is the framework's name in route rows.
func (Home) Name() string { return "django" }

// Walk reads urlpatterns from ROOT_URLCONF down, with Django's built-in
// path converters and those the project registers.
func (Home) Walk(p *pysrc.Project, ev *pysrc.Evaluator, rt *framework.Routes) bool {
	conv := rt.Converters("django")
	for k, v := range djangoConverters {
		conv[k] = v
	}
	// settings.X resolves in the settings modules (for every home's walk:
	// Django's is first in the table).
	if ev.Settings == nil {
		ev.Settings = map[string]func() []*pysrc.Module{}
	}
	ev.Settings[settingsObject] = func() []*pysrc.Module { return settingsModules(p) }
	w := &djangoWalker{p: p, rt: rt, ev: ev, seen: map[string]bool{}, suffix: "unset"}
	w.run()
	return w.found
}

// Facts marks the views that need a user (authFacts: decorators, base
// classes and mixins in any module, DRF's project-wide permissions, login
// middleware) and those whose responses carry the CSRF cookie, and reads
// the Vary headers the middleware and decorators add.
func (Home) Facts(rt *framework.Routes) {
	authFacts(rt)
	djangoCSRF(rt)
	djangoVary(rt)
}

// Matcher is the URL resolver's regex: path() routes with their
// converters, re_path() regexes as written.
func (Home) Matcher(r *framework.Route, rt *framework.Routes) (*regexp.Regexp, error) {
	p := r.RouteName
	var re string
	if strings.HasPrefix(p, "re:") {
		re = p[3:]
	} else {
		re = djangoRegex(p, rt.Converters("django"))
	}
	return regexp.Compile("^/" + goRegex(re) + "$")
}

// goRegex is a Python regex as Go's regexp reads it: Python's \Z (end of
// string) is Go's \z.
func goRegex(re string) string {
	var b strings.Builder
	for i := 0; i < len(re); i++ {
		if re[i] == '\\' && i+1 < len(re) {
			if re[i+1] == 'Z' {
				b.WriteString(`\z`)
			} else {
				b.WriteString(re[i : i+2])
			}
			i++
			continue
		}
		b.WriteByte(re[i])
	}
	return b.String()
}

// Exact runs routes.py with the project's interpreter.
func (Home) Exact(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	res, err := runDjangoScript(ctx, o, p)
	if err != nil {
		return nil, err
	}
	res.Version = "Django " + res.Version
	return res, nil
}

// ExactPattern joins the resolver levels the script printed.
func (Home) ExactPattern(r *framework.ExactRoute) (display, rule string) {
	full := ""
	for _, l := range r.Levels {
		switch l.Kind {
		case "locale":
			full = joinDjango(full, "<lang>/")
		case "regex":
			full = joinDjango(full, "re:"+strings.TrimSuffix(strings.TrimPrefix(l.P, "^"), "$"))
		default:
			full = joinDjango(full, l.P)
		}
	}
	return displayDjango(full), full
}

// Builtin: the framework adds no route of its own.
func (Home) Builtin(*framework.Route) bool { return false }

// PatchRow files a decorator plan per view: a DRF viewset per action, a
// class view on its get(), a function view as a whole.
func (Home) PatchRow(pw *framework.PatchWriter, r *framework.Route, rec *framework.Advised) {
	if r.ViewNode == nil || r.ViewMod == nil {
		pw.Skip(r, rec, "view not found under --src: the header cannot be written")
		return
	}
	key, target, safe := r.View, "", false
	switch {
	case r.Kind == "viewset":
		key = r.ViewMod.Name + "." + r.ViewMod.Text(pysrc.ClassNameNode(r.ViewNode))
		target = r.Action
		if target == "" {
			pw.Skip(r, rec, "the viewset action of this route is unknown")
			return
		}
	case pysrc.IsClass(r.ViewNode):
		key = r.ViewMod.Name + "." + r.ViewMod.Text(pysrc.ClassNameNode(r.ViewNode))
		if !classServesGet(r.ViewMod, r.ViewNode) {
			pw.Skip(r, rec, "the class defines no get() of its own and its bases are not known views: decorate it by hand")
			return
		}
		target = "get"
	default:
		safe = !onlySafe(r.Methods)
	}
	pw.Plan(key, target, safe, r, rec)
}

// WritePlan writes @cache_control (Django's), @method_decorator on a
// class's method or action, or @cache_control_safe (the generated module)
// for a function view that also takes unsafe methods.
func (Home) WritePlan(pw *framework.PatchWriter, p *framework.PatchPlan) {
	r := p.Route
	m := r.ViewMod
	def := r.ViewNode
	startLine := int(def.StartPosition().Row)
	indent := pysrc.LeadingSpace(pysrc.LineAt(m.Src, startLine))
	args := DjangoArgs(p.Rec.CacheControl)
	helper, imp := "", ""
	if p.Target == "" && p.Safe {
		var err error
		if helper, imp, err = pw.HelperFor(m, djangoHelperSource); err != nil {
			pw.SkipPlan(p, err.Error())
			return
		}
	}
	// Each name is imported under one the module does not use for
	// something else (its own cache_control, say).
	use := func(mod, name string) string {
		e, local := framework.Import(m, mod, name)
		pw.Edits[m] = append(pw.Edits[m], e)
		return local
	}
	var deco, how string
	switch {
	case p.Target != "":
		md, cc := use("django.utils.decorators", "method_decorator"), use("django.views.decorators.cache", "cache_control")
		deco = fmt.Sprintf(`%s@%s(%s(%s), name=%q)`, indent, md, cc, args, p.Target)
		how = fmt.Sprintf(`@method_decorator(cache_control(...), name=%q) on the class: %s responses only`, p.Target, p.Target)
	case p.Safe:
		deco = fmt.Sprintf("%s@%s(%s)", indent, use(imp, "cache_control_safe"), args)
		how = "@cache_control_safe(...) (" + helper + ") above the view's other decorators: GET and HEAD responses only, the view also takes other methods"
	default:
		deco = fmt.Sprintf("%s@%s(%s)", indent, use("django.views.decorators.cache", "cache_control"), args)
		how = "@cache_control(...) above the view's other decorators (the view takes GET/HEAD only)"
	}
	if pw.Replace {
		// Our decorator replaces a single-line cache_control decorator
		// for the same target.
		for _, d := range pysrc.DecoratorLines(m, def) {
			if strings.Contains(d.Text, "cache_control(") && (p.Target == "" || strings.Contains(d.Text, `"`+p.Target+`"`) || strings.Contains(d.Text, `'`+p.Target+`'`)) {
				pw.Edits[m] = append(pw.Edits[m], framework.Edit{At: d.Line, Replace: true, Lines: []string{}})
			}
		}
	}
	pw.WritePlan(p, startLine, deco, how)
}

// FinishPatch: every row was written by its plan.
func (Home) FinishPatch(*framework.PatchWriter) error { return nil }

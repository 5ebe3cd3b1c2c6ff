package advisor

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// djangoFramework is Django's home (with Django REST framework).
type djangoFramework struct{}

var _ Framework = djangoFramework{}

func (djangoFramework) Name() string { return "django" }

// Walk reads urlpatterns from ROOT_URLCONF down, with Django's built-in
// path converters and those the project registers.
func (djangoFramework) Walk(p *project, ev *evaluator, rt *Routes) bool {
	conv := rt.Converters("django")
	for k, v := range djangoConverters {
		conv[k] = v
	}
	w := &djangoWalker{p: p, rt: rt, ev: ev, seen: map[string]bool{}}
	w.run()
	return w.found
}

// Facts marks the views whose responses carry the CSRF cookie and reads
// the Vary headers the middleware and decorators add.
func (djangoFramework) Facts(rt *Routes) {
	rt.djangoCSRF()
	rt.djangoVary()
}

// Matcher is the URL resolver's regex: path() routes with their
// converters, re_path() regexes as written.
func (djangoFramework) Matcher(r *Route, rt *Routes) (*regexp.Regexp, error) {
	p := r.routeName
	var re string
	if strings.HasPrefix(p, "re:") {
		re = p[3:]
	} else {
		re = djangoRegex(p, rt.Converters("django"))
	}
	return regexp.Compile("^/" + re + "$")
}

func (djangoFramework) Exact(ctx context.Context, o ExactOptions, p *project) (*exactResult, error) {
	res, err := runDjangoScript(ctx, o, p)
	if err != nil {
		return nil, err
	}
	res.Version = "Django " + res.Version
	return res, nil
}

// ExactPattern joins the resolver levels the script printed.
func (djangoFramework) ExactPattern(r *exactRoute) (display, rule string) {
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

func (djangoFramework) Builtin(*Route) bool { return false }

// PatchRow files a decorator plan per view: a DRF viewset per action, a
// class view on its get(), a function view as a whole.
func (djangoFramework) PatchRow(pw *patchWriter, r *Route, rec *Advised) {
	if r.viewNode == nil || r.viewMod == nil {
		pw.skip(r, rec, "view not found under --src: the header cannot be written")
		return
	}
	key, target, safe := r.View, "", false
	switch {
	case r.Kind == "viewset":
		key = r.viewMod.name + "." + r.viewMod.text(classNameNode(r.viewNode))
		target = r.Action
		if target == "" {
			pw.skip(r, rec, "the viewset action of this route is unknown")
			return
		}
	case isClass(r.viewNode):
		key = r.viewMod.name + "." + r.viewMod.text(classNameNode(r.viewNode))
		if !classServesGet(r.viewMod, r.viewNode) {
			pw.skip(r, rec, "the class defines no get() of its own and its bases are not known views: decorate it by hand")
			return
		}
		target = "get"
	default:
		safe = !onlySafe(r.Methods)
	}
	pw.plan(key, target, safe, r, rec)
}

// WritePlan writes @cache_control (Django's), @method_decorator on a
// class's method or action, or @cache_control_safe (the generated module)
// for a function view that also takes unsafe methods.
func (djangoFramework) WritePlan(pw *patchWriter, p *patchPlan) {
	r := p.route
	m := r.viewMod
	def := r.viewNode
	startLine := int(def.StartPosition().Row)
	indent := leadingSpace(lineAt(m.src, startLine))
	args := djangoArgs(p.rec.CacheControl)
	helper, imp := "", ""
	if p.target == "" && p.safe {
		var err error
		if helper, imp, err = pw.helperFor(m, djangoHelperSource); err != nil {
			pw.skipPlan(p, err.Error())
			return
		}
	}
	var deco, how string
	switch {
	case p.target != "":
		deco = fmt.Sprintf(`%s@method_decorator(cache_control(%s), name=%q)`, indent, args, p.target)
		how = fmt.Sprintf(`@method_decorator(cache_control(...), name=%q) on the class: %s responses only`, p.target, p.target)
		pw.edits[m] = append(pw.edits[m], importEdit(m, "django.utils.decorators", "method_decorator"))
		pw.edits[m] = append(pw.edits[m], importEdit(m, "django.views.decorators.cache", "cache_control"))
	case p.safe:
		deco = fmt.Sprintf("%s@cache_control_safe(%s)", indent, args)
		how = "@cache_control_safe(...) (" + helper + ") above the view's other decorators: GET and HEAD responses only, the view also takes other methods"
		pw.edits[m] = append(pw.edits[m], importEdit(m, imp, "cache_control_safe"))
	default:
		deco = fmt.Sprintf("%s@cache_control(%s)", indent, args)
		how = "@cache_control(...) above the view's other decorators (the view takes GET/HEAD only)"
		pw.edits[m] = append(pw.edits[m], importEdit(m, "django.views.decorators.cache", "cache_control"))
	}
	if pw.replace {
		// Our decorator replaces a single-line cache_control decorator
		// for the same target.
		for _, d := range decoratorLines(m, def) {
			if strings.Contains(d.text, "cache_control(") && (p.target == "" || strings.Contains(d.text, `"`+p.target+`"`) || strings.Contains(d.text, `'`+p.target+`'`)) {
				pw.edits[m] = append(pw.edits[m], edit{at: d.line, replace: true, lines: []string{}})
			}
		}
	}
	pw.writePlan(p, startLine, deco, how)
}

func (djangoFramework) FinishPatch(*patchWriter) error { return nil }

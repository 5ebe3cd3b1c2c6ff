package framework

import (
	"context"
	"regexp"

	"github.com/cdnadvise/cdnadvise/pysrc"
)

// Framework is the home of one web framework: everything cdnadvise knows
// of it, asked through these methods. A new framework is one more type
// implementing it, listed in routes.Frameworks.
type Framework interface {
	// Name is the framework's name in route rows: django, fastapi, flask.
	Name() string
	// Walk finds the framework's routes in the parsed source (the static
	// pass), appends them to rt.Routes, and reports whether the project
	// uses the framework.
	Walk(p *pysrc.Project, ev *pysrc.Evaluator, rt *Routes) bool
	// Facts reads, once every route is found, what the source says of the
	// responses of the framework's routes (the CSRF cookie, Vary).
	Facts(rt *Routes)
	// Matcher compiles the regex the framework matches a request path
	// with, for one of its routes.
	Matcher(r *Route, rt *Routes) (*regexp.Regexp, error)
	// Exact reads the routes the framework itself builds, with the
	// project's interpreter.
	Exact(ctx context.Context, o ExactOptions, p *pysrc.Project) (*ExactResult, error)
	// ExactPattern turns a route the framework printed into the static
	// pass's forms: its display and the framework's own rule.
	ExactPattern(e *ExactRoute) (display, rule string)
	// Builtin reports whether a route is one the framework adds by itself.
	Builtin(r *Route) bool
	// PatchRow takes one advised row of the framework's routes: it skips
	// it, writes it at once, or files a plan that WritePlan writes once
	// every row is seen.
	PatchRow(pw *PatchWriter, r *Route, rec *Advised)
	// WritePlan writes one plan the framework filed.
	WritePlan(pw *PatchWriter, pl *PatchPlan)
	// FinishPatch writes what the framework collected over all its rows.
	FinishPatch(pw *PatchWriter) error
}

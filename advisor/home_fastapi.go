package advisor

import (
	"context"
	"regexp"
	"strings"
)

// fastapiFramework is FastAPI's home.
type fastapiFramework struct{}

var _ Framework = fastapiFramework{}

func (fastapiFramework) Name() string { return "fastapi" }

// Walk reads apps and routers, include_router and mount chains and route
// decorators.
func (fastapiFramework) Walk(p *project, ev *evaluator, rt *Routes) bool {
	w := &fastapiWalker{appWalker: &appWalker{p: p, rt: rt, ev: ev}}
	w.run()
	return w.found
}

func (fastapiFramework) Facts(*Routes) {}

// Matcher is Starlette's: {param} matches one segment, {param:path} the
// rest of the path.
func (fastapiFramework) Matcher(r *Route, rt *Routes) (*regexp.Regexp, error) {
	return regexp.Compile(braceRegex(r.Pattern, func(param string) string {
		if strings.HasSuffix(param, ":path") {
			return `.*`
		}
		return `[^/]+`
	}))
}

func (fastapiFramework) Exact(ctx context.Context, o ExactOptions, p *project) (*exactResult, error) {
	res, err := runFastAPIScript(ctx, o, p)
	if err != nil {
		return nil, err
	}
	res.Version = "FastAPI " + res.Version
	return res, nil
}

// ExactPattern is the route's path and path format.
func (fastapiFramework) ExactPattern(r *exactRoute) (display, rule string) {
	return r.Path, r.PathFormat
}

// Builtin: the OpenAPI schema and documentation pages FastAPI adds.
func (fastapiFramework) Builtin(r *Route) bool {
	return r.Kind != "static" && (strings.HasPrefix(r.View, "fastapi.") || strings.HasPrefix(r.View, "starlette."))
}

// fastapiPatchState collects the rows the middleware sets a header on.
type fastapiPatchState struct {
	entries   map[[2]string]string
	immutable []string
	recs      []*Advised
}

func fastapiState(pw *patchWriter) *fastapiPatchState {
	s, ok := pw.state["fastapi"].(*fastapiPatchState)
	if !ok {
		s = &fastapiPatchState{entries: map[[2]string]string{}}
		pw.state["fastapi"] = s
	}
	return s
}

// PatchRow collects the row for the middleware (a static mount: its
// fingerprinted files only).
func (fastapiFramework) PatchRow(pw *patchWriter, r *Route, rec *Advised) {
	s := fastapiState(pw)
	if r.Kind == "static" {
		if rec.Immutable || strings.Contains(rec.CacheControl, "immutable") {
			s.immutable = append(s.immutable, r.routeName)
			s.recs = append(s.recs, rec)
		} else {
			pw.skip(r, rec, "static mount: only fingerprinted files get a header")
		}
		return
	}
	s.entries[[2]string{"GET", r.Pattern}] = rec.CacheControl
	s.recs = append(s.recs, rec)
}

func (fastapiFramework) WritePlan(*patchWriter, *patchPlan) {}

// FinishPatch writes the middleware module and registers it on the app.
func (fastapiFramework) FinishPatch(pw *patchWriter) error {
	s := fastapiState(pw)
	if len(s.entries) == 0 && len(s.immutable) == 0 {
		return nil
	}
	if err := fastapiPatch(pw.src, pw.rt, s.entries, s.immutable, pw.replace, pw.edits, pw.newFiles, pw.res); err != nil {
		return err
	}
	for _, rec := range s.recs {
		pw.res.Applied = append(pw.res.Applied, PatchRow{Method: rec.Method, Pattern: rec.Route.Pattern, CacheControl: rec.CacheControl, File: "cdnadvise_cache.py"})
	}
	return nil
}

package fastapi

import (
	"context"
	_ "embed"
	"regexp"
	"slices"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// Home is FastAPI's home.
type Home struct{}

var _ framework.Framework = Home{}

// Name is the framework's name in route rows.
func (Home) Name() string { return "fastapi" }

// Walk reads apps and routers, include_router and mount chains and route
// decorators.
func (Home) Walk(p *pysrc.Project, ev *pysrc.Evaluator, rt *framework.Routes) bool {
	w := &fastapiWalker{AppWalker: &framework.AppWalker{Proj: p, Routes: rt, Eval: ev}}
	w.run()
	return w.found
}

// Facts: the source says nothing more of the responses.
func (Home) Facts(rt *framework.Routes) { readPatchTable(rt) }

// Matcher is Starlette's: {param} matches one segment, {param:path} the
// rest of the path.
func (Home) Matcher(r *framework.Route, rt *framework.Routes) (*regexp.Regexp, error) {
	return regexp.Compile(framework.BraceRegex(r.Pattern, func(param string) string {
		if strings.HasSuffix(param, ":path") {
			return `.*`
		}
		return `[^/]+`
	}))
}

// Exact runs routes.py with the project's interpreter.
func (Home) Exact(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	res, err := framework.RunAppScript(ctx, o, p, "FastAPI", "FastAPI", fastapiRoutesScript)
	if err != nil {
		return nil, err
	}
	res.Version = "FastAPI " + res.Version
	return res, nil
}

// ExactPattern is the route's path and path format.
func (Home) ExactPattern(r *framework.ExactRoute) (display, rule string) {
	return r.Path, r.PathFormat
}

// Builtin: the OpenAPI schema and documentation pages FastAPI adds.
func (Home) Builtin(r *framework.Route) bool {
	return r.Kind != "static" && (strings.HasPrefix(r.View, "fastapi.") || strings.HasPrefix(r.View, "starlette."))
}

// fastapiPatchState collects the rows the middleware sets a header on.
type fastapiPatchState struct {
	entries   map[[2]string]string
	immutable []string
	recs      []*framework.Advised
	// done are the static mounts an earlier patch's middleware makes
	// immutable already (read once per patch).
	done []string
}

func fastapiState(pw *framework.PatchWriter) *fastapiPatchState {
	s, ok := pw.State["fastapi"].(*fastapiPatchState)
	if !ok {
		s = &fastapiPatchState{entries: map[[2]string]string{}}
		_, _, s.done = patchModule(pw.Rt.Proj)
		pw.State["fastapi"] = s
	}
	return s
}

// PatchRow collects the row for the middleware (a static mount: its
// fingerprinted files only).
func (Home) PatchRow(pw *framework.PatchWriter, r *framework.Route, rec *framework.Advised) {
	s := fastapiState(pw)
	if r.Kind == "static" {
		if slices.Contains(s.done, r.RouteName) {
			pw.Skip(r, rec, "its fingerprinted files are in cdnadvise_cache's IMMUTABLE_MOUNTS already")
			return
		}
		if rec.Immutable || strings.Contains(rec.CacheControl, "immutable") {
			s.immutable = append(s.immutable, r.RouteName)
			s.recs = append(s.recs, rec)
		} else {
			pw.Skip(r, rec, "static mount: only fingerprinted files get a header")
		}
		return
	}
	s.entries[[2]string{"GET", r.Pattern}] = rec.CacheControl
	s.recs = append(s.recs, rec)
}

// WritePlan: FastAPI files no plans (FinishPatch writes the middleware).
func (Home) WritePlan(*framework.PatchWriter, *framework.PatchPlan) {}

// FinishPatch writes the middleware module and registers it on the app.
func (Home) FinishPatch(pw *framework.PatchWriter) error {
	s := fastapiState(pw)
	if len(s.entries) == 0 && len(s.immutable) == 0 {
		return nil
	}
	if err := fastapiPatch(pw.Src, pw.Rt, s.entries, s.immutable, pw.Replace, pw.Edits, pw.NewFiles, pw.Res); err != nil {
		return err
	}
	for _, rec := range s.recs {
		pw.Res.Applied = append(pw.Res.Applied, framework.PatchRow{Method: rec.Method, Pattern: rec.Route.Pattern, CacheControl: rec.CacheControl, File: "cdnadvise_cache.py"})
	}
	return nil
}

// fastapiRoutesScript reads the routes FastAPI builds (common.py goes before it).
//
//go:embed routes.py
var fastapiRoutesScript string

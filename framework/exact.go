package framework

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/pysrc"
)

// Exact mode: the routes the framework itself builds, read by the project's
// own interpreter in a subprocess (Django: django.setup() and a walk of
// get_resolver(); FastAPI: app.routes of the imported app), compared with
// the static pass. No server is started and nothing is requested.

// The scripts run with the project's interpreter; common.py (network
// guard, source root, where a view is defined) goes before each.
//
//go:embed exact/common.py
var CommonScript string

// DefaultExactTimeout bounds one run of the project's interpreter when
// ExactRoutes is given no timeout.
const DefaultExactTimeout = 60 * time.Second

// ExactOptions configure ExactRoutesWith.
type ExactOptions struct {
	// Python is the project's interpreter, e.g. .venv/bin/python.
	Python string
	// Src is the project's source root (the --src of the static pass).
	Src string
	// Static is the static pass's table of Src (nil: ExactRoutesWith runs
	// ExtractRoutes itself).
	Static *Routes
	// Timeout bounds each interpreter run (0: DefaultExactTimeout).
	Timeout time.Duration
	// App is the FastAPI app as "module:variable" ("" finds it in the
	// source: X = FastAPI(...) at module level, or X = factory() where the
	// factory makes a FastAPI()). A variable naming a factory is called.
	App string
	// Settings is the Django settings module ("" uses DJANGO_SETTINGS_MODULE
	// from the environment, else the os.environ.setdefault of manage.py,
	// wsgi.py or asgi.py).
	Settings string
	// Env are KEY=VALUE variables added to the interpreter's environment
	// (--env, the project's .env), after this process's.
	Env []string
}

// RouteMode says how a table's routes were read: "exact" (the framework's
// own, with an interpreter) or "static" (the source parsed), and why.
type RouteMode struct {
	Mode string `json:"mode"`
	// Framework names the frameworks of the project ("django", "flask
	// and fastapi"...).
	Framework string `json:"framework,omitempty"`
	// Python and Source are the interpreter used or tried, and how it was
	// found.
	Python  string `json:"python,omitempty"`
	Source  string `json:"source,omitempty"`
	Version string `json:"version,omitempty"`
	// Env says what exact mode added to the environment.
	Env []string `json:"env,omitempty"`
	// Why the static pass was used.
	Why string `json:"why,omitempty"`
	// Tried are the interpreters passed over ("path, how found: why").
	Tried []string `json:"tried,omitempty"`
}

// Line is the mode as one line (several when interpreters were tried) for
// a terminal.
func (m *RouteMode) Line() string {
	var b strings.Builder
	if m.Mode == "exact" {
		fmt.Fprintf(&b, "routes: exact mode, the routes %s itself builds, read with %s (%s; %s)", nonEmpty(m.Framework, "the framework"), m.Python, m.Source, m.Version)
		if len(m.Env) > 0 {
			fmt.Fprintf(&b, "; environment: %s", strings.Join(m.Env, ", "))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "routes: static pass (the source parsed, nothing run): %s", m.Why)
	for _, t := range m.Tried {
		fmt.Fprintf(&b, "\n  tried %s", t)
	}
	if m.Framework != "" {
		fmt.Fprintf(&b, "\n  exact mode would list every route %s itself builds: give --python the project's interpreter (or keep its virtualenv in --src), with --env KEY=VALUE for the settings it needs", m.Framework)
	}
	return b.String()
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ExactDiff is where the framework's routes and the static pass's differ.
// Rows are compared by method and canonical pattern (parameters and regex
// groups as {}, without ^ and $), so /items/<int:pk>/ and
// ^/items/(?P<pk>[0-9]+)/$ are the same row.
type ExactDiff struct {
	Python string `json:"python"`
	// Framework and Version are the framework read (django, fastapi, both)
	// and its version as the interpreter reports it.
	Framework string `json:"framework"`
	Version   string `json:"version,omitempty"`
	// FrameworkRows and StaticRows count the rows of each table; Builtin
	// (routes the framework adds itself that the static pass does not list)
	// counts the framework's rows made by the framework itself (FastAPI's
	// /docs, /redoc, /openapi.json), which the project never declares.
	FrameworkRows int `json:"framework_rows"`
	StaticRows    int `json:"static_rows"`
	Builtin       int `json:"builtin"`
	// Matched counts framework rows the static pass resolved to the same
	// method and pattern.
	Matched int `json:"matched"`
	// Recall is Matched / (FrameworkRows - Builtin): the share of the
	// project's routes that the static pass found (1 when there is none).
	Recall float64 `json:"recall"`
	// FrameworkOnly are rows the static pass missed (or left unresolved).
	FrameworkOnly []DiffRow `json:"framework_only,omitempty"`
	// StaticOnly are static rows that the framework does not serve, and
	// unresolved static rows that no framework row accounts for.
	StaticOnly []DiffRow `json:"static_only,omitempty"`
	// Warnings are what the interpreter could not list (Host routes, ...).
	Warnings []string `json:"warnings,omitempty"`
}

// DiffRow is one row of an ExactDiff.
type DiffRow struct {
	Method  string `json:"method"`
	Pattern string `json:"pattern"`
	View    string `json:"view"`
	Kind    string `json:"kind,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	// Builtin: a route the framework adds by itself (framework rows only).
	Builtin bool `json:"builtin,omitempty"`
	// Unresolved is the static row's reason (static rows only).
	Unresolved string `json:"unresolved,omitempty"`
	// Nearby are the static pass's unresolved rows that may stand for this
	// framework row ("file:line pattern: reason"): same pattern, a prefix
	// of it, or the same view.
	Nearby []string `json:"nearby,omitempty"`
}

// Write prints the diff for a terminal: counts and recall, then the rows
// each side has alone.
func (d *ExactDiff) Write(w io.Writer) {
	fmt.Fprintf(w, "exact routes (%s, read with %s): %d framework rows (%d built in), %d static rows, %d matched, recall %.0f%%\n",
		d.Version, d.Python, d.FrameworkRows, d.Builtin, d.StaticRows, d.Matched, 100*d.Recall)
	if len(d.FrameworkOnly) > 0 {
		fmt.Fprintln(w, "only in the framework (the static pass missed them):")
		for _, r := range d.FrameworkOnly {
			extra := ""
			if r.Builtin {
				extra = " (built in)"
			}
			fmt.Fprintf(w, "  %-6s %s  %s%s\n", r.Method, r.Pattern, r.View, extra)
			for _, n := range r.Nearby {
				fmt.Fprintf(w, "         static: %s\n", n)
			}
		}
	}
	if len(d.StaticOnly) > 0 {
		fmt.Fprintln(w, "only in the static pass (the framework does not serve them):")
		for _, r := range d.StaticOnly {
			extra := ""
			if r.Unresolved != "" {
				extra = " (unresolved: " + r.Unresolved + ")"
			}
			fmt.Fprintf(w, "  %-6s %s  %s  %s:%d%s\n", r.Method, r.Pattern, r.View, r.File, r.Line, extra)
		}
	}
	for _, s := range d.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
}

// ExactWith reads the routes of the frameworks run names with the
// project's interpreter and builds their table from the static pass's
// (see ExactRoutes).
func ExactWith(ctx context.Context, o ExactOptions, static *Routes, run map[string]bool) (*Routes, *ExactDiff, error) {
	p, err := pysrc.LoadProject(o.Src)
	if err != nil {
		return nil, nil, err
	}
	rt := &Routes{Proj: p, table: static.table}
	for f, conv := range static.converters {
		for k, v := range conv {
			rt.Converters(f)[k] = v
		}
	}
	ok := false
	defer func() {
		if !ok {
			rt.Close()
		}
	}()
	diff := &ExactDiff{Python: o.Python}
	var frameworks, versions []string
	var out []*ExactRoute
	for _, f := range rt.table {
		if !run[f.Name()] {
			continue
		}
		res, err := f.Exact(ctx, o, p)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range res.Routes {
			r.Framework = f.Name()
		}
		frameworks, versions = append(frameworks, f.Name()), append(versions, res.Version)
		diff.Warnings = append(diff.Warnings, res.Warnings...)
		conv := rt.Converters(f.Name())
		for k, v := range res.Converters {
			if _, known := conv[k]; !known {
				conv[k] = v
			}
		}
		out = append(out, res.Routes...)
	}
	rt.Framework = strings.Join(frameworks, "")
	if len(frameworks) == 2 {
		rt.Framework = "both"
	}
	diff.Framework, diff.Version = rt.Framework, strings.Join(versions, ", ")
	rt.Notes = append(rt.Notes, fmt.Sprintf("routes read from the framework with %s (%s)", o.Python, diff.Version))
	rt.buildExact(out, static)
	rt.diffExact(static, diff)
	ok = true
	return rt, diff, nil
}

// ExactRoute is one route as the scripts print it.
type ExactRoute struct {
	// Django: the pattern of each resolver level (route, regex, locale).
	Levels []struct {
		Kind string `json:"kind"`
		P    string `json:"p"`
	} `json:"levels"`
	// FastAPI: the full path and path format.
	Path       string   `json:"path"`
	PathFormat string   `json:"path_format"`
	Methods    []string `json:"methods"`
	Action     string   `json:"action"`
	Kind       string   `json:"kind"`
	View       string   `json:"view"`
	Module     string   `json:"module"`
	Qualname   string   `json:"qualname"`
	File       string   `json:"file"`
	Line       int      `json:"line"`
	Name       string   `json:"name"`
	Builtin    bool     `json:"builtin"`
	// Auth says how the framework requires a user for the route, read
	// from the live objects ("" none found): DRF's resolved
	// permission_classes, Django's login wrappers and mixins, FastAPI's
	// security dependencies, Flask's before_request hooks and login
	// wrappers.
	Auth string `json:"auth"`
	// Unresolved says why the script could not describe the route's view
	// (the route is still listed, with what is known of it).
	Unresolved string `json:"unresolved,omitempty"`
	Framework  string `json:"-"`
}

// ExactResult is what a framework's exact-mode script prints.
type ExactResult struct {
	Framework  string            `json:"framework"`
	Version    string            `json:"version"`
	Routes     []*ExactRoute     `json:"routes"`
	Converters map[string]string `json:"converters"`
	Warnings   []string          `json:"warnings"`
}

// RunAppScript runs a framework's route script on the app object of the
// project: the module:variable given (o.App), else the X = class(...) or
// X = factory() the static pass finds. what names the framework in errors;
// env adds variables to the script's environment.
func RunAppScript(ctx context.Context, o ExactOptions, p *pysrc.Project, class, what, script string, env ...string) (*ExactResult, error) {
	target, root := o.App, o.Src
	if target == "" {
		m, v := FindApp(p, class)
		if m == nil {
			return nil, fmt.Errorf("exact routes: no %s app found in the source (X = %s(...) or X = create_app() at module level, or an app factory such as create_app()); name it with --app module:variable or module:factory()", what, class)
		}
		root, target = ImportRoot(o.Src, m)
		target += ":" + v
	}
	paths := []string{root}
	if root != o.Src {
		paths = append(paths, o.Src)
	}
	return RunScript(ctx, o, what, CommonScript+"\n\n"+script, paths, env, target)
}

// ImportRoot returns the folder to import a module from (the first parent
// of its package without __init__.py) and its dotted name from there.
func ImportRoot(src string, m *pysrc.Module) (root, name string) {
	dir := filepath.Dir(filepath.FromSlash(m.File))
	parts := []string{strings.TrimSuffix(filepath.Base(m.File), ".py")}
	if parts[0] == "__init__" {
		parts = nil
	}
	for dir != "." && dir != string(filepath.Separator) {
		if _, err := os.Stat(filepath.Join(src, dir, "__init__.py")); err != nil {
			break
		}
		parts = append([]string{filepath.Base(dir)}, parts...)
		dir = filepath.Dir(dir)
	}
	if dir == "." {
		return src, strings.Join(parts, ".")
	}
	return filepath.Join(src, dir), strings.Join(parts, ".")
}

// FindApp finds the app object of a framework whose application class is
// class (FastAPI, Flask): X = class(...) at module level, or X = f() where f
// is a function of the project that makes one (an app factory). Among
// several, an app that is not mounted in another one, named app, in a
// module named main, app, asgi or wsgi is preferred.
func FindApp(p *pysrc.Project, class string) (*pysrc.Module, string) {
	type cand struct {
		m     *pysrc.Module
		v     string
		score int
	}
	var cands []cand
	for _, m := range p.Files {
		for _, st := range pysrc.Children(m.Root) {
			if st.Kind() != "expression_statement" {
				continue
			}
			for _, a := range pysrc.Children(st) {
				if a.Kind() != "assignment" {
					continue
				}
				left := a.ChildByFieldName("left")
				if left == nil || left.Kind() != "identifier" {
					continue
				}
				c, ok := m.AsCall(a.ChildByFieldName("right"))
				if !ok {
					continue
				}
				isApp := pysrc.LastName(c.Fn) == class
				if !isApp {
					if fm, rest := p.Resolve(m, c.Fn); fm != nil && rest != "" && !strings.Contains(rest, ".") {
						if def := fm.Defs[rest]; def != nil && !pysrc.IsClass(def) && strings.Contains(fm.Text(def), class+"(") {
							isApp = true
						}
					}
				}
				if isApp {
					cands = append(cands, cand{m: m, v: m.Text(left)})
				}
			}
		}
	}
	if len(cands) == 0 {
		// No app at module level: an app factory, as Flask's own
		// discovery finds one (flask/cli.py find_best_app: create_app or
		// make_app), or another function of the project that makes the
		// app and returns it.
		for _, m := range p.Files {
			if isTestModule(m) {
				continue
			}
			for name, def := range m.Defs {
				if strings.Contains(name, ".") || pysrc.IsClass(def) || !strings.Contains(strings.ToLower(name), "app") {
					continue
				}
				body := m.Text(def)
				if !strings.Contains(body, class+"(") || !strings.Contains(body, "return") {
					continue
				}
				c := cand{m: m, v: name}
				switch name {
				case "create_app", "make_app":
					c.score += 4
				}
				if strings.Contains(name, "app") {
					c.score++
				}
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return nil, ""
		}
		sort.SliceStable(cands, func(i, j int) bool {
			if cands[i].score != cands[j].score {
				return cands[i].score > cands[j].score
			}
			return cands[i].m.Name+"."+cands[i].v < cands[j].m.Name+"."+cands[j].v
		})
		return cands[0].m, cands[0].v
	}
	for i := range cands {
		c := &cands[i]
		if c.v == "app" {
			c.score += 2
		}
		switch pysrc.LastName(c.m.Name) {
		case "main", "app", "asgi", "wsgi":
			c.score++
		}
		mounted := regexp.MustCompile(`\.mount\([^)]*\b` + regexp.QuoteMeta(c.v) + `\b`)
		for _, m := range p.Files {
			if mounted.Match(m.Src) && (m == c.m || strings.Contains(string(m.Src), c.m.Name)) {
				c.score -= 4
				break
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	return cands[0].m, cands[0].v
}

// isTestModule says whether a module is a test (tests/, test_*.py,
// conftest.py): its app factories are fixtures, not the project's app.
func isTestModule(m *pysrc.Module) bool {
	base := filepath.Base(m.File)
	return strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" ||
		strings.HasPrefix(m.File, "tests/") || strings.Contains(m.File, "/tests/")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// lastLines returns the last n non-empty lines of s.
func lastLines(s string, n int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// RunScript runs an embedded script with the project's interpreter (cwd:
// the source root; PYTHONPATH: paths then the inherited one) and decodes
// the JSON it prints.
func RunScript(ctx context.Context, o ExactOptions, what, script string, paths, env []string, args ...string) (*ExactResult, error) {
	src, err := filepath.Abs(o.Src)
	if err != nil {
		return nil, err
	}
	for i, d := range paths {
		if paths[i], err = filepath.Abs(d); err != nil {
			return nil, err
		}
	}
	if old := os.Getenv("PYTHONPATH"); old != "" {
		paths = append(paths, old)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.Python, append([]string{"-B", "-c", script, src}, args...)...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "PYTHONPATH="+strings.Join(paths, string(os.PathListSeparator)),
		"PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	cmd.Env = append(cmd.Env, o.Env...)
	cmd.Env = append(cmd.Env, env...)
	setProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	var stdout bytes.Buffer
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	start := time.Now()
	err = cmd.Run()
	killProcessGroup(cmd)
	tail := lastLines(string(stderr.b), 12)
	detail := ""
	if len(tail) > 0 {
		detail = "\nlast lines of its stderr:\n  " + strings.Join(tail, "\n  ")
	}
	if err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && time.Since(start) >= o.Timeout-50*time.Millisecond {
			return nil, fmt.Errorf("exact routes: reading the %s routes with %s timed out after %s and was killed (does importing the settings, URLconfs or app wait on a database or a service?)%s", what, o.Python, o.Timeout, detail)
		}
		return nil, fmt.Errorf("exact routes: reading the %s routes with %s: %w", what, o.Python, ctx.Err())
	}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return nil, fmt.Errorf("exact routes: cannot run %s: %w", o.Python, err)
		}
		why := "it failed"
		if len(tail) > 0 {
			why = tail[len(tail)-1]
		}
		hint := ""
		if strings.Contains(why, "ModuleNotFoundError") || strings.Contains(why, "ImportError") {
			hint = fmt.Sprintf(" (is %s the project's interpreter, with its dependencies installed? give its virtualenv's python)", o.Python)
		}
		return nil, fmt.Errorf("exact routes: %s could not read the %s routes: %s%s (exit status %d)%s", o.Python, what, strings.TrimSpace(why), hint, ee.ExitCode(), detail)
	}
	res := &ExactResult{}
	if err := json.Unmarshal(stdout.Bytes(), res); err != nil {
		return nil, fmt.Errorf("exact routes: %s printed no route list (%v)%s", o.Python, err, detail)
	}
	return res, nil
}

// buildExact makes the table's rows from the framework's routes.
func (rt *Routes) buildExact(out []*ExactRoute, static *Routes) {
	rt.Exact = true // the rows come in the framework's own order
	// Static rows by canonical pattern, for their display form.
	byCanon := map[string][]*Route{}
	for _, s := range static.Routes {
		if s.Unresolved == "" {
			k := s.Framework + " " + CanonPattern(s.Pattern)
			byCanon[k] = append(byCanon[k], s)
		}
	}
	for _, e := range out {
		display, name := rt.home(e.Framework).ExactPattern(e)
		r := &Route{Framework: e.Framework, Methods: e.Methods, Pattern: display, RouteName: name, File: e.File, Line: e.Line,
			View: e.View, Kind: e.Kind, Name: e.Name, Action: e.Action, Unresolved: e.Unresolved}
		if s := displayTwin(byCanon[e.Framework+" "+CanonPattern(display)], display, e.View); s != nil {
			r.Pattern, r.RouteName = s.Pattern, s.RouteName
		}
		if m, def := rt.Proj.LocateDef(e.File, e.Line, e.Qualname); def != nil {
			r.ViewMod, r.ViewNode = m, def
			r.HasCacheControl, r.PerUser = InspectView(m, def)
		}
		if e.Auth != "" {
			r.PerUser, r.PerUserWhy = true, "the framework's own objects (exact mode): "+e.Auth
		}
		rt.Routes = append(rt.Routes, r)
	}
	rt.finish()
	// Rows the static pass has too take its declaration site, view
	// definition and flags.
	idx := staticIndex(static)
	for _, r := range rt.Routes {
		s := idx.take(r)
		if s == nil {
			continue
		}
		r.File, r.Line = s.File, s.Line
		r.HasCacheControl = s.HasCacheControl
		if s.PerUser && !r.PerUser {
			r.PerUser, r.PerUserWhy = true, s.PerUserWhy
		}
		if s.ViewNode != nil {
			if m, n := rt.Proj.SameNode(s.ViewMod, s.ViewNode); n != nil {
				r.ViewMod, r.ViewNode = m, n
			}
		}
	}
	rt.sourceFacts()
}

// displayTwin picks the static row whose display form a framework route
// takes among those with its canonical pattern: the one displayed the same,
// else the one with the same view, else the only one (nil when several
// different patterns are candidates, as /a/<int:x>/ and /a/<slug:x>/).
func displayTwin(cands []*Route, display, view string) *Route {
	for _, s := range cands {
		if s.Pattern == display {
			return s
		}
	}
	for _, s := range cands {
		if s.View == view {
			return s
		}
	}
	for _, s := range cands {
		if s.Pattern != cands[0].Pattern {
			return nil
		}
	}
	if len(cands) > 0 {
		return cands[0]
	}
	return nil
}

// rowIndex pairs rows by method and canonical pattern, each static row at
// most once.
type rowIndex map[string][]*Route

func rowKey(r *Route) string {
	return r.Framework + " " + r.Method + " " + CanonPattern(r.Pattern)
}

// staticIndex indexes the static rows that were resolved.
func staticIndex(static *Routes) rowIndex {
	idx := rowIndex{}
	for _, s := range static.Routes {
		if s.Unresolved == "" {
			idx[rowKey(s)] = append(idx[rowKey(s)], s)
		}
	}
	return idx
}

// take returns (and removes) a static row paired with r, preferring one
// displayed the same, then one with the same view.
func (idx rowIndex) take(r *Route) *Route {
	k := rowKey(r)
	list := idx[k]
	if len(list) == 0 {
		return nil
	}
	at := -1
	for i, s := range list {
		if s.Pattern == r.Pattern && (at < 0 || s.View == r.View) {
			at = i
		}
	}
	for i, s := range list {
		if at < 0 && s.View == r.View {
			at = i
		}
	}
	if at < 0 {
		at = 0
	}
	s := list[at]
	idx[k] = append(list[:at:at], list[at+1:]...)
	return s
}

// angleRe and braceRe find Django <converters> and FastAPI {parameters}.
var (
	angleRe = regexp.MustCompile(`<[^<>]*>`)
	braceRe = regexp.MustCompile(`\{[^{}]*\}`)
)

// CanonPattern is a pattern's form for comparison: without ^ and $, regex
// groups, <converters> and {parameters} as {}, escaped characters
// unescaped.
func CanonPattern(p string) string {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
	var b strings.Builder
	depth := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			if depth == 0 {
				b.WriteByte(p[i+1])
			}
			i++
		case c == '(':
			if depth == 0 {
				b.WriteString("{}")
			}
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	s := angleRe.ReplaceAllString(b.String(), "{}")
	return braceRe.ReplaceAllString(s, "{}")
}

// BuiltinView reports whether a view is one the framework adds by itself.
func (rt *Routes) BuiltinView(r *Route) bool {
	f := rt.home(r.Framework)
	return f != nil && f.Builtin(r)
}

// diffExact compares the framework's rows (rt) with the static ones.
func (rt *Routes) diffExact(static *Routes, d *ExactDiff) {
	d.FrameworkRows, d.StaticRows = len(rt.Routes), len(static.Routes)
	idx := staticIndex(static)
	matched := map[*Route]bool{}
	cited := map[*Route]bool{}
	for _, r := range rt.Routes {
		if s := idx.take(r); s != nil {
			matched[s] = true
			d.Matched++
			continue
		}
		if rt.BuiltinView(r) {
			d.Builtin++
		}
		row := DiffRow{Method: r.Method, Pattern: r.Pattern, View: r.View, Kind: r.Kind, File: r.File, Line: r.Line, Builtin: rt.BuiltinView(r)}
		canon := CanonPattern(r.Pattern)
		for _, s := range static.Routes {
			if s.Unresolved == "" || s.Framework != r.Framework {
				continue
			}
			near := CanonPattern(s.Pattern) == canon
			if pre, ok := strings.CutSuffix(s.Pattern, "…"); ok && len(pre) > 1 && strings.HasPrefix(canon, CanonPattern(pre)) {
				near = true
			}
			if s.View != "" && (s.View == r.View || strings.HasSuffix(r.View, "."+s.View)) {
				near = true
			}
			if near {
				cited[s] = true
				row.Nearby = append(row.Nearby, fmt.Sprintf("%s:%d %s: %s", s.File, s.Line, s.Pattern, s.Unresolved))
			}
		}
		d.FrameworkOnly = append(d.FrameworkOnly, row)
	}
	for _, s := range static.Routes {
		if matched[s] || cited[s] {
			continue
		}
		d.StaticOnly = append(d.StaticOnly, DiffRow{Method: s.Method, Pattern: s.Pattern, View: s.View, Kind: s.Kind, File: s.File, Line: s.Line, Unresolved: s.Unresolved})
	}
	d.Recall = 1
	if n := d.FrameworkRows - d.Builtin; n > 0 {
		d.Recall = float64(d.Matched) / float64(n)
	}
}

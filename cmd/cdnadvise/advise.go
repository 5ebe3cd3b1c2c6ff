package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/pipeline"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/runs"
)

type routesOptions struct {
	io *streams
	sourceFlags
	JSON bool
}

func newRoutesCmd(io *streams) *cobra.Command {
	opts := &routesOptions{io: io}
	cmd := &cobra.Command{
		Use:   "routes --src DIR",
		Short: "List the routes of a Django, FastAPI or Flask project (as the framework builds them, else parsed)",
		Long: `List every route of the Django, FastAPI or Flask project in DIR, one row per method and
pattern (GET stands for GET and HEAD): the full URL pattern (prefixes resolved), the
methods the view accepts, the file and line that declares it and the view. The static
pass parses the source with tree-sitter, never importing or running it; routes it cannot
resolve are listed with the reason. Exact mode (below) asks the framework itself.

Understood: Django path()/re_path() (converters, register_converter), include() chains,
urlpatterns returned by functions, class-based views (handlers through their bases and
Django's/DRF's generic views), DRF routers (Simple/Default, project routers with their own
routes, kept copies of DRF, drf-nested-routers, drf-extensions' chained register, register
in loops) with @action/@list_route/@detail_route, format_suffix_patterns, i18n_patterns;
FastAPI @app.get/@router.post, APIRouter(prefix=) and its subclasses, include_router(prefix=),
add_api_route, mount, apps and routers built and returned by functions (in other modules,
in class methods), class-based controllers (@router.get on methods, fastapi-utils' @cbv and
InferringRouter, classy-fastapi's Routable, also made by a project's class decorator);
functions given an app or router (def init_app(app): ...); Flask @app.route and
@bp.route with methods=, @bp.get/.post/..., add_url_rule (view_func=, MethodView.as_view),
Blueprint(url_prefix=) and register_blueprint(url_prefix=) (which replaces it), nested
blueprints, create_app() factories, subclasses of Flask and Blueprint, converters (int,
float, path, uuid, any, custom ones in app.url_map.converters), the static route
(static_url_path); Flask-RESTful and Flask-RESTX Apis, namespaces and resources
(add_resource, @ns.route, @api.resource) with the routes Flask-RESTX adds; flask-smorest
(Api(app).register_blueprint, Blueprint.route on MethodView classes). Settings are read
from os.getenv-style defaults, pydantic BaseSettings, Dynaconf Validator defaults (each
such value an assumption on the row).

Authentication is read as the framework applies it, and each per-user route says where
its requirement comes from: DRF settings, permission classes and mixins through base
classes, login decorators and middleware (Django); dependencies of the app, routers,
include_router, routes, parameters and class-based controllers, followed to the security
scheme (FastAPI); before_request hooks, login decorators, the decorators= of Apis and
namespaces, a Resource's decorators and method_decorators (Flask).

Exact mode (the default where it can run): the routes are those the framework itself
builds, read with the project's own interpreter in a subprocess (no server started, killed
after --python-timeout): Django's get_resolver() with the settings of manage.py, FastAPI's
app.routes, Flask's app.url_map (of the app or create_app() factory found, or --app). The
interpreter is --python, else the first of these that imports the framework: $VIRTUAL_ENV;
a virtualenv (.venv, venv, env) in DIR or a parent; the project's Poetry, Pipenv, uv or
Hatch environment; $CONDA_PREFIX; python3 on PATH. Its environment adds --env KEY=VALUE,
the project's .env (or, without one, .env.example's values) and, for DATABASE_URL or
SQLALCHEMY_DATABASE_URI that the source reads and nothing sets, a temporary SQLite file.
A view the interpreter cannot describe is listed with the reason. When no interpreter
imports the framework, or the import fails or times out, the static pass is used and the
reason is printed; --python none asks for the static pass. Which mode ran is printed on
stderr ("mode" in --json), and in exact mode where the framework's table differs from the
static pass's ("exact_diff"). analyze, advise, patch, edge and run read routes the same way.`,
		Example: `  cdnadvise routes --src ./myapp
  cdnadvise routes --src ./myapp --json
  cdnadvise routes --src ./myapp --python ./myapp/.venv/bin/python
  cdnadvise routes --src ./myapp --env DJANGO_SECRET_KEY=x --env DATABASE_URL=sqlite:///tmp/db
  cdnadvise routes --src ./myapp --app "myapp:create_app('production')"
  cdnadvise routes --src ./myapp --python none`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runRoutes(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.Src, "src", "", "the project's source folder (required)")
	opts.addExact(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	cmd.MarkFlagRequired("src")
	return cmd
}

func runRoutes(ctx context.Context, opts *routesOptions) error {
	diag := opts.io.ErrOut
	if opts.JSON {
		diag = nil
	}
	rt, diff, err := opts.routes(ctx, diag)
	if err != nil {
		return err
	}
	defer rt.Close()
	if opts.JSON {
		return printJSON(opts.io.Out, struct {
			*framework.Routes
			Exact *framework.ExactDiff `json:"exact_diff,omitempty"`
		}{rt, diff})
	}
	fmt.Fprintf(opts.io.Out, "%s project, %d route rows (one per method and pattern)\n", rt.Framework, len(rt.Routes))
	tw := tabwriter.NewWriter(opts.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATTERN\tACCEPTS\tVIEW\tDECLARED AT\tNOTES")
	for _, r := range rt.Routes {
		var notes []string
		if r.HasCacheControl {
			notes = append(notes, "sets Cache-Control")
		}
		if r.PerUser && r.PerUserWhy != "" {
			notes = append(notes, "per user: "+r.PerUserWhy)
		} else if r.PerUser {
			notes = append(notes, "per user")
		}
		if r.DebugOnly {
			notes = append(notes, "DEBUG only")
		}
		if r.Unresolved != "" {
			notes = append(notes, "UNRESOLVED: "+r.Unresolved)
		}
		if r.ViewOutside != "" {
			notes = append(notes, r.ViewOutside)
		}
		for _, a := range r.Assumptions {
			notes = append(notes, a)
		}
		m := strings.Join(r.Methods, ",")
		if m == "" {
			m = "any"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s:%d\t%s\n", r.Method, r.Pattern, m, r.View, r.File, r.Line, strings.Join(notes, "; "))
	}
	tw.Flush()
	for _, n := range rt.Notes {
		fmt.Fprintln(opts.io.Out, "note:", n)
	}
	return nil
}

type adviseOptions struct {
	*globalOptions
	io *streams

	adviseFlags
	inputFlags
	JSON bool
	Top  int

	// DryRun: the advice is not recorded in the store (verify never picks it).
	DryRun bool

	// patch
	Out string
}

// adviseFlags are the settings of the advice, shared by advise, patch,
// report and run so that all of them give the same advice.
type adviseFlags struct {
	sourceFlags
	Edge        string
	Target      float64
	MaxStale    time.Duration
	PolicyFile  string
	PopMode     string
	Key         string
	Replace     bool
	ProfileFile string
	MemoryLimit string
}

func (o *adviseFlags) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Src, "src", "", "the Django, FastAPI or Flask project (routes from its source); without it, endpoints are inferred")
	o.addExact(f)
	f.StringVar(&o.Edge, "edge", "generic", "cache the advice is for: nginx (nginx-include for a server of your own), varnish, cloudfront, cloudflare, fastly, generic")
	f.Float64Var(&o.Target, "target", 0.9, "the TTL chosen is the shortest reaching this share of the achievable hit ratio")
	f.DurationVar(&o.MaxStale, "max-stale", 0, "longest a response may be served after it changed (caps TTL + stale-while-revalidate)")
	f.StringVar(&o.PolicyFile, "policy", "", `JSON per-route overrides: {"/api/items/{id}": {"ttl": "5m"}, "/cart/": {"skip": true}}`)
	f.StringVar(&o.PopMode, "pop-mode", "per-pop", "per-pop or shared caches in the replay")
	f.StringVar(&o.Key, "key", "raw", "cache key policy in the replay: raw, no-tracking, sorted, no-query")
	f.StringVar(&o.ProfileFile, "profile-file", "", `JSON file overriding the edge profile's fields (e.g. {"request_cookie": "ignore", "min_ttl": "1s"}: what your edge is configured to do)`)
	f.BoolVar(&o.Replace, "replace", false, "views that set Cache-Control themselves get the recommended header instead (without it they keep theirs, and are predicted at it)")
	f.StringVar(&o.MemoryLimit, "memory-limit", "", "memory the replays may use (e.g. 1GiB; default a quarter of RAM): keys are replayed in as many passes as their state needs (see replay --help)")
}

// options builds the advisor's options from the flags; with --src the routes
// are extracted (with --python, read from the framework; differences from
// the static pass go to diag), and the caller closes opts.Routes.
func (o *adviseFlags) options(ctx context.Context, diag io.Writer) (advisor.Options, error) {
	prof, err := replay.LookupProfile(o.Edge, o.ProfileFile)
	if err != nil {
		return advisor.Options{}, err
	}
	limit, err := memoryLimit(o.MemoryLimit)
	if err != nil {
		return advisor.Options{}, err
	}
	opts := advisor.Options{Target: o.Target, MaxStale: o.MaxStale, Replace: o.Replace, Sweep: replay.SweepOptions{Profile: prof},
		Load: replay.LoadOptions{PerPoP: o.PopMode != "shared", Key: replay.KeyPolicy(o.Key), MemoryLimit: limit}}
	if o.PolicyFile != "" {
		if opts.Policies, err = advisor.ReadPolicies(o.PolicyFile); err != nil {
			return advisor.Options{}, err
		}
	}
	if opts.Routes, _, err = o.routes(ctx, diag); err != nil {
		return advisor.Options{}, err
	}
	return opts, nil
}

// advise runs the advice (and, with patch, the patch) through the
// pipeline; with a command name the run is recorded in the store under a
// run id (what verify compares with later).
func (o *adviseOptions) advise(ctx context.Context, command string, patch bool) (*pipeline.Result, *framework.Routes, error) {
	opts, err := o.options(ctx, o.io.ErrOut)
	if err != nil {
		return nil, nil, err
	}
	st, err := o.inputFlags.open(ctx, o.globalOptions, false)
	if err != nil {
		return nil, opts.Routes, err
	}
	defer st.Close()
	if err := limitMemory(ctx, st, opts.Load.MemoryLimit); err != nil {
		return nil, opts.Routes, err
	}
	job := pipeline.Job{Advise: opts, Patch: patch, Src: o.Src}
	// A dry run (--dry-run, or a patch written to the null device) records
	// nothing: verify would take it for the advice deployed.
	dry := o.DryRun || (patch && o.Out == os.DevNull)
	if command != "" && o.Parquet == "" && !dry {
		info := o.runInfo(ctx, command)
		job.Record = &info
	}
	res, err := pipeline.Run(ctx, st, job)
	if err != nil {
		return res, opts.Routes, err
	}
	if command != "" && o.Parquet != "" && !o.Quiet {
		fmt.Fprintln(o.io.ErrOut, "note: advice from a Parquet folder is not recorded (verify compares with advice recorded in a store: run advise on the store for that)")
	}
	return res, opts.Routes, nil
}

// runInfo is what the record of an advice run says of its settings.
func (o *adviseFlags) runInfo(ctx context.Context, command string) runs.RunInfo {
	settings := map[string]string{"edge": o.Edge, "target": fmt.Sprint(o.Target), "key": o.Key, "pop_mode": o.PopMode}
	if o.MaxStale > 0 {
		settings["max_stale"] = o.MaxStale.String()
	}
	if o.PolicyFile != "" {
		settings["policy"] = o.PolicyFile
	}
	if o.ProfileFile != "" {
		settings["profile_file"] = o.ProfileFile
	}
	if o.Replace {
		settings["replace"] = "true"
	}
	info := runs.RunInfo{Command: command, Settings: settings, Version: versionString()}
	if o.Src != "" {
		if abs, err := filepath.Abs(o.Src); err == nil {
			info.Src = abs
		}
		info.SrcCommit = runs.GitCommit(ctx, o.Src)
	}
	return info
}

func newAdviseCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &adviseOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "advise [--src DIR]",
		Short: "Recommend a TTL and Cache-Control per route, with the evidence",
		Long: `Recommend per route (with --src) or per inferred endpoint the Cache-Control value
and TTL, the class it falls in and the evidence: requests, today's hit ratio, the
predicted hit ratio and origin requests per minute at that TTL (from replay), the
staleness it costs, the latency change, and a confidence from the sample size.

Rules that are never broken (RFC 9111, RFC 5861): a route is shared only on positive
evidence that it answers everyone alike; without it, it is "unverified" and gets no
header. Per-user responses get "private, no-store", before any header the view sets
(--replace never weakens it): with --src, a view that needs a user (login and permission
decorators, login mixins and permission_classes through base classes in any module,
REST_FRAMEWORK's DEFAULT_PERMISSION_CLASSES, login middleware; the reason names the file
and line); from the logs, Set-Cookie, any Authorization, or different responses to
different clients for one URL at the same time (3+ answers among 3+ clients in at least
2 ten-second windows, a fifth of such windows or more). Without --src, a route is shared
only when at least 5 windows with 2+ clients saw them all get the same response, 80% of
such windows or more. With --src, a path no route matches and a view that cannot be read
are unverified. Only GET/HEAD are cached; responses that say no-store keep it; fingerprinted static files get
"public, max-age=31536000, immutable"; the shared TTL goes in s-maxage, with a
browser max-age of at most 60 s (0 when the content was seen changing), plus
stale-while-revalidate (up to the TTL, within --max-stale) and stale-if-error.
The TTL is the shortest whose predicted hit ratio reaches --target (90%) of the
hit ratio at the longest TTL tried, each TTL tried with the stale-while-revalidate the
advice sends with it.

The prediction is for the edge configured as cdnadvise edge writes it. Where the edge
as it comes stores less (Varnish passes every request with a cookie, and browsers send
cookies with every request; Cloudflare caches only static file extensions), the
table shows the stock prediction beside it, and "edge:" lines say what the edge needs
besides the header (cookies stripped, a Cache Rule, a CloudFront cache behavior...).`,
		Example: `  cdnadvise advise --src ./myapp
  cdnadvise advise --src ./myapp --edge cloudfront --max-stale 5m --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAdvise(cmd.Context(), opts) },
	}
	opts.flags(cmd)
	opts.inputFlags.add(cmd.Flags())
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "do not record this advice in the store: verify compares with recorded advice, the latest by default")
	cmd.Flags().IntVar(&opts.Top, "top", 30, "recommendations to show in the table (0: all)")
	return cmd
}

func runAdvise(ctx context.Context, opts *adviseOptions) error {
	res, rt, err := opts.advise(ctx, "advise", false)
	if rt != nil {
		defer rt.Close()
	}
	if err != nil {
		return err
	}
	adv := res.Advice
	if opts.JSON {
		return printJSON(opts.io.Out, adv)
	}
	printAdvice(opts.io.Out, adv, opts.Top)
	return nil
}

func printAdvice(w io.Writer, adv *advisor.Advice, top int) {
	printSummary(w, advisor.Summarize(adv))
	fmt.Fprintln(w, "TTL rule:", adv.Definition)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tREQS\tCLASS\tCACHE-CONTROL\tHIT NOW\tHIT PREDICTED\tORIGIN REQUESTS NOW→AT TTL\tSTALE\tCONFIDENCE")
	for i, r := range adv.Recommendations {
		if top > 0 && i >= top {
			fmt.Fprintf(tw, "(%d more: --top 0)\n", len(adv.Recommendations)-top)
			break
		}
		at := "-"
		if r.OriginPerMinAt != nil {
			now := r.OriginPerMinNow
			at = analyze.Rates(&now, r.OriginPerMinAt)
		}
		stale := "-"
		if r.StaleShare != nil {
			stale = fmt.Sprintf("%.1f%%", 100**r.StaleShare)
		}
		class := r.Class
		if r.Kept {
			class += " (kept)"
		}
		pred := pct(r.PredictedHitRatio)
		if r.StockDiffers() {
			pred += " (stock " + pct(r.StockPredictedHitRatio) + ")"
		}
		fmt.Fprintf(tw, "%s %s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Method, r.Endpoint, r.Requests, class, dash(r.CacheControl), pct(r.CurrentHitRatio),
			pred, at, stale, r.Confidence)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nwhy:")
	for i, r := range adv.Recommendations {
		if top > 0 && i >= top {
			break
		}
		fmt.Fprintf(w, "  %s %s: %s\n", r.Method, r.Endpoint, strings.Join(r.Reasons, "; "))
		for _, n := range r.EdgeNeeds {
			fmt.Fprintf(w, "    edge: %s\n", n)
		}
	}
	if len(adv.Unmatched) > 0 {
		fmt.Fprintln(w, "\npaths that match no route (top):")
		for i, u := range adv.Unmatched {
			if i == 10 {
				break
			}
			fmt.Fprintf(w, "  %s (%d requests)\n", u.Path, u.Requests)
		}
	}
	for _, n := range adv.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// printSummary prints what to act on first: the safety findings, the
// changes ranked by origin requests saved a day (ten), the group counts.
func printSummary(w io.Writer, s advisor.Summary) {
	if len(s.Safety) > 0 {
		fmt.Fprintf(w, "SAFETY: %d route(s) may serve one user's response to another\n", len(s.Safety))
		for _, f := range s.Safety {
			fmt.Fprintf(w, "  %s %s (%d requests): %s. Fix: %s.\n", f.Method, f.Endpoint, f.Requests, f.What, f.Fix)
		}
	}
	if len(s.Changes) > 0 {
		fmt.Fprintln(w, "changes, ranked by origin requests saved a day:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, c := range s.Changes {
			if i == 10 {
				fmt.Fprintf(tw, "  (%d more: the change group below)\n", len(s.Changes)-10)
				break
			}
			fmt.Fprintf(tw, "  %d.\t%s %s\t%s\t%.0f/day\t%s → %s\n", i+1, c.Rec.Method, c.Rec.Endpoint, c.Rec.CacheControl, c.SavedPerDay, pct(c.Rec.CurrentHitRatio), pct(c.Rec.PredictedHitRatio))
		}
		tw.Flush()
	} else {
		fmt.Fprintln(w, "changes: none (no route gets a shared-cache header it does not send today)")
	}
	var groups []string
	for _, g := range s.Groups {
		groups = append(groups, fmt.Sprintf("%d %s", len(g.Recs), g.Name))
	}
	fmt.Fprintf(w, "routes: %s\n\n", strings.Join(groups, ", "))
}

func newPatchCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &adviseOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "patch --src DIR [-o FILE]",
		Short: "Write the recommended Cache-Control into the Django, FastAPI or Flask source as a unified diff",
		Long: `Write the advice into the project's source as a unified diff, relative to DIR, that
'git apply' and 'patch -p1' accept. Django function views get @cache_control(...) (from
django.views.decorators.cache, import added or merged) above their other decorators;
function views that also take POST (or PUT, PATCH, DELETE) get
@cache_control_safe(...) from a small generated module (cdnadvise_cache.py next to the
views), which sets the header on GET and HEAD responses only; class-based views get
@method_decorator(cache_control(...), name="get") and DRF viewsets one per action
(name="list", "retrieve", or a GET @action), so unsafe methods never get a header. FastAPI apps get a small generated middleware module
(cdnadvise_cache.py, next to the app) registered on the app: after a route has run it
sets the header chosen for that route's path and method, unless the response already
has one, so routes returning a Response/JSONResponse themselves are covered too.

Views that already set Cache-Control are left alone unless --replace; only files under
DIR are touched; the summary on stderr lists every route row (method and pattern) that
got a header and every one left alone, with the reason.`,
		Example: `  cdnadvise patch --src ./myapp > cache.patch && git -C ./myapp apply ../cache.patch
  cdnadvise patch --src ./myapp -o cache.patch --edge cloudfront`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPatch(cmd.Context(), opts) },
	}
	opts.flags(cmd)
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "write the diff to this file (default: standard output)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "do not record this advice in the store (as with -o /dev/null): verify compares with the advice you deploy")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the result (diff, changes, skipped) as JSON")
	cmd.MarkFlagRequired("src")
	return cmd
}

func runPatch(ctx context.Context, opts *adviseOptions) error {
	job, rt, err := opts.advise(ctx, "patch", true)
	if rt != nil {
		defer rt.Close()
	}
	if err != nil {
		return err
	}
	res := job.Patch
	if opts.JSON {
		return printJSON(opts.io.Out, res)
	}
	out := opts.io.Out
	if opts.Out != "" {
		f, err := os.Create(opts.Out)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	if _, err := io.WriteString(out, res.Diff); err != nil {
		return err
	}
	if !opts.Quiet {
		for _, c := range res.Changes {
			fmt.Fprintf(opts.io.ErrOut, "patched %s (%s:%d): %s, for %s\n", c.View, c.File, c.Line, c.CacheControl, strings.Join(c.Routes, " "))
		}
		for _, s := range res.Skipped {
			fmt.Fprintf(opts.io.ErrOut, "left alone %s: %s\n", s.Route, s.Reason)
		}
		if res.Diff == "" {
			fmt.Fprintln(opts.io.ErrOut, "nothing to patch")
		}
	}
	return nil
}

// scopeFlags are the flags that select the requests analyze and replay
// read.
type scopeFlags struct {
	Since, Until string
	Host, Tier   string
	sourceFlags
}

// add registers the flags; tierHelp says what --tier means to the command.
func (s *scopeFlags) add(f *pflag.FlagSet, tierHelp string) {
	f.StringVar(&s.Since, "since", "", "only requests at or after this time (2026-11-24, 2026-11-24T10:00:00Z, or a duration before the last request: 24h)")
	f.StringVar(&s.Until, "until", "", "only requests before this time (same forms as --since)")
	f.StringVar(&s.Host, "host", "", "only this host")
	f.StringVar(&s.Tier, "tier", "", tierHelp)
	f.StringVar(&s.Src, "src", "", "a Django or FastAPI project: endpoints are its own routes (see cdnadvise routes)")
	s.addExact(f)
}

// scope is what the scope flags select.
type scope struct {
	since, until time.Time
	router       analyze.Router // nil without --src
	close        func()
}

// resolve reads --since/--until (durations count back from the last
// request) and loads the routes of --src; close releases them.
func (s *scopeFlags) resolve(ctx context.Context, st *store.Store, diag io.Writer) (scope, error) {
	sc := scope{close: func() {}}
	var err error
	if sc.since, sc.until, err = timeRange(ctx, st, s.Since, s.Until); err != nil {
		return sc, err
	}
	rt, _, err := s.routes(ctx, diag)
	if err != nil {
		return sc, err
	}
	if rt != nil {
		sc.router, sc.close = rt, rt.Close
	}
	return sc, nil
}

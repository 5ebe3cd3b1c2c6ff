package advisor

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/replay"
)

// Options configure the advice.
type Options struct {
	// Routes from the source (nil: endpoints are inferred templates).
	Routes *framework.Routes
	// Target is the share of the achievable hit ratio the chosen TTL must
	// reach: the shortest TTL with hit ratio >= Target x (hit ratio at the
	// longest TTL tried) wins (default 0.9).
	Target float64
	// MaxStale caps how old a response may be when served: the TTL, plus
	// stale-while-revalidate, never exceed it (0: no cap).
	MaxStale time.Duration
	// Policies override the advice per route pattern or endpoint.
	Policies map[string]Policy
	// Replace: the patch will replace Cache-Control that views set
	// themselves, so such routes are predicted at the new header; without
	// it they keep their own header and are predicted at that.
	Replace bool
	TTLs    []time.Duration
	Sweep   replay.SweepOptions
	Load    replay.LoadOptions
	Analyze analyze.Options
}

// Policy is a per-route override (policy file: a JSON object of pattern ->
// policy).
type Policy struct {
	TTL          string `json:"ttl,omitempty"`           // force this s-maxage
	MaxStale     string `json:"max_stale,omitempty"`     // cap staleness for this route
	CacheControl string `json:"cache_control,omitempty"` // use this header verbatim
	Skip         bool   `json:"skip,omitempty"`          // leave this route alone
}

// ReadPolicies reads a policy file.
func ReadPolicies(path string) (map[string]Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p map[string]Policy
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("policy file %s: %w", path, err)
	}
	return p, nil
}

// Classes of recommendation.
const (
	ClassImmutable  = "static-immutable" // fingerprinted static files
	ClassCacheable  = "cacheable"        // a shared TTL from the replay curve
	ClassPrivate    = "private"          // per-user: never in a shared cache
	ClassNoStore    = "no-store"         // the app already says no-store: it stays
	ClassUnsafe     = "not-get"          // no GET/HEAD: caches do not store it
	ClassAlreadySet = "already-set"      // the view sets Cache-Control itself
	ClassNoTraffic  = "no-traffic"       // a route nobody requested in the logs
	ClassPolicy     = "policy"           // from the policy file
	ClassLowReuse   = "low-reuse"        // requests rarely repeat: caching gains little
	// ClassKeep: today's cache already does better than the advice would:
	// no change is advised.
	ClassKeep = "keep"
	// ClassErrors: every response was an error (4xx/5xx): scanners,
	// broken links; nothing to cache and no edge rule.
	ClassErrors = "errors-only"
	// ClassUnverified: without --src, the logs do not show that the route
	// answers everyone alike (no two clients fetched one URL at the same
	// time), so no shared-cache header is guessed.
	ClassUnverified = "unverified"
)

// Recommendation is the advice for one method of one route or endpoint:
// GET (with HEAD), or an unsafe method that never gets a shared-cache
// header.
type Recommendation struct {
	Method        string   `json:"method"`
	Endpoint      string   `json:"endpoint"`
	Methods       []string `json:"methods,omitempty"`
	View          string   `json:"view,omitempty"`
	File          string   `json:"file,omitempty"`
	Line          int      `json:"line,omitempty"`
	Class         string   `json:"class"`
	CacheControl  string   `json:"cache_control,omitempty"`
	TTL           string   `json:"ttl,omitempty"`
	TTLSeconds    int64    `json:"ttl_seconds"`
	SWRSeconds    int64    `json:"stale_while_revalidate_seconds,omitempty"`
	SIESeconds    int64    `json:"stale_if_error_seconds,omitempty"`
	BrowserMaxAge int64    `json:"browser_max_age_seconds"`

	Requests           int64    `json:"requests"`
	CurrentHitRatio    *float64 `json:"current_hit_ratio"`
	PredictedHitRatio  *float64 `json:"predicted_hit_ratio"`
	AchievableHitRatio *float64 `json:"achievable_hit_ratio"`
	OriginPerMinNow    float64  `json:"origin_requests_per_minute_now"`
	OriginPerMinAt     *float64 `json:"origin_requests_per_minute_at_ttl"`
	StaleShare         *float64 `json:"stale_share_at_ttl"`
	StaleAgeP95        *float64 `json:"stale_age_p95_s_at_ttl"`
	LatencyNowMS       *float64 `json:"latency_now_ms"`
	LatencyAtMS        *float64 `json:"latency_at_ttl_ms"`
	// LatencyAtFrom says what hit time LatencyAtMS assumes and where it
	// comes from (this route's hits, the edge's hits on other routes, the
	// edge's own time on misses, or the edge profile's stated default).
	LatencyAtFrom string `json:"latency_at_ttl_from,omitempty"`
	// LatencyP50AtMS and LatencyP95AtMS are the edge latency percentiles to
	// expect at the TTL (hits at the hit time LatencyAtFrom names, misses
	// as logged: all of the route's misses up to 20,000, else a
	// deterministic sample of about that many); the Stock ones on the edge
	// as it comes.
	LatencyP50AtMS      *float64 `json:"latency_p50_at_ttl_ms,omitempty"`
	LatencyP95AtMS      *float64 `json:"latency_p95_at_ttl_ms,omitempty"`
	StockLatencyP50AtMS *float64 `json:"stock_latency_p50_at_ttl_ms,omitempty"`
	StockLatencyP95AtMS *float64 `json:"stock_latency_p95_at_ttl_ms,omitempty"`
	Confidence          string   `json:"confidence"`
	Reasons             []string `json:"reasons"`
	// Vary are the request headers the responses vary on (from the source
	// and the logs).
	Vary []string `json:"vary,omitempty"`
	// Personalization is what the logs say of whether the route answers
	// everyone alike (per-user, same-for-everyone, unknown), with the
	// evidence.
	Personalization         string `json:"personalization,omitempty"`
	PersonalizationEvidence string `json:"personalization_evidence,omitempty"`
	// PersonalizationFrom says what decided whether the route may differ
	// per user: "source" (its view was read), "logs", "source and logs",
	// or "none" (no evidence either way).
	PersonalizationFrom string `json:"personalization_from,omitempty"`
	// StockPredictedHitRatio is the prediction on the edge as it comes
	// (without cdnadvise edge's configuration), for every route a shared
	// cache may store: the same as PredictedHitRatio when the edge as it
	// comes behaves as configured;
	// EdgeNeeds says what the edge needs besides the header.
	StockPredictedHitRatio *float64 `json:"stock_predicted_hit_ratio,omitempty"`
	// StockOriginPerMinAt is the origin requests a minute on the edge as it
	// comes, beside OriginPerMinAt (with cdnadvise edge's configuration).
	StockOriginPerMinAt *float64 `json:"stock_origin_requests_per_minute_at_ttl,omitempty"`
	// QueryParams are the query parameter names the endpoint was requested
	// with in the logs, most requested first (edges that key on names need
	// them: the tracking names to drop, or an allow-list).
	QueryParams []string `json:"query_params,omitempty"`
	EdgeNeeds   []string `json:"edge_needs,omitempty"`
	// Kept: the view sets Cache-Control itself and keeps it (no --replace):
	// CacheControl is that header, the prediction is for it, and
	// Replacement is what --replace would write instead.
	Kept        bool   `json:"kept,omitempty"`
	Replacement string `json:"replacement_cache_control,omitempty"`
	// Match is the regex over request paths that maps a path to this row
	// (the route's own matcher, or one built from the inferred template):
	// what verify maps new traffic with.
	Match string `json:"match,omitempty"`
	// SharedHeaderSent is set on a per-user route whose view sends a
	// header a shared cache may store (kept without --replace): a safety
	// finding.
	SharedHeaderSent string `json:"shared_header_sent,omitempty"`

	Route *framework.Route `json:"-"`
	Curve []replay.Outcome `json:"-"`
}

// Advice is the result of Advise.
type Advice struct {
	// Analysis (by endpoint) and Sweep are the evidence the advice was
	// drawn from, for callers that show it (the report) without running it again.
	Analysis *analyze.Report     `json:"-"`
	Sweep    *replay.SweepResult `json:"-"`

	// RunID is the number the run is recorded under in the store (see
	// Record; 0: not recorded); DataFrom and DataTo bound the traffic the
	// advice was drawn from.
	RunID     int64      `json:"run_id,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	DataFrom  *time.Time `json:"data_from,omitempty"`
	DataTo    *time.Time `json:"data_to,omitempty"`

	Recommendations []*Recommendation `json:"recommendations"`
	Unmatched       []UnmatchedPath   `json:"unmatched_paths,omitempty"`
	Definition      string            `json:"ttl_rule"`
	Notes           []string          `json:"notes,omitempty"`
}

// UnmatchedPath is a requested path no route matches.
type UnmatchedPath struct {
	Path     string `json:"path"`
	Requests int64  `json:"requests"`
}

// Plan is the advice's settings made concrete before any traffic is read:
// the TTL grid the TTL is chosen from, the TTLs of headers that will
// really be sent, and (once the logged Vary headers are known) the
// endpoints the edge keeps one copy per header value of. The pipeline
// gathers the evidence the plan asks for (Router, AnalyzeOptions,
// SetLoggedVary, Replay, StockReplay) and hands it to Decide.
type Plan struct {
	o          Options
	definition string
	router     analyze.Router
	grid       map[time.Duration]bool
	ttls       []time.Duration
	kept       map[*framework.Route]framework.KeptHeader
	vary       map[string][]string
	varySplit  map[string][]string
}

// NewPlan fills the defaults of o (target 0.9, the TTL grid from 10 s to a
// day) and reads the headers the routes' views keep.
func NewPlan(o Options) *Plan {
	if o.Target <= 0 || o.Target > 1 {
		o.Target = 0.9
	}
	if len(o.TTLs) == 0 {
		for _, s := range strings.Split("10s,30s,1m,2m,5m,10m,15m,30m,1h,2h,6h,12h,1d", ",") {
			d, _ := replay.ParseTTL(s)
			o.TTLs = append(o.TTLs, d)
		}
	}
	p := &Plan{o: o}
	p.definition = fmt.Sprintf("the shortest TTL whose predicted hit ratio reaches %.0f%% of the hit ratio at the longest TTL tried (%s)", 100*o.Target, replay.FormatTTL(o.TTLs[len(o.TTLs)-1]))
	if o.MaxStale > 0 {
		p.definition += fmt.Sprintf(", with TTL + stale-while-revalidate within --max-stale %s", o.MaxStale)
	}
	if o.Routes != nil {
		p.router = o.Routes
	}
	// The sweep tries the grid the TTL is chosen from, plus the TTLs of
	// headers that will really be sent (kept headers, immutable files), so
	// that every row is predicted at what it will get.
	p.grid = map[time.Duration]bool{}
	for _, d := range o.TTLs {
		p.grid[d] = true
	}
	p.ttls = append([]time.Duration(nil), o.TTLs...)
	extra := func(d time.Duration) {
		for _, t := range p.ttls {
			if t == d {
				return
			}
		}
		p.ttls = append(p.ttls, d)
	}
	extra(immutableTTL)
	p.kept = map[*framework.Route]framework.KeptHeader{}
	if o.Routes != nil {
		for _, r := range o.Routes.Routes {
			if !r.HasCacheControl {
				continue
			}
			if k, ok := r.KeptHeader(); ok {
				p.kept[r] = k
				if k.TTL > 0 {
					extra(k.TTL)
				}
			}
		}
	}
	sort.Slice(p.ttls, func(i, j int) bool { return p.ttls[i] < p.ttls[j] })
	return p
}

// Router maps request paths onto the routes of the source (nil without
// --src: endpoints are inferred).
func (p *Plan) Router() analyze.Router { return p.router }

// AnalyzeOptions is the analysis the advice reads: by endpoint and method
// group, every row.
func (p *Plan) AnalyzeOptions() analyze.Options {
	ao := p.o.Analyze
	ao.By, ao.Top, ao.Router = []string{"endpoint", "method_group"}, 0, p.router
	return ao
}

// SetLoggedVary takes the Vary headers the logs record per endpoint.
// Routes whose responses vary on a header the edge splits on and the logs
// do not record get one copy per client (the worst case). The Vary headers
// come from the source and from the logs where they record them. Vary:
// Cookie does not split where cdnadvise edge strips the cookies.
func (p *Plan) SetLoggedVary(logVary map[string][]string) {
	o := p.o
	p.vary = map[string][]string{}
	addVary := func(endpoint string, hs []string) {
		for _, h := range hs {
			if !slices.Contains(p.vary[endpoint], h) {
				p.vary[endpoint] = append(p.vary[endpoint], h)
			}
		}
		sort.Strings(p.vary[endpoint])
	}
	if o.Routes != nil {
		for _, r := range o.Routes.Routes {
			if framework.SafeMethod(r.Method) {
				addVary(r.Pattern, r.Vary)
			}
		}
	}
	for e, hs := range logVary {
		addVary(e, hs)
	}
	p.varySplit = map[string][]string{}
	cookieVary := o.Sweep.Profile.VaryCookie
	if o.Sweep.Profile.RequestCookie == "pass" {
		cookieVary = "ignore"
	}
	for e, hs := range p.vary {
		if h := splitsOn(hs, o.Sweep.Profile.Vary, cookieVary); len(h) > 0 {
			p.varySplit[e] = h
		}
	}
}

// SplitsVary reports whether the edge keeps one copy per header value of
// some endpoint (the logged Vary values then matter).
func (p *Plan) SplitsVary() bool { return len(p.varySplit) > 0 }

// Replay is the replay the advice predicts from: the grid and the kept
// TTLs, each TTL with the stale-while-revalidate the advice would send with
// it (Varnish turns it into the object's grace, nginx and the CDNs serve
// stale within it), the Vary splits, one row per method group.
func (p *Plan) Replay() (replay.LoadOptions, replay.SweepOptions) {
	lo := p.o.Load
	lo.SplitVary = map[string][]string{}
	for e, h := range p.varySplit {
		lo.SplitVary[e] = h
	}
	lo.Router = p.router
	lo.SplitMethods = true
	so := p.o.Sweep
	// cdnadvise edge's configuration turns background updates on (nginx:
	// proxy_cache_background_update): the header's stale-while-revalidate
	// is served while the entry is refreshed.
	so.Profile.SWRNeedsBackgroundUpdate = false
	so.TTLs = p.ttls
	if so.SWR == 0 {
		so.SWRByTTL = make([]time.Duration, len(p.ttls))
		for k, d := range p.ttls {
			if p.grid[d] {
				so.SWRByTTL[k] = time.Duration(swrFor(d, p.o.MaxStale)) * time.Second
			}
		}
	}
	return lo, so
}

// stockDiffers says how the edge as it comes treats traffic differently
// from the configuration cdnadvise edge writes (nothing: the same).
func stockDiffers(prof replay.Profile) []string {
	var out []string
	if prof.RequestCookie == "pass" {
		out = append(out, "it passes requests that carry cookies")
	}
	if len(prof.Extensions) > 0 {
		out = append(out, "it caches only some file extensions")
	}
	if prof.SWRNeedsBackgroundUpdate && prof.HonorsSWR {
		out = append(out, "without background updates (proxy_cache_background_update) it serves stale-while-revalidate only to requests that arrive while another one refreshes the entry: the request that finds it expired waits for the origin")
	}
	return out
}

// StockReplay is the same traffic on the edge as it comes, without the
// configuration cdnadvise edge writes, when it treats traffic differently
// (cookies passed, extensions only, stale-while-revalidate without
// background updates): the advice says what that costs. ok is false when
// the edge as it comes behaves the same.
func (p *Plan) StockReplay() (lo replay.LoadOptions, so replay.SweepOptions, ok bool) {
	lo, so = p.Replay()
	prof := p.o.Sweep.Profile
	so.Profile = prof
	if len(stockDiffers(prof)) == 0 {
		return lo, so, false
	}
	lo.Stock, lo.AssumeCookies, lo.Progress = &prof, true, nil
	return lo, so, true
}

// Evidence is what the traffic says, gathered as the plan asks.
type Evidence struct {
	// Analysis is by endpoint and method group (AnalyzeOptions).
	Analysis *analyze.Report
	// Sweep is the replay (Replay) over Requests requests.
	Sweep    *replay.SweepResult
	Requests int
	// Stock is the replay on the edge as it comes (StockReplay; nil when
	// not needed), with how many of all log lines record the Cookie header.
	Stock       *replay.SweepResult
	CookieLines int64
	Lines       int64
	// LoggedVaryHeaders are the request headers whose values the logs
	// record (read when SplitsVary).
	LoggedVaryHeaders map[string]bool
	// SameResponse is per endpoint whether clients got the same responses
	// at the same time.
	SameResponse map[string]analyze.SameResponse
	// Unmatched are requested paths no route matches (with routes only).
	Unmatched []analyze.PathStat
}

// Decide recommends a TTL and Cache-Control per route (or inferred
// endpoint) from the evidence.
func (p *Plan) Decide(ev Evidence) *Advice {
	o := p.o
	grid, kept, vary, varySplit := p.grid, p.kept, p.vary, p.varySplit
	rep, res, n := ev.Analysis, ev.Sweep, ev.Requests
	adv := &Advice{Definition: p.definition}
	adv.Analysis, adv.Sweep = rep, res
	prof := o.Sweep.Profile
	var stock map[string][]replay.Outcome
	if ev.Stock != nil {
		stock = map[string][]replay.Outcome{}
		for _, row := range ev.Stock.Endpoints {
			if len(row) > 0 {
				stock[row[0].Endpoint] = row
			}
		}
		cookies := "the logs record each request's Cookie header: taken at their word"
		if ev.CookieLines < ev.Lines {
			cookies = fmt.Sprintf("assumed: requests come from browsers that send the site's cookies with every request (%d of %d log lines record the Cookie header)", ev.CookieLines, ev.Lines)
		}
		if prof.RequestCookie != "pass" {
			cookies = ""
		} else {
			cookies += "; "
		}
		adv.Notes = append(adv.Notes, fmt.Sprintf("%s%s as it comes differs from the configuration cdnadvise edge --edge %s writes (%s): each route shows two predictions, \"predicted\" with that configuration and \"stock\" on %s as it comes, and what the edge needs", cookies, prof.Name, prof.Name, strings.Join(stockDiffers(prof), "; "), prof.Name))
	}
	if prof.ConcurrentMissesReachOrigin && n > 0 {
		why := "no request collapsing"
		if strings.HasPrefix(prof.Name, "nginx") {
			why += ": proxy_cache_lock is off as nginx comes and in cdnadvise edge's file, unless your own configuration turns it on"
		}
		adv.Notes = append(adv.Notes, prof.Name+" sends every request that arrives while an entry's first fetch is under way to the origin as well ("+why+"): after a start or a purge, a busy URL is fetched once for every request that arrived during its first fetch; the origin requests a minute at the TTL count one fetch per miss and leave that burst out")
	}
	if n == 0 {
		adv.Notes = append(adv.Notes, "no requests in the store: recommendations come from the routes alone")
	}
	if o.Routes == nil {
		adv.Notes = append(adv.Notes, fmt.Sprintf("without --src, a route gets a shared-cache header only when the logs show it answers everyone alike (in %d ten-second windows or more, two clients or more got the same response for one URL, and such windows are %.0f%% or more of those with two clients); routes without that evidence are 'unverified': give --src to decide from the code", SharedMinWindows, 100*SharedMinShare))
	}
	curves := map[string][]replay.Outcome{}
	for _, row := range res.Endpoints {
		if len(row) > 0 {
			curves[row[0].Endpoint] = row
		}
	}
	stats := map[[2]string]analyze.Row{}
	for _, r := range rep.Rows {
		stats[[2]string{r.Keys["method_group"], r.Endpoint}] = r
	}
	var minutes float64 = math.Max(res.Minutes, 1.0/60)
	seen := map[[2]string]bool{}
	add := func(method, endpoint string, route *framework.Route) {
		key := [2]string{method, endpoint}
		if seen[key] {
			return
		}
		seen[key] = true
		if route == nil && o.Routes != nil {
			// A method the source does not declare on a known route (a
			// view that takes any method): the route's view still tells
			// where it is.
			route = o.Routes.ByPattern(endpoint)
		}
		rec := &Recommendation{Method: method, Endpoint: endpoint, Route: route}
		if framework.SafeMethod(method) {
			rec.Curve = curves[endpoint]
		} else {
			rec.Curve = curves[replay.UnsafeEndpoint(endpoint)]
		}
		if route != nil {
			rec.Methods, rec.View, rec.File, rec.Line = route.Methods, route.View, route.ViewFile(), route.ViewLine()
		}
		s, haveStats := stats[key]
		if haveStats {
			rec.Requests = s.Requests
			rec.CurrentHitRatio = s.HitRatio
			// Every request reaches the origin today, but those the edge
			// offloads (whether or not the logs carry times).
			rec.OriginPerMinNow = float64(s.Requests) / minutes
			if s.Offload != nil {
				rec.OriginPerMinNow = float64(s.Requests) * (1 - *s.Offload) / minutes
			}
		}
		if sr, ok := ev.SameResponse[endpoint]; ok && framework.SafeMethod(method) {
			e := personalEvidence(sr)
			rec.Personalization, rec.PersonalizationEvidence = e.verdict(), e.String()
		} else if framework.SafeMethod(method) {
			rec.Personalization = PersonalUnknown
		}
		k, isKept := kept[route]
		decide(rec, route, s, haveStats, o, grid)
		if rec.LatencyAtMS != nil && rec.LatencyNowMS != nil && SharedHeader(rec.CacheControl) {
			rec.Reasons = append(rec.Reasons, fmt.Sprintf("latency at the edge: %.1f ms now, %.1f ms expected at the TTL (%s)", *rec.LatencyNowMS, *rec.LatencyAtMS, rec.LatencyAtFrom))
		}
		if framework.SafeMethod(method) {
			personalizationFrom(rec, route)
		}
		if route != nil && route.HasCacheControl && !o.Replace && framework.SafeMethod(method) {
			switch {
			case rec.Class != ClassPrivate:
				keep(rec, k, isKept)
			case isKept && k.TTL <= 0:
				// The view's own header keeps shared caches out already: it
				// is kept, and the route stays private (the edge passes it).
				keep(rec, k, isKept)
				rec.Class = ClassPrivate
				rec.PredictedHitRatio = nil // as for every private row: nothing to predict
			default:
				sends := "a header computed at run time"
				if isKept {
					sends = fmt.Sprintf("%q (%s:%d)", k.Value, k.File, k.Line)
				}
				rec.Reasons = append(rec.Reasons, "the view sends "+sends+" itself, which a shared cache may store: it needs private, no-store (patch --replace writes it)")
				rec.SharedHeaderSent = sends
			}
		}
		if framework.SafeMethod(method) {
			edgeSide(rec, prof, stock[endpoint], ev.Stock != nil, s)
			rec.Vary = vary[endpoint]
			for _, p := range s.Params {
				rec.QueryParams = append(rec.QueryParams, p.Name)
			}
			if h := varySplit[endpoint]; len(h) > 0 && rec.CacheControl != "" && !strings.Contains(rec.CacheControl, "private") && !strings.Contains(rec.CacheControl, "no-store") {
				// (Only where a shared cache stores the response: the
				// hint means nothing on a per-user or no-store page.)
				rec.Reasons = append(rec.Reasons, varyReason(h, ev.LoggedVaryHeaders, prof.Name))
				rec.EdgeNeeds = append(rec.EdgeNeeds, "normalize "+strings.Join(h, ", ")+" at the edge to the values the app serves (or move the variation into the URL), else "+prof.Name+" keeps one copy per distinct value")
			}
		}
		adv.Recommendations = append(adv.Recommendations, rec)
	}
	if o.Routes != nil {
		for _, r := range o.Routes.Routes {
			if r.Unresolved != "" && r.Regex == nil {
				adv.Notes = append(adv.Notes, fmt.Sprintf("route %s %s (%s:%d) not resolved: %s", r.Method, r.Pattern, r.File, r.Line, r.Unresolved))
				continue
			}
			add(r.Method, r.Pattern, r)
		}
	}
	for _, r := range rep.Rows {
		if r.Endpoint == analyze.NotHTTPEndpoint {
			// Scanners' lines: nothing to advise; the analysis counts them.
			continue
		}
		add(r.Keys["method_group"], r.Endpoint, nil)
	}
	for _, u := range ev.Unmatched {
		adv.Unmatched = append(adv.Unmatched, UnmatchedPath{Path: u.Path, Requests: u.Requests})
	}
	sort.SliceStable(adv.Recommendations, func(i, j int) bool {
		a, b := adv.Recommendations[i], adv.Recommendations[j]
		if a.Requests != b.Requests {
			return a.Requests > b.Requests
		}
		if a.Endpoint != b.Endpoint {
			return a.Endpoint < b.Endpoint
		}
		return framework.MethodRank(a.Method) < framework.MethodRank(b.Method)
	})
	for _, r := range adv.Recommendations {
		if r.Route != nil && r.Route.Regex != nil {
			r.Match = r.Route.Regex.String()
		} else {
			r.Match = TemplateRegex(r.Endpoint)
		}
	}
	adv.DataFrom, adv.DataTo = rep.From, rep.To
	return adv
}

// personalizationFrom says what is known of whether a row may differ per
// user, and from what, in PersonalizationFrom and as the row's last reason.
func personalizationFrom(rec *Recommendation, route *framework.Route) {
	read := route != nil && (route.ViewNode != nil || route.PerUser)
	logs := rec.Personalization != "" && rec.Personalization != PersonalUnknown
	switch {
	case read && route.PerUser:
		rec.PersonalizationFrom = "source"
		rec.Reasons = append(rec.Reasons, "personalization: per-user, from the source")
		return
	case read && logs:
		rec.PersonalizationFrom = "source and logs"
	case read:
		rec.PersonalizationFrom = "source"
	case logs:
		rec.PersonalizationFrom = "logs"
	default:
		rec.PersonalizationFrom = "none"
	}
	var what []string
	if read {
		what = append(what, "the source shows no user requirement (view, classes, settings, middleware)")
	}
	if logs {
		what = append(what, "the logs show "+rec.Personalization+" ("+rec.PersonalizationEvidence+")")
	}
	if len(what) == 0 {
		why := "no two clients fetched one URL at the same time"
		if rec.PersonalizationEvidence != "" {
			why = "too few agreeing windows: " + rec.PersonalizationEvidence
		}
		what = append(what, "unknown: the view is not read, and the logs do not tell ("+why+")")
	}
	rec.Reasons = append(rec.Reasons, "personalization from "+rec.PersonalizationFrom+": "+strings.Join(what, "; "))
}

// swrFor is the stale-while-revalidate (seconds) the advice sends with a
// TTL: as long as the TTL, within maxStale (TTL + SWR) and a day.
func swrFor(ttl, maxStale time.Duration) int64 {
	swr := int64(ttl / time.Second)
	if maxStale > 0 {
		swr = min(swr, int64((maxStale-ttl)/time.Second))
	}
	return max(min(swr, 86400), 0)
}

// edgeSide fills what the edge needs besides the header, and the hit ratio
// the edge would reach as configured by default (stock: its curve).
func edgeSide(rec *Recommendation, prof replay.Profile, stock []replay.Outcome, stockReplayed bool, s analyze.Row) {
	shared := rec.TTLSeconds > 0 && !strings.Contains(rec.CacheControl, "private") && !strings.Contains(rec.CacheControl, "no-store")
	perUser := rec.Class == ClassPrivate
	static := rec.Class == ClassImmutable || s.Static
	rec.EdgeNeeds = prof.Needs(edge.Row{Path: rec.Endpoint, Shared: shared, PerUser: perUser, Query: len(s.Params) > 0, Static: static})
	switch {
	case shared && stock != nil:
		if c := At(stock, time.Duration(rec.TTLSeconds)*time.Second); c != nil {
			v, o := c.HitRatio, c.OriginPerMin
			rec.StockPredictedHitRatio, rec.StockOriginPerMinAt = &v, &o
			rec.StockLatencyP50AtMS, rec.StockLatencyP95AtMS = c.ExpectedP50MS, c.ExpectedP95MS
		}
	case shared && !stockReplayed && rec.PredictedHitRatio != nil:
		// The edge as it comes behaves as configured: one prediction for both.
		v := *rec.PredictedHitRatio
		rec.StockPredictedHitRatio, rec.StockOriginPerMinAt = &v, rec.OriginPerMinAt
		rec.StockLatencyP50AtMS, rec.StockLatencyP95AtMS = rec.LatencyP50AtMS, rec.LatencyP95AtMS
	}
}

// immutableTTL is the lifetime of fingerprinted static files (max-age of a
// year, the longest RFC 9111 lets a cache count on).
const immutableTTL = 365 * 24 * time.Hour

// At returns the curve's outcome at TTL d.
func At(curve []replay.Outcome, d time.Duration) *replay.Outcome {
	for k := range curve {
		if curve[k].TTL == d {
			return &curve[k]
		}
	}
	return nil
}

// keep turns a recommendation for a view that sets Cache-Control itself
// into the prediction for that header: what will really be sent.
func keep(rec *Recommendation, k framework.KeptHeader, known bool) {
	rec.Kept = true
	rec.Replacement = rec.CacheControl
	rec.Class = ClassAlreadySet
	rec.PredictedHitRatio, rec.OriginPerMinAt, rec.StaleShare, rec.StaleAgeP95, rec.LatencyAtMS = nil, nil, nil, nil, nil
	rec.LatencyP50AtMS, rec.LatencyP95AtMS, rec.LatencyAtFrom = nil, nil, ""
	if !known {
		rec.CacheControl, rec.TTL, rec.TTLSeconds, rec.SWRSeconds, rec.SIESeconds, rec.BrowserMaxAge = "", "", 0, 0, 0, 0
		rec.Reasons = append(rec.Reasons, "the header the view sets is computed at run time: no prediction for it")
		return
	}
	rec.CacheControl = k.Value
	rec.TTL, rec.TTLSeconds, rec.SWRSeconds, rec.SIESeconds, rec.BrowserMaxAge = replay.FormatTTL(k.TTL), int64(k.TTL/time.Second), k.SWR, k.SIE, k.Browser
	if k.TTL <= 0 {
		zero := 0.0
		rec.PredictedHitRatio = &zero
		rec.Reasons = append(rec.Reasons, fmt.Sprintf("kept: the view sends %q (%s:%d), which no shared cache stores", k.Value, k.File, k.Line))
		return
	}
	rec.Reasons = append(rec.Reasons, fmt.Sprintf("kept: the view sends %q (%s:%d); predicted at its shared TTL %s", k.Value, k.File, k.Line, replay.FormatTTL(k.TTL)))
	if c := At(rec.Curve, k.TTL); c != nil {
		fillEvidence(rec, c)
	}
}

// decide applies the rules, then the replay curve.
func decide(rec *Recommendation, route *framework.Route, s analyze.Row, haveStats bool, o Options, grid map[time.Duration]bool) {
	reason := func(f string, a ...any) { rec.Reasons = append(rec.Reasons, fmt.Sprintf(f, a...)) }
	switch {
	case rec.Requests >= 1000:
		rec.Confidence = "high"
	case rec.Requests >= 100:
		rec.Confidence = "medium"
	case rec.Requests > 0:
		rec.Confidence = "low"
		reason("only %d requests: the prediction is noisy", rec.Requests)
	default:
		rec.Confidence = "none"
	}
	pol, hasPolicy := o.Policies[rec.Endpoint]
	maxStale := o.MaxStale
	if hasPolicy && pol.MaxStale != "" {
		if d, err := replay.ParseTTL(pol.MaxStale); err == nil {
			maxStale = d
		}
	}
	share := func(p *float64) float64 {
		if p == nil {
			return 0
		}
		return *p
	}
	switch {
	case !framework.SafeMethod(rec.Method):
		// Before the policy file too: no policy makes an unsafe method's
		// response shareable.
		rec.Class = ClassUnsafe
		reason("%s: shared caches never store responses to it (RFC 9111 9.3); its GET is advised on its own row", rec.Method)
		return
	case haveStats && s.Requests > 0 && s.StatusClasses != nil && s.StatusClasses["2xx"]+s.StatusClasses["3xx"] == 0 && !(route != nil && route.PerUser):
		// Before the policy file: scanners' paths get no header.
		rec.Class = ClassErrors
		reason("every one of its %d responses was an error (4xx/5xx: scanners, broken links): nothing to cache, no header and no edge rule", rec.Requests)
		return
	case hasPolicy && pol.Skip:
		rec.Class = ClassPolicy
		reason("skipped by the policy file")
		return
	case hasPolicy && pol.CacheControl != "":
		rec.Class, rec.CacheControl = ClassPolicy, pol.CacheControl
		reason("Cache-Control set by the policy file")
		return
	case share(s.Private) > 0.5 && haveStats && !(route != nil && route.HasCacheControl):
		rec.Class, rec.CacheControl = ClassNoStore, "no-store"
		reason("%.0f%% of its responses already say private or no-store: kept", 100*share(s.Private))
		return
	case (route != nil && route.PerUser) || share(s.SetCookie) > 0.01 || share(s.Auth) > 0.01 || (o.Routes == nil && share(s.Auth) > 0) || rec.Personalization == PersonalPerUser:
		// Before a header the view sets itself: a per-user route keeps
		// "private, no-store" whatever --replace says (or the view's own
		// header when that is as strict: see keep).
		rec.Class, rec.CacheControl = ClassPrivate, "private, no-store"
		switch {
		case route != nil && route.PerUser && route.PerUserWhy != "":
			reason("the view depends on the user: %s", route.PerUserWhy)
		case route != nil && route.PerUser:
			reason("the view depends on the user (login, permissions, session or current-user dependency)")
		case rec.Personalization == PersonalPerUser:
			reason("the logs show different responses to different clients for the same URL at the same time (%s)", rec.PersonalizationEvidence)
		case share(s.SetCookie) > 0.01:
			reason("%.1f%% of its responses set a cookie", 100*share(s.SetCookie))
		default:
			reason("%.1f%% of its requests carry Authorization", 100*share(s.Auth))
		}
		reason("per-user responses must never be stored by a shared cache (RFC 9111 3.5)")
		return
	case route != nil && route.HasCacheControl:
		rec.Class = ClassAlreadySet
		reason("the view already sets Cache-Control (decorator or header): left alone unless --replace")
	case s.Fingerprinted || (route != nil && route.Kind == "static" && s.Fingerprinted):
		rec.Class, rec.CacheControl = ClassImmutable, "public, max-age=31536000, immutable"
		rec.TTL, rec.TTLSeconds, rec.BrowserMaxAge = "365d", 31536000, 31536000
		reason("file name carries a content hash: a new version gets a new URL")
		fillEvidence(rec, At(rec.Curve, immutableTTL))
		return
	}
	if rec.Class == "" && o.Routes != nil && (route == nil || (route.ViewNode == nil && route.Kind != "static")) {
		// With the source, a route is shared only on its evidence: one
		// whose view cannot be read (outside --src, a third-party include,
		// a dynamic callback) or a path no route matches gets no header.
		rec.Class = ClassUnverified
		if route == nil {
			reason("no route of the source matches it (a view outside --src, a third-party include or a dynamic route): nothing shows that it answers everyone alike, so no header is advised")
		} else {
			why := route.Unresolved
			if why == "" {
				why = "view " + route.View + " is not a definition under --src"
			}
			reason("its view cannot be read (%s): nothing shows that it answers everyone alike, so no header is advised", why)
		}
		fillEvidence(rec, nil)
		return
	}
	if rec.Requests == 0 && rec.Class == "" {
		rec.Class = ClassNoTraffic
		reason("no request for this route in the logs: nothing to base a TTL on")
		return
	}
	// The replay curve.
	curve := rec.Curve
	if len(curve) == 0 {
		if rec.Class == "" {
			rec.Class = ClassNoTraffic
			reason("not replayed (no cacheable requests)")
		}
		return
	}
	// The TTL is chosen from the grid alone (the sweep also tries the TTLs
	// of kept headers and immutable files).
	best := 0.0
	for _, c := range curve {
		if grid[c.TTL] {
			best = c.HitRatio
		}
	}
	choice := -1
	for k, c := range curve {
		if c.TTL <= 0 || !grid[c.TTL] {
			continue
		}
		if maxStale > 0 && c.TTL > maxStale {
			break
		}
		choice = k
		if c.HitRatio >= o.Target*best {
			break
		}
	}
	if hasPolicy && pol.TTL != "" {
		if d, err := replay.ParseTTL(pol.TTL); err == nil {
			for k, c := range curve {
				if c.TTL == d {
					choice = k
				}
			}
			rec.TTL = replay.FormatTTL(d)
			reason("TTL set by the policy file")
		}
	}
	if choice < 0 {
		if rec.Class == "" {
			rec.Class, rec.CacheControl = ClassPrivate, "no-cache"
			reason("--max-stale %s is shorter than every TTL tried: the CDN must revalidate each time", maxStale)
		}
		return
	}
	c := curve[choice]
	ttl := int64(c.TTL / time.Second)
	swr := swrFor(c.TTL, maxStale)
	sie := int64(86400)
	browser := min(ttl, 60)
	if c.StaleContent > 0 {
		browser = 0
		reason("content changes were seen at the origin: browsers revalidate (max-age=0) so that a purge reaches them")
	}
	cc := fmt.Sprintf("public, max-age=%d, s-maxage=%d", browser, ttl)
	if swr > 0 {
		cc += fmt.Sprintf(", stale-while-revalidate=%d", swr)
	}
	cc += fmt.Sprintf(", stale-if-error=%d", sie)
	if rec.Class == "" || rec.Class == ClassAlreadySet {
		// An already-set route keeps its class; the header is what --replace would write.
		if rec.Class == "" && o.Routes == nil && rec.Personalization != PersonalShared {
			// Without the source, only the logs can tell that the route is
			// the same for everyone; they do not: no header is guessed.
			rec.Class = ClassUnverified
			reason("without --src, nothing shows that this route answers everyone alike (no two clients fetched one URL at the same time in the logs): no shared-cache header is advised; give --src, or logs with more traffic; at TTL %s it would reach %.1f%%", replay.FormatTTL(c.TTL), 100*c.HitRatio)
			fillEvidence(rec, &c)
			return
		}
		if rec.Class == "" && rec.CurrentHitRatio != nil && c.HitRatio+0.01 < *rec.CurrentHitRatio {
			// No change that does worse than today.
			rec.Class = ClassKeep
			reason("today's cache already does better (%.1f%% measured) than the advice would (%.1f%% predicted at TTL %s): keep the current configuration", 100**rec.CurrentHitRatio, 100*c.HitRatio, replay.FormatTTL(c.TTL))
			fillEvidence(rec, &c)
			return
		}
		if rec.Class == "" {
			rec.Class = ClassCacheable
			if best < 0.05 {
				rec.Class = ClassLowReuse
				reason("even the longest TTL reaches a hit ratio of %.1f%%: requests rarely repeat (check the cache key)", 100*best)
			}
		}
		rec.CacheControl = cc
		if rec.TTL == "" {
			rec.TTL = replay.FormatTTL(c.TTL)
		}
		rec.TTLSeconds, rec.SWRSeconds, rec.SIESeconds, rec.BrowserMaxAge = ttl, swr, sie, browser
		reason("TTL %s reaches %.1f%% hit ratio, %.0f%% of the %.1f%% the longest TTL would", rec.TTL, 100*c.HitRatio, 100*c.HitRatio/math.Max(best, 1e-9), 100*best)
	}
	fillEvidence(rec, &c)
	if best > 0 {
		v := best
		rec.AchievableHitRatio = &v
	}
}

func fillEvidence(rec *Recommendation, c *replay.Outcome) {
	if c == nil {
		return
	}
	h, o, st := c.HitRatio, c.OriginPerMin, c.StaleShare
	rec.PredictedHitRatio, rec.OriginPerMinAt, rec.StaleShare, rec.StaleAgeP95 = &h, &o, &st, c.StaleAgeP95
	rec.LatencyAtMS = c.ExpectedMS
	rec.LatencyP50AtMS, rec.LatencyP95AtMS = c.ExpectedP50MS, c.ExpectedP95MS
	switch {
	case c.ExpectedMS == nil:
	case c.ObservedHitMS != nil:
		from := c.HitMSFrom
		if from == "" {
			from = replay.HitFromRoute
		}
		rec.LatencyAtFrom = fmt.Sprintf("hits at %.1f ms, from %s", *c.ObservedHitMS, from)
	default:
		rec.LatencyAtFrom = "no hit time in the logs and none stated for the edge: no gain assumed"
	}
	if c.ObservedMissMS != nil && rec.CurrentHitRatio != nil {
		hit := *c.ObservedMissMS
		if c.ObservedHitMS != nil {
			hit = *c.ObservedHitMS
		}
		v := *rec.CurrentHitRatio*hit + (1-*rec.CurrentHitRatio)**c.ObservedMissMS
		rec.LatencyNowMS = &v
	} else if c.ObservedMissMS != nil {
		v := *c.ObservedMissMS
		rec.LatencyNowMS = &v
	}
}

package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

type analyzeOptions struct {
	*globalOptions
	io *streams

	scopeFlags
	inputFlags
	By           string
	Top          int
	HitThreshold float64
	MinRequests  int64
	JSON, CSV    bool
	Params       bool
	JoinWindow   time.Duration
}

func newAnalyzeCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &analyzeOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "analyze",
		Short: "Hit ratio, offload and latency per endpoint, PoP and time",
		Long: `Show per endpoint (or per PoP, status class, hour, day, host, method, tier, and
combinations) how caching works today: requests and bytes, hit ratio by requests and
by bytes, origin offload, status classes, edge latency percentiles for hits and
misses, origin latency, cacheability signals (Set-Cookie, Authorization, private or
no-store), distinct cache keys and query parameters that fragment them.

Endpoints are templates: /api/users/123 and /api/users/456 are /api/users/{int}.
Identifiers ({int}, {uuid}, {hash}, {date}, {email}) are recognized, a path segment
with many distinct values under one parent becomes {var}, and fingerprinted static
files (app.3f2a9c1b.js) are marked. Rows are sorted by what matters most: requests
that reached the origin although a cache could have answered them (SAVEABLE).

How every ratio is defined is printed with --json (definitions) and below the table.`,
		Example: `  cdnadvise analyze
  cdnadvise analyze --by endpoint,pop --top 20
  cdnadvise analyze --by hour --since 2026-11-24 --until 2026-11-25
  cdnadvise analyze --json | jq '.rows[0]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyze(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.StringVar(&opts.By, "by", "endpoint", "group by these, comma-separated: "+strings.Join(analyze.Dimensions, ", "))
	opts.scopeFlags.add(f, "only this tier: edge or origin")
	opts.inputFlags.add(f)
	f.IntVar(&opts.Top, "top", 25, "show this many rows (0: all)")
	f.Float64Var(&opts.HitThreshold, "hit-threshold", 0.7, "flag endpoints below this hit ratio")
	f.Int64Var(&opts.MinRequests, "min-requests", 0, "requests an endpoint needs to be flagged (default: max(100, 0.5% of all))")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	f.BoolVar(&opts.CSV, "csv", false, "print the rows as CSV")
	f.BoolVar(&opts.Params, "params", true, "list query parameters that fragment the cache key")
	f.DurationVar(&opts.JoinWindow, "join-window", 2*time.Second, "edge and origin requests logged this close match when no request id joins them")
	return cmd
}

// timeRange reads --since and --until; a duration counts back from the last
// request in the store.
func timeRange(ctx context.Context, st *store.Store, since, until string) (time.Time, time.Time, error) {
	isDuration := func(s string) bool { _, err := time.ParseDuration(s); return err == nil }
	var last time.Time
	if isDuration(since) || isDuration(until) {
		var t *time.Time
		if err := st.DB.QueryRowContext(ctx, "SELECT max(ts) FROM requests_raw").Scan(&t); err == nil && t != nil {
			last = *t
		}
	}
	s, err := parseWhen(since, last)
	if err != nil {
		return s, s, err
	}
	u, err := parseWhen(until, last)
	return s, u, err
}

// parseWhen reads an absolute time, or a duration counted back from ref.
func parseWhen(s string, ref time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		if ref.IsZero() {
			ref = time.Now()
		}
		return ref.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot read time %q: use 2026-11-24, 2026-11-24T10:00:00Z or a duration such as 24h", s)
}

func runAnalyze(ctx context.Context, opts *analyzeOptions) error {
	if opts.JSON && opts.CSV {
		return errors.New("give --json or --csv, not both")
	}
	st, err := opts.inputFlags.open(ctx, opts.globalOptions, false)
	if err != nil {
		return err
	}
	defer st.Close()
	aopts := analyze.Options{Host: opts.Host, Tier: opts.Tier, Top: opts.Top, HitThreshold: opts.HitThreshold, MinRequests: opts.MinRequests,
		Logger: opts.logger(opts.io), JoinWindow: opts.JoinWindow}
	for _, d := range strings.Split(opts.By, ",") {
		if d = strings.TrimSpace(d); d != "" {
			aopts.By = append(aopts.By, d)
		}
	}
	sc, err := opts.scopeFlags.resolve(ctx, st, opts.io.ErrOut)
	if err != nil {
		return err
	}
	defer sc.close()
	aopts.Since, aopts.Until, aopts.Router = sc.since, sc.until, sc.router
	rep, err := analyze.Run(ctx, st, aopts)
	if err != nil {
		return err
	}
	switch {
	case opts.JSON:
		return printJSON(opts.io.Out, rep)
	case opts.CSV:
		return writeAnalyzeCSV(opts.io.Out, rep)
	}
	printAnalyze(opts.io.Out, rep, opts.Params)
	return nil
}

func pct(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100**v)
}

func ms(p *analyze.Percentiles, both bool) string {
	if p == nil {
		return "-"
	}
	if both {
		return fmt.Sprintf("%s/%s", msOne(p.P50), msOne(p.P95))
	}
	return msOne(p.P95)
}

func msOne(v float64) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func printAnalyze(w io.Writer, rep *analyze.Report, params bool) {
	if rep.Mode == "empty" {
		fmt.Fprintln(w, strings.Join(rep.Notes, "\n"))
		return
	}
	t := rep.Totals
	period := ""
	if rep.From != nil {
		period = fmt.Sprintf("%s to %s, ", rep.From.Format("2006-01-02 15:04:05"), rep.To.Format("2006-01-02 15:04:05 UTC"))
	}
	fmt.Fprintf(w, "%s%s logs: %d edge requests, %d origin requests; %s served\n", period, rep.Mode, t.EdgeRequests, t.OriginRequests, bytesHuman(t.Bytes))
	if t.HitRatio != nil {
		fmt.Fprintf(w, "hit ratio %s (bytes %s), origin offload %s (bytes %s); edge latency p50/p95 hits %s ms, misses %s ms; origin p95 %s ms\n",
			pct(t.HitRatio), pct(t.ByteHitRatio), pct(t.Offload), pct(t.ByteOffload), ms(t.EdgeHit, true), ms(t.EdgeMiss, true), ms(t.Origin, false))
	} else if t.Origin != nil {
		fmt.Fprintf(w, "origin latency p50/p95/p99 %s/%s/%s ms\n", msOne(t.Origin.P50), msOne(t.Origin.P95), msOne(t.Origin.P99))
	}
	fmt.Fprintf(w, "%d requests reached the origin although a shared cache could have answered them (saveable)\n", t.Saveable)
	if j := rep.Join; j != nil {
		fmt.Fprintf(w, "edge/origin join by %s: %d of %d origin requests matched an edge request (%.1f%%); %d edge requests reached the origin\n",
			j.Method, j.Matched, j.OriginRows, 100*j.MatchRate, j.EdgeToOrig)
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := append([]string{}, upper(rep.By)...)
	originOnly := rep.Mode == "origin"
	if originOnly {
		head = append(head, "REQS", "BYTES", "2xx", "3xx", "4xx", "5xx", "ORIGIN p50/p95", "p99", "SET-COOKIE", "SAVEABLE", "KEYS", "REQS/KEY")
	} else {
		head = append(head, "REQS", "HIT%", "BYTE HIT%", "OFFLOAD%", "HIT p50/p95", "MISS p50/p95", "ORIGIN p95", "SAVEABLE", "KEYS", "FLAGS")
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range rep.Rows {
		var cells []string
		for _, d := range rep.By {
			v := r.Keys[d]
			if d == "endpoint" && r.Fingerprinted {
				v += " (fingerprinted)"
			}
			cells = append(cells, v)
		}
		if originOnly {
			p99 := "-"
			if r.Origin != nil {
				p99 = msOne(r.Origin.P99)
			}
			cells = append(cells, fmt.Sprint(r.Requests), bytesHuman(r.Bytes), fmt.Sprint(r.StatusClasses["2xx"]), fmt.Sprint(r.StatusClasses["3xx"]),
				fmt.Sprint(r.StatusClasses["4xx"]), fmt.Sprint(r.StatusClasses["5xx"]), ms(r.Origin, true), p99, pct(r.SetCookie),
				fmt.Sprint(r.Saveable), fmt.Sprint(r.CacheKeys), fmt.Sprintf("%.1f", r.RequestsPerKey))
		} else {
			cells = append(cells, fmt.Sprint(r.Requests), pct(r.HitRatio), pct(r.ByteHitRatio), pct(r.Offload), ms(r.EdgeHit, true),
				ms(r.EdgeMiss, true), ms(r.Origin, false), fmt.Sprint(r.Saveable), fmt.Sprint(r.CacheKeys), strings.Join(r.Flags, ","))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
	if rep.Omitted > 0 {
		fmt.Fprintf(w, "(%d more rows: --top 0 shows all)\n", rep.Omitted)
	}
	if params {
		var lines []string
		for _, r := range rep.Rows {
			var tr []string
			for _, p := range r.Params {
				if p.Tracking {
					tr = append(tr, fmt.Sprintf("%s (%d requests, %d values)", p.Name, p.Requests, p.Values))
				}
			}
			if len(tr) > 0 {
				keys := ""
				if r.KeysNormalized != nil {
					keys = fmt.Sprintf("; %d cache keys, %d without them", r.CacheKeys, *r.KeysNormalized)
				}
				lines = append(lines, fmt.Sprintf("  %s: %s%s", r.Endpoint, strings.Join(tr, ", "), keys))
			}
		}
		if len(lines) > 0 {
			fmt.Fprintln(w, "\ntracking parameters fragment the cache key (drop them from the CDN's cache key):")
			fmt.Fprintln(w, strings.Join(lines, "\n"))
		}
	}
	if !originOnly {
		fmt.Fprintln(w, "\nhit ratio = HIT+STALE+UPDATING+REVALIDATED over edge requests with a cache status; offload leaves REVALIDATED out (it asked the origin); --json lists all definitions")
	}
}

func upper(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.ToUpper(v)
	}
	return out
}

func bytesHuman(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "KiB", "MiB", "GiB", "TiB"} {
		if f < 1024 || u == "TiB" {
			if u == "B" {
				return fmt.Sprintf("%d B", n)
			}
			return fmt.Sprintf("%.1f %s", f, u)
		}
		f /= 1024
	}
	return ""
}

func writeAnalyzeCSV(w io.Writer, rep *analyze.Report) error {
	cw := csv.NewWriter(w)
	head := append([]string{}, rep.By...)
	head = append(head, "requests", "bytes", "edge_requests", "origin_requests", "hit_ratio", "byte_hit_ratio", "offload", "byte_offload",
		"status_2xx", "status_3xx", "status_4xx", "status_5xx", "edge_hit_p50_ms", "edge_hit_p95_ms", "edge_hit_p99_ms",
		"edge_miss_p50_ms", "edge_miss_p95_ms", "edge_miss_p99_ms", "origin_p50_ms", "origin_p95_ms", "origin_p99_ms",
		"set_cookie_share", "authorization_share", "private_or_no_store_share", "cache_keys", "cache_keys_normalized",
		"requests_per_key", "saveable", "static", "fingerprinted", "flags")
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	p := func(q *analyze.Percentiles) []string {
		if q == nil {
			return []string{"", "", ""}
		}
		return []string{strconv.FormatFloat(q.P50, 'f', -1, 64), strconv.FormatFloat(q.P95, 'f', -1, 64), strconv.FormatFloat(q.P99, 'f', -1, 64)}
	}
	for _, r := range rep.Rows {
		rec := []string{}
		for _, d := range rep.By {
			rec = append(rec, r.Keys[d])
		}
		norm := ""
		if r.KeysNormalized != nil {
			norm = fmt.Sprint(*r.KeysNormalized)
		}
		rec = append(rec, fmt.Sprint(r.Requests), fmt.Sprint(r.Bytes), fmt.Sprint(r.EdgeRequests), fmt.Sprint(r.OriginRequests),
			f(r.HitRatio), f(r.ByteHitRatio), f(r.Offload), f(r.ByteOffload),
			fmt.Sprint(r.StatusClasses["2xx"]), fmt.Sprint(r.StatusClasses["3xx"]), fmt.Sprint(r.StatusClasses["4xx"]), fmt.Sprint(r.StatusClasses["5xx"]))
		rec = append(rec, p(r.EdgeHit)...)
		rec = append(rec, p(r.EdgeMiss)...)
		rec = append(rec, p(r.Origin)...)
		rec = append(rec, f(r.SetCookie), f(r.Auth), f(r.Private), fmt.Sprint(r.CacheKeys), norm,
			strconv.FormatFloat(r.RequestsPerKey, 'f', 3, 64), fmt.Sprint(r.Saveable), fmt.Sprint(r.Static), fmt.Sprint(r.Fingerprinted), strings.Join(r.Flags, ";"))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

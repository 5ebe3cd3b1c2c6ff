package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/replay"
)

type replayOptions struct {
	*globalOptions
	io *streams

	TTLs        string
	SWR, SIE    time.Duration
	Edge        string
	ProfileFile string
	PopMode     string
	Shield      bool
	Key         string
	scopeFlags
	Sample float64
	Top    int
	JSON   bool

	inputFlags
	Shard       string
	Merge       bool
	Output      string
	MemoryLimit string
	// ExactPercentiles: see replay.LoadOptions.ExactPercentiles.
	ExactPercentiles int64

	Trace      string
	Policy     string
	SizeChange string
	Capacities string
	ttlGiven   bool
}

// DefaultTTLGrid is the TTL grid swept when --ttl is not given.
const DefaultTTLGrid = "0,10s,30s,1m,2m,5m,10m,15m,30m,1h,2h,6h,12h,1d,7d,inf"

func newReplayCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &replayOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "replay",
		Short: "Predict what other TTLs, keys and cache sizes would do, from your own traffic",
		Long: `Replay the logged requests through a model of an HTTP cache and predict, per
endpoint and TTL: hit ratio (requests and bytes), origin requests per minute, origin
bytes, how many responses would be older than the newest content (from content changes
seen at the origin) and by how much, and the latency to expect.

The stream is the edge's arrivals where edge logs exist, else the origin's ("what if a
CDN were in front"). All TTLs are swept in one pass. The model follows RFC 9111 (the TTL
is a shared-cache s-maxage; GET/HEAD only; no private, no-store, Set-Cookie or
Authorization responses; statuses cacheable by default), RFC 5861 (--swr, --sie), and the
defaults of the chosen --edge (nginx: whole-second clock; varnish: 10 s grace; ...).

With --trace FILE (CSV time,obj_id,obj_size), byte-capacity LRU or FIFO caches of the
given --capacity are simulated instead, as libCacheSim's cachesim does: a cached object is
found by its id and keeps the size it was inserted with (--size-change miss: a request with
another size is a new version of the object, a miss, as HTTP caches see it); all LRU sizes
in one pass from stack distances when no object changes size;
with --trace and --ttl, the trace goes through the freshness model (one cache, the
objects as keys, at most one --capacity).

Big stores: the replay keeps 4 bytes per cache entry and TTL (8 past 49 days of logs),
and ~32 bytes per entry and content key; past 30% of --memory-limit (default a quarter of
RAM; DuckDB's buffers get 20%, its query results 10%: the stream is read in time windows)
the keys are split
by hash into several passes over the store, each exact for its keys (-v prints them). --parquet DIR reads a Parquet export (cdnadvise
export --parquet) instead of the store. --shard I/N replays only the keys of shard I and
writes their counts as JSON; --merge FILES adds the N shards' files up and prints what one
replay prints (give the shards the same settings; --json and --top go to the merge).
Shards may read one store file at the same time. A --capacity cache is shared by all its
keys: one pass, no shards.`,
		Example: `  cdnadvise replay
  cdnadvise replay --ttl 30s,5m,1h --swr 30s --edge cloudfront --key no-tracking
  cdnadvise replay --pop-mode shared --shield --json
  cdnadvise replay --trace trace.csv.gz --policy lru --capacity 1MiB,4MiB,16MiB --json
  for i in 0 1 2 3; do cdnadvise replay --parquet requests/ --shard $i/4 -o shard-$i.json & done; wait
  cdnadvise replay --merge shard-*.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if opts.Merge {
				if len(args) == 0 {
					return errors.New("--merge needs the shards' files: cdnadvise replay --merge shard-*.json")
				}
				return nil
			}
			return cobra.NoArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ttlGiven = cmd.Flags().Changed("ttl")
			if opts.Merge {
				return runReplayMerge(opts, args)
			}
			return runReplay(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.TTLs, "ttl", DefaultTTLGrid, "TTLs (shared-cache s-maxage) to try, comma-separated: 0, 30s, 5m, 1h, 1d, inf")
	f.DurationVar(&opts.SWR, "swr", 0, "stale-while-revalidate window the header would carry")
	f.DurationVar(&opts.SIE, "sie", 0, "stale-if-error window the header would carry")
	f.StringVar(&opts.Edge, "edge", "generic", "cache to model: nginx, varnish, cloudfront, cloudflare, fastly, generic")
	f.StringVar(&opts.ProfileFile, "profile-file", "", "JSON file overriding the edge profile's parameters")
	f.StringVar(&opts.PopMode, "pop-mode", "per-pop", "one cache per edge location (per-pop) or one shared cache (shared)")
	f.BoolVar(&opts.Shield, "shield", false, "add a shield cache between the edge caches and the origin")
	f.StringVar(&opts.Key, "key", "raw", "cache key policy for the query string: raw, no-tracking, sorted, no-query")
	opts.scopeFlags.add(f, "replay this tier's arrivals: edge or origin (default: edge when logged)")
	f.Float64Var(&opts.Sample, "sample", 0, "replay this share of paths (spatial sampling, e.g. 0.01 for huge stores)")
	f.IntVar(&opts.Top, "top", 10, "endpoints to show in the table")
	f.BoolVar(&opts.JSON, "json", false, "print as JSON")
	f.StringVar(&opts.Trace, "trace", "", "simulate a trace file (CSV time,obj_id,obj_size, optionally .gz) instead of the store")
	f.StringVar(&opts.Policy, "policy", "lru", "eviction when a --capacity is set: lru or fifo")
	f.StringVar(&opts.SizeChange, "size-change", "keep", "with --trace, a request for a cached object with another size: keep (a hit, as libCacheSim) or miss (a new version, as HTTP)")
	f.StringVar(&opts.Capacities, "capacity", "", "bytes per edge cache (e.g. 512MiB; default unbounded); with --trace a list: 1MiB,4MiB,1GiB")
	opts.inputFlags.add(f)
	f.StringVar(&opts.Shard, "shard", "", "replay only shard I of N (I/N, from 0/4 to 3/4): the cache keys whose hash falls in it; writes the shard's counts as JSON for --merge")
	f.BoolVar(&opts.Merge, "merge", false, "combine the files of all shards (arguments) into what one replay prints")
	f.StringVarP(&opts.Output, "output", "o", "", "with --shard, write the shard's file here (default: standard output)")
	f.Int64Var(&opts.ExactPercentiles, "exact-percentiles", replay.DefaultExactPercentiles, "the most misses of one route whose latency percentiles (expected p50/p95 at each TTL) are read exactly; above it, from a deterministic sample of about that many (-1: always exact)")
	f.StringVar(&opts.MemoryLimit, "memory-limit", "", "memory the replay may use (e.g. 1GiB; default a quarter of RAM): keys are replayed in as many passes over the store as their state needs, each exact (with --capacity, one pass)")
	return cmd
}

// parseBytes reads 1MiB, 4MB (also MiB, as libCacheSim counts), 512KiB, 1GiB, 1000.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}}
	up := strings.ToUpper(s)
	for _, u := range units {
		if strings.HasSuffix(up, u.suffix) {
			v, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-len(u.suffix)]), 64)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q (use 1MiB, 512KiB, 4GiB or bytes)", s)
	}
	return v, nil
}

func parseTTLs(list string) ([]time.Duration, error) {
	var ttls []time.Duration
	for _, s := range strings.Split(list, ",") {
		d, err := replay.ParseTTL(s)
		if err != nil {
			return nil, err
		}
		ttls = append(ttls, d)
	}
	return ttls, nil
}

func runReplay(ctx context.Context, opts *replayOptions) error {
	if opts.Trace != "" && !opts.ttlGiven {
		return runTrace(opts)
	}
	var capacity int64
	if opts.Capacities != "" {
		if strings.Contains(opts.Capacities, ",") {
			return errors.New("the store replay takes one --capacity (the size of each edge cache); several sizes at once are for --trace")
		}
		c, err := parseBytes(opts.Capacities)
		if err != nil {
			return err
		}
		capacity = c
	}
	if opts.Policy != "lru" && opts.Policy != "fifo" {
		return fmt.Errorf("--policy is lru or fifo, not %q", opts.Policy)
	}
	ttls, err := parseTTLs(opts.TTLs)
	if err != nil {
		return err
	}
	prof, err := replay.LookupProfile(opts.Edge, opts.ProfileFile)
	if err != nil {
		return err
	}
	so := replay.SweepOptions{TTLs: ttls, SWR: opts.SWR, SIE: opts.SIE, Profile: prof, Shield: opts.Shield, Capacity: capacity, FIFO: opts.Policy == "fifo"}
	if opts.SWR > 0 && prof.SWRNeedsBackgroundUpdate && !opts.Quiet {
		fmt.Fprintf(opts.io.ErrOut, "note: %s as it comes serves stale-while-revalidate only to requests that arrive while another one refreshes the entry (the request that finds it expired waits for the origin); with proxy_cache_background_update on (as cdnadvise edge writes it), give --profile-file with {\"stale_while_revalidate_needs_background_update\": false}\n", prof.Name)
	}
	if opts.Trace != "" {
		tr, err := replay.ReadTraceCSV(opts.Trace)
		if err != nil {
			return err
		}
		res := replay.Sweep(tr.Stream(), so)
		return writeReplay(opts, res, "trace", tr.Len(), prof, 1)
	}
	if opts.PopMode != "per-pop" && opts.PopMode != "shared" {
		return fmt.Errorf("--pop-mode is per-pop or shared, not %q", opts.PopMode)
	}
	limit, err := memoryLimit(opts.MemoryLimit)
	if err != nil {
		return err
	}
	var shard, shards int
	if opts.Shard != "" {
		if _, err := fmt.Sscanf(opts.Shard, "%d/%d", &shard, &shards); err != nil || shards < 1 || shard < 0 || shard >= shards ||
			opts.Shard != fmt.Sprintf("%d/%d", shard, shards) {
			return fmt.Errorf("--shard is I/N with 0 <= I < N (0/4, 1/4, 2/4, 3/4), not %q", opts.Shard)
		}
		if capacity > 0 {
			return replay.ErrCapacityShards
		}
	}
	// Shards read one store at once: read-only.
	st, err := opts.inputFlags.open(ctx, opts.globalOptions, opts.Shard != "")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := limitMemory(ctx, st, limit); err != nil {
		return err
	}
	lo := replay.LoadOptions{Host: opts.Host, Tier: opts.Tier, PerPoP: opts.PopMode == "per-pop", Key: replay.KeyPolicy(opts.Key), Sample: opts.Sample, SplitMethods: true,
		Shard: shard, Shards: shards, MemoryLimit: limit, ExactPercentiles: opts.ExactPercentiles, Logger: opts.logger(opts.io)}
	sc, err := opts.scopeFlags.resolve(ctx, st, opts.io.ErrOut)
	if err != nil {
		return err
	}
	defer sc.close()
	lo.Since, lo.Until, lo.Router = sc.since, sc.until, sc.router
	start := time.Now()
	var bar *progressbar.ProgressBar
	if opts.io.ErrTTY && !opts.Quiet && !opts.JSON {
		lo.Progress = func(done, total int) {
			if bar == nil {
				bar = progressbar.NewOptions(max(total, 1), progressbar.OptionSetWriter(opts.io.ErrOut),
					progressbar.OptionSetDescription("replaying"), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish())
			}
			bar.ChangeMax(max(total, 1))
			bar.Set(done)
		}
	}
	part, tier, err := replay.ReplayPartial(ctx, st, lo, so)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if opts.Shard != "" {
		return writeShard(opts, part, tier, prof, shard, shards, time.Since(start))
	}
	n := int(part.Requests)
	if n == 0 {
		fmt.Fprintln(opts.io.Out, "no requests to replay: ingest logs first, or widen --since/--until/--host")
		return nil
	}
	res := part.Result()
	opts.logger(opts.io).Debug("replay", "requests", n, "passes", part.Passes, "took", time.Since(start))
	scale := 1.0
	if opts.Sample > 0 && opts.Sample < 1 {
		scale = 1 / opts.Sample
	}
	return writeReplay(opts, res, tier, n, prof, scale)
}

// memoryLimit reads --memory-limit (empty: replay's default).
func memoryLimit(flag string) (int64, error) {
	if flag == "" {
		return replay.DefaultMemoryLimit(), nil
	}
	v, err := parseBytes(flag)
	if err != nil {
		return 0, fmt.Errorf("--memory-limit: %w", err)
	}
	return v, nil
}

// limitMemory shares limit between DuckDB's buffers and Go's heap (the
// replay's state and a tenth for what it allocates besides, see
// replay.StateShare): Go collects its garbage before the heap passes that,
// rather than when it has doubled.
func limitMemory(ctx context.Context, st *store.Store, limit int64) error {
	debug.SetMemoryLimit(limit * (replay.StateShare + 1) / 10)
	return st.LimitMemory(ctx, limit*replay.DuckDBShare/10)
}

// replaySettings are the settings of a replay that its shards must share
// and that the merge prints.
type replaySettings struct {
	TTLs       string        `json:"ttl"`
	SWR        time.Duration `json:"swr"`
	SIE        time.Duration `json:"sie"`
	Edge       string        `json:"edge"`
	PopMode    string        `json:"pop_mode"`
	Shield     bool          `json:"shield"`
	Key        string        `json:"key"`
	Sample     float64       `json:"sample"`
	Capacities string        `json:"capacity"`
	Policy     string        `json:"policy"`
	Since      string        `json:"since"`
	Until      string        `json:"until"`
	Host       string        `json:"host"`
	Tier       string        `json:"tier"`
	Src        string        `json:"src"`
}

func (opts *replayOptions) settings() replaySettings {
	return replaySettings{TTLs: opts.TTLs, SWR: opts.SWR, SIE: opts.SIE, Edge: opts.Edge, PopMode: opts.PopMode, Shield: opts.Shield, Key: opts.Key,
		Sample: opts.Sample, Capacities: opts.Capacities, Policy: opts.Policy, Since: opts.Since, Until: opts.Until, Host: opts.Host, Tier: opts.Tier, Src: opts.Src}
}

// writeShard writes a shard's counts (--shard) for --merge.
func writeShard(opts *replayOptions, part *replay.Partial, tier string, prof replay.Profile, shard, shards int, took time.Duration) error {
	settings, err := json.Marshal(opts.settings())
	if err != nil {
		return err
	}
	input := "store"
	if opts.Parquet != "" {
		input = "parquet"
	}
	f := replay.ShardFile{Format: replay.ShardFormat, Shard: shard, Shards: shards, Tier: tier, Input: input, Profile: prof, Settings: settings, Partial: part}
	if opts.Output == "" {
		if err := json.NewEncoder(opts.io.Out).Encode(f); err != nil {
			return fmt.Errorf("write shard: %w", err)
		}
		return nil
	}
	file, err := os.Create(opts.Output)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(file).Encode(f); err != nil {
		file.Close()
		return fmt.Errorf("write shard %s: %w", opts.Output, err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("write shard %s: %w", opts.Output, err)
	}
	if !opts.Quiet && opts.Output != "" {
		fmt.Fprintf(opts.io.ErrOut, "shard %d/%d: %d requests replayed in %d pass(es), %s; wrote %s\n", shard, shards, part.Requests, part.Passes, took.Round(time.Millisecond), opts.Output)
	}
	return nil
}

// runReplayMerge prints what one replay would from its shards' files.
func runReplayMerge(opts *replayOptions, paths []string) error {
	var files []*replay.ShardFile
	for _, p := range paths {
		f, err := replay.ReadShardFile(p)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	m, err := replay.MergeShards(files, paths)
	if err != nil {
		return err
	}
	var s replaySettings
	if err := json.Unmarshal(m.Settings, &s); err != nil {
		return fmt.Errorf("%s: settings: %w", paths[0], err)
	}
	opts.TTLs, opts.SWR, opts.SIE, opts.Edge, opts.PopMode, opts.Shield, opts.Key = s.TTLs, s.SWR, s.SIE, s.Edge, s.PopMode, s.Shield, s.Key
	opts.Sample, opts.Capacities, opts.Policy = s.Sample, s.Capacities, s.Policy
	if m.Partial.Requests == 0 {
		fmt.Fprintln(opts.io.Out, "no requests to replay: ingest logs first, or widen --since/--until/--host")
		return nil
	}
	scale := 1.0
	if s.Sample > 0 && s.Sample < 1 {
		scale = 1 / s.Sample
	}
	return writeReplay(opts, m.Partial.Result(), m.Tier, int(m.Partial.Requests), m.Profile, scale)
}

func writeReplay(opts *replayOptions, res *replay.SweepResult, tier string, n int, prof replay.Profile, scale float64) error {
	if opts.JSON {
		out := struct {
			Tier      string             `json:"tier"`
			Requests  int                `json:"requests_replayed"`
			Sample    float64            `json:"sample,omitempty"`
			Profile   replay.Profile     `json:"profile"`
			Key       string             `json:"key"`
			PopMode   string             `json:"pop_mode"`
			Shield    bool               `json:"shield"`
			Totals    []replay.Outcome   `json:"totals"`
			Endpoints [][]replay.Outcome `json:"endpoints"`
		}{tier, n, opts.Sample, prof, opts.Key, opts.PopMode, opts.Shield, res.Totals, res.Endpoints}
		return printJSON(opts.io.Out, out)
	}
	printReplay(opts.io.Out, res, tier, n, prof, opts, scale)
	return nil
}

func printReplay(w io.Writer, res *replay.SweepResult, tier string, n int, prof replay.Profile, opts *replayOptions, scale float64) {
	src := "the edge's arrivals"
	switch tier {
	case "origin":
		src = "the origin's arrivals, as if a CDN were in front"
	case "trace":
		src = "the trace, one cache"
	}
	fmt.Fprintf(w, "%d requests replayed (%s) over %.0f minutes; edge %s, %s caches, key %s", n, src, res.Minutes, prof.Name, opts.PopMode, opts.Key)
	if opts.Shield {
		fmt.Fprint(w, ", with a shield")
	}
	if opts.Capacities != "" {
		fmt.Fprintf(w, ", %s %s per cache", opts.Capacities, strings.ToUpper(opts.Policy))
	}
	if opts.SWR > 0 || opts.SIE > 0 {
		fmt.Fprintf(w, ", stale-while-revalidate %v, stale-if-error %v", opts.SWR, opts.SIE)
	}
	if scale != 1 {
		fmt.Fprintf(w, "; sampled %.2f%% of paths, counts scaled", 100/scale)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TTL\tHIT%\tBYTE HIT%\tORIGIN/min\tORIGIN BYTES\tSTALE%\tSTALE AGE p50/p95\tEXPECTED ms\t")
	for _, o := range res.Totals {
		age := "-"
		if o.StaleAgeP50 != nil {
			age = fmt.Sprintf("%s/%s", secs(*o.StaleAgeP50), secs(*o.StaleAgeP95))
		}
		exp := "-"
		if o.ExpectedMS != nil {
			exp = fmt.Sprintf("%.1f", *o.ExpectedMS)
		}
		fmt.Fprintf(tw, "%s\t%.1f%%\t%.1f%%\t%.1f\t%s\t%.2f%%\t%s\t%s\t\n", o.TTLText, 100*o.HitRatio, 100*o.ByteHitRatio, o.OriginPerMin*scale,
			bytesHuman(int64(float64(o.OriginBytes)*scale)), 100*o.StaleShare, age, exp)
	}
	tw.Flush()
	// Top endpoints by requests: hit ratio per TTL.
	eps := make([]int, len(res.Endpoints))
	for i := range eps {
		eps[i] = i
	}
	sort.Slice(eps, func(i, j int) bool { return res.Endpoints[eps[i]][0].Requests > res.Endpoints[eps[j]][0].Requests })
	if opts.Top > 0 && len(eps) > opts.Top {
		eps = eps[:opts.Top]
	}
	fmt.Fprintln(w, "\nhit ratio per endpoint and TTL:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"ENDPOINT", "REQS"}
	for _, o := range res.Totals {
		head = append(head, o.TTLText)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, e := range eps {
		row := res.Endpoints[e]
		cells := []string{row[0].Endpoint, fmt.Sprint(int64(float64(row[0].Requests) * scale))}
		for _, o := range row {
			cells = append(cells, fmt.Sprintf("%.0f%%", 100*o.HitRatio))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	tw.Flush()
}

func secs(v float64) string {
	switch {
	case v >= 3600:
		return fmt.Sprintf("%.1fh", v/3600)
	case v >= 60:
		return fmt.Sprintf("%.1fm", v/60)
	}
	return fmt.Sprintf("%.1fs", v)
}

func runTrace(opts *replayOptions) error {
	if opts.Capacities == "" {
		return errors.New("--trace needs --capacity (e.g. 1MiB,4MiB,16MiB)")
	}
	var caps []int64
	for _, c := range strings.Split(opts.Capacities, ",") {
		v, err := parseBytes(c)
		if err != nil {
			return err
		}
		caps = append(caps, v)
	}
	tr, err := replay.ReadTraceCSV(opts.Trace)
	if err != nil {
		return err
	}
	if opts.Policy != "lru" && opts.Policy != "fifo" {
		return fmt.Errorf("--policy is lru or fifo, not %q", opts.Policy)
	}
	sc := replay.SizeKeep
	switch opts.SizeChange {
	case "keep":
	case "miss":
		sc = replay.SizeMiss
	default:
		return fmt.Errorf("--size-change is keep or miss, not %q", opts.SizeChange)
	}
	res := replay.SimulateMany(tr, opts.Policy, caps, sc)
	if opts.JSON {
		return printJSON(opts.io.Out, res)
	}
	fmt.Fprintf(opts.io.Out, "%d requests, %d objects\n", tr.Len(), tr.Objects)
	tw := tabwriter.NewWriter(opts.io.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "POLICY\tCAPACITY\tMISSES\tMISS RATIO\tBYTE MISS RATIO\t")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t\n", r.Policy, bytesHuman(r.CapacityBytes), r.Misses, r.MissRatio, r.ByteMissRatio)
	}
	return tw.Flush()
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/pipeline"
)

type runOptions struct {
	*globalOptions
	io *streams
	adviseFlags
	logFlags
	Logs []string
	Out  string
}

func newRunCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &runOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "run LOGS... [--src DIR] [--out DIR]",
		Short: "Ingest, analyze, replay, advise and report in one go",
		Long: `Run the whole job: ingest the logs (files, folders, globs), analyze them, replay
the traffic through the cache model, recommend a TTL and Cache-Control per route (or
inferred endpoint), and write into --out: the store (cdnadvise.duckdb, unless --db),
report.html, advice.json, with --src the patch for the project (cache.patch), and with
--edge the edge's configuration (edge-NAME.vcl, .conf, .json, .tf: see cdnadvise edge).
Prints the top findings and where everything is. The advice takes the flags of
cdnadvise advise (--edge, --target, --max-stale, --policy, --pop-mode, --key,
--replace) and is the same advice; the logs are read with the flags of cdnadvise
ingest (--tier, --format, --nginx-format, --apache-format, --log-format, --json-map,
--max-reject-ratio, --keep-client, --workers; --memory-limit bounds both).`,
		Example: `  cdnadvise run examples/logs/
  cdnadvise run cdn-logs/ app-logs/ --src ./myapp --edge cloudfront --out out/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Logs = args
			return runRun(cmd.Context(), opts)
		},
	}
	opts.adviseFlags.flags(cmd)
	opts.logFlags.add(cmd.Flags())
	cmd.Flags().StringVar(&opts.Out, "out", "cdnadvise-out", "folder for the store, report.html, advice.json and cache.patch")
	return cmd
}

func runRun(ctx context.Context, opts *runOptions) error {
	// The advice's settings (and --src's routes) are read first: a bad flag
	// fails before the ingest.
	opts.logFlags.MemoryLimit = opts.adviseFlags.MemoryLimit // one --memory-limit for both
	iopts, err := opts.logFlags.readOptions(opts.Logs)
	if err != nil {
		return err
	}
	ao, err := opts.options(ctx, opts.io.ErrOut)
	if err != nil {
		return err
	}
	if ao.Routes != nil {
		defer ao.Routes.Close()
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return err
	}
	dbPath := opts.DB
	if dbPath == "" && os.Getenv("CDNADVISE_DB") == "" {
		dbPath = filepath.Join(opts.Out, "cdnadvise.duckdb")
	}
	st, err := store.Open(ctx, store.PathFromEnv(dbPath))
	if err != nil {
		return err
	}
	defer st.Close()
	w := opts.io.Out
	start := time.Now()
	iopts.Stdin, iopts.Logger = opts.io.In, opts.logger(opts.io)
	info := opts.adviseFlags.runInfo(ctx, "run")
	res, err := pipeline.Run(ctx, st, pipeline.Job{
		Ingest: &iopts,
		AfterIngest: func(sum *ingest.Summary, err error) {
			fmt.Fprintf(w, "ingested %d files: %d rows, %d rejected, %d lines already in the store (%s)\n", len(sum.Files), sum.Rows, sum.Rejected, sum.Skipped, st.Path)
			for _, f := range sum.Files {
				if f.Status == "failed" {
					fmt.Fprintf(w, "  %s: %s\n", f.Path, f.Error)
				}
				for _, n := range f.Notes {
					fmt.Fprintf(w, "  %s: %s\n", f.Path, n)
				}
			}
			if err != nil {
				fmt.Fprintln(w, "  (the other files were ingested; continuing)")
			}
		},
		Advise: ao, Src: opts.Src, Report: &pipeline.ReportOptions{}, Record: &info,
	})
	if err != nil {
		return err
	}
	d := res.Data
	if d.Analysis.Mode == "empty" {
		fmt.Fprintln(w, "no requests to analyze")
		return nil
	}
	t := d.Analysis.Totals
	fmt.Fprintf(w, "\n%s logs, %d edge and %d origin requests\n", d.Analysis.Mode, t.EdgeRequests, t.OriginRequests)
	if t.HitRatio != nil {
		fmt.Fprintf(w, "hit ratio today %s (bytes %s), origin offload %s\n", pct(t.HitRatio), pct(t.ByteHitRatio), pct(t.Offload))
	}
	fmt.Fprintf(w, "%d requests reached the origin although a shared cache could have answered them\n", t.Saveable)
	if d.Advice != nil {
		fmt.Fprintln(w)
		printSummary(w, d.Summary)
		// The busiest routes kept out of shared caches, and why in a word.
		for _, g := range d.Summary.Groups {
			if g.Name != advisor.GroupNotCacheable && g.Name != advisor.GroupUnverified || len(g.Recs) == 0 {
				continue
			}
			recs := append(g.Recs[:0:0], g.Recs...)
			sort.SliceStable(recs, func(i, j int) bool { return recs[i].Requests > recs[j].Requests })
			fmt.Fprintf(w, "%s, the busiest:\n", g.Name)
			for i, r := range recs {
				if i == 4 {
					fmt.Fprintf(w, "  (%d more in the report)\n", len(recs)-4)
					break
				}
				fmt.Fprintf(w, "  %-36s %-12s %s\n", r.Method+" "+r.Endpoint, r.Class, dash(r.CacheControl))
			}
		}
		fmt.Fprintf(w, "\nrecorded as advice run %d: after deploying, ingest the new logs and run cdnadvise verify\n", d.Advice.RunID)
		if err := writeJSON(filepath.Join(opts.Out, "advice.json"), d.Advice); err != nil {
			return err
		}
	}
	report := filepath.Join(opts.Out, "report.html")
	if err := charts.WriteFile(report, d); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nreport: %s\nadvice: %s\n", report, filepath.Join(opts.Out, "advice.json"))
	if d.Patch != nil && d.Patch.Diff != "" {
		p := filepath.Join(opts.Out, "cache.patch")
		if err := os.WriteFile(p, []byte(d.Patch.Diff), 0o644); err != nil {
			return err
		}
		abs, _ := filepath.Abs(p)
		fmt.Fprintf(w, "patch:  %s (git -C %s apply %s)\n", p, opts.Src, abs)
	}
	if ew, err := edge.Lookup(opts.Edge); err == nil && d.Advice != nil {
		files, err := edgeArtifacts(ew, edgeConfig(d.Advice, opts.adviseFlags, "", "", "", ""), filepath.Join(opts.Out, "edge-"+opts.Edge+ew.Files()[0]))
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := os.WriteFile(f.path, f.body, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(w, "edge:   %s (the %s configuration the advice needs; cdnadvise edge --help)\n", f.path, opts.Edge)
		}
	}
	fmt.Fprintf(w, "done in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/pipeline"
	"github.com/cdnadvise/cdnadvise/runs"
	"github.com/cdnadvise/cdnadvise/verify"
)

// versionString is the module version and VCS commit from the Go build
// info ("(devel)" for a plain go build of a checkout, with its commit).
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified, when string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "-dirty"
			}
		case "vcs.time":
			when = s.Value
		}
	}
	if rev != "" {
		v += " commit " + rev + modified
		if when != "" {
			v += " (" + when + ")"
		}
	}
	return v + ", " + bi.GoVersion
}

type verifyOptions struct {
	*globalOptions
	io        *streams
	Run       int64
	Advice    string
	Since     string
	Tolerance float64
	JSON      bool
}

func newVerifyCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &verifyOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "verify [--run ID | --advice FILE] [--since T]",
		Short: "Compare the traffic after the change with what the advice predicted",
		Long: `After the patch (and the edge configuration) is deployed and the new logs are
ingested, compare per route what happened with what the advice predicted: requests
before and after, hit ratio before -> predicted -> after, origin requests per minute
before -> predicted -> after, edge latency p50/p95 before -> after, whether the logs
show the recommended Cache-Control (where the format logs it), and a verdict:

  as predicted   the hit ratio after is within 3 points of the prediction
  better         above it
  worse          below it
  not deployed   the logs show another Cache-Control, or (where they do not log it)
                 the hit ratio did not move while the advice predicted it would
  no traffic     no request for the route after the change

The advice is the latest run recorded in the store (every advise, patch and run
records what it predicted; cdnadvise advice list shows them), --run ID, or --advice
FILE (the advice.json that run writes, or advise --json's output). "Before" is the
traffic the advice was drawn from; "after" starts at --since, by default at the first
request after it that carries a recommended Cache-Control, else at the time of the
advice run when traffic was logged after it, else where the advice's traffic ends.

The exit code is 1 when a deployed route lands below its prediction by more than
--tolerance points, so that verify can gate a CI job.`,
		Example: `  cdnadvise ingest new-logs/ && cdnadvise verify
  cdnadvise verify --run 3 --since 2026-11-30T09:00:00Z --json
  cdnadvise verify --advice cdnadvise-out/advice.json --tolerance 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runVerify(cmd.Context(), opts) },
	}
	f := cmd.Flags()
	f.Int64Var(&opts.Run, "run", 0, "the recorded advice run to verify (default: the latest)")
	f.StringVar(&opts.Advice, "advice", "", "an advice file (advice.json, or advise --json) instead of a recorded run")
	f.StringVar(&opts.Since, "since", "", "start of the after period (RFC 3339, or a date)")
	f.Float64Var(&opts.Tolerance, "tolerance", 5, "points of hit ratio a deployed route may fall below its prediction before the exit code is 1")
	f.BoolVar(&opts.JSON, "json", false, "print as JSON: run_id and run_is (which run, and why), the before and after periods, verdicts (the count of each) and rows")
	return cmd
}

func runVerify(ctx context.Context, opts *verifyOptions) error {
	if opts.Run != 0 && opts.Advice != "" {
		return errors.New("--run and --advice are two ways to say which advice: give one")
	}
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := pipeline.Verify(ctx, st, pipeline.VerifyOptions{AdviceFile: opts.Advice, Run: opts.Run, Since: opts.Since,
		Verify: verify.Options{Tolerance: opts.Tolerance / 100}})
	if err != nil {
		return err
	}
	if opts.JSON {
		// The whole result: which run and why, the periods, the verdict
		// counts (the text's summary line) and the rows.
		if err := printJSON(opts.io.Out, res); err != nil {
			return err
		}
	} else {
		printVerify(opts, res)
	}
	if res.Failed > 0 {
		if !opts.JSON {
			fmt.Fprintf(opts.io.ErrOut, "%d route(s) failed (%s; worse: below the prediction by more than %.0f points)\n", res.Failed, verdictSummary(res), opts.Tolerance)
		}
		return errSilent
	}
	return nil
}

func printVerify(opts *verifyOptions, res *verify.Result) {
	w := opts.io.Out
	run := res.RunWhy
	if res.RunID > 0 {
		run = fmt.Sprintf("advice run %d (%s)", res.RunID, res.RunWhy)
	}
	fmt.Fprintf(w, "%s; before %s to %s, after %s to %s (%s); %s logs\n", run, res.BeforeFrom.Format(time.RFC3339), res.BeforeTo.Format(time.RFC3339),
		res.Since.Format(time.RFC3339), res.AfterTo.Format(time.RFC3339), res.SinceWhy, res.Tier)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTE\tREQS BEFORE→AFTER\tHIT% BEFORE→PREDICTED→AFTER\tORIGIN REQUESTS BEFORE→PREDICTED→AFTER\tp50/p95 ms BEFORE→AFTER\tHEADER\tVERDICT")
	for _, r := range res.Rows {
		header := "not logged"
		if r.HeaderLogged && r.HeaderShare != nil {
			header = fmt.Sprintf("%.0f%% recommended", 100**r.HeaderShare)
		}
		fmt.Fprintf(tw, "%s %s\t%d→%d\t%s→%s→%s\t%s\t%s/%s→%s/%s\t%s\t%s\n", r.Method, r.Route, r.RequestsBefore, r.RequestsAfter,
			pct(r.HitRatioBefore), pct(r.HitRatioPredicted), pct(r.HitRatioAfter),
			analyze.Rates(r.OriginPerMinBefore, r.OriginPerMinPredicted, r.OriginPerMinAfter),
			num(r.LatencyP50Before), num(r.LatencyP95Before), num(r.LatencyP50After), num(r.LatencyP95After), header, r.Verdict)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nwhy:")
	for _, r := range res.Rows {
		fmt.Fprintf(w, "  %s %s: %s\n", r.Method, r.Route, r.Why)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	fmt.Fprintln(w, verdictSummary(res))
}

// verdictSummary is one line of verdict counts, the alarming ones first.
func verdictSummary(res *verify.Result) string {
	order := []string{verify.PossibleLeak, verify.Broke, verify.Worse, verify.NotDeployed, verify.AsPredicted, verify.Better, verify.NoPrediction, verify.NoTrafficAfter}
	var parts []string
	for _, v := range order {
		if n := res.Verdicts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	if len(parts) == 0 {
		return "verdicts: none (no route to check)"
	}
	return "verdicts: " + strings.Join(parts, ", ")
}

// num formats an optional number with one decimal.
func num(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}

type adviceOptions struct {
	*globalOptions
	io   *streams
	JSON bool
}

func newAdviceCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &adviceOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "advice",
		Short: "The advice runs recorded in the store",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the recorded advice runs (what each advise, patch and run predicted)",
		Long: `List the advice runs recorded in the store, newest first: run id, time, command,
whether it is known to be applied, settings (edge profile, target, key, max-stale), the
source and its git commit, the traffic the advice was drawn from and how many route rows
it has. verify --run ID compares one of them with the traffic after the change.

APPLIED says how a run is known to be the one deployed:
  in source      the views of its source send its headers now, through the code
                 cdnadvise patch wrote (the newest such run of each source)
  verify --run   verify was pointed at it
verify without --run compares the newest applied run, else the latest recorded.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAdviceList(cmd.Context(), opts) },
	}
	list.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	cmd.AddCommand(list)
	return cmd
}

func runAdviceList(ctx context.Context, opts *adviceOptions) error {
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()
	recorded, err := pipeline.AppliedRuns(ctx, st)
	if err != nil {
		return err
	}
	if opts.JSON {
		if recorded == nil {
			recorded = []runs.RecordedRun{}
		}
		return printJSON(opts.io.Out, recorded)
	}
	if len(recorded) == 0 {
		fmt.Fprintln(opts.io.Out, "no advice recorded yet: advise, patch and run record what they predict")
		return nil
	}
	tw := tabwriter.NewWriter(opts.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCREATED\tCOMMAND\tAPPLIED\tROUTES\tDATA\tSETTINGS\tSOURCE")
	for _, r := range recorded {
		data := "-"
		if r.DataFrom != nil && r.DataTo != nil {
			data = r.DataFrom.Format(time.RFC3339) + " to " + r.DataTo.Format(time.RFC3339)
		}
		var set []string
		for _, k := range []string{"edge", "target", "key", "max_stale", "pop_mode", "policy", "replace"} {
			if v, ok := r.Settings[k]; ok {
				set = append(set, k+"="+v)
			}
		}
		src := dash(r.Src)
		if r.SrcCommit != "" {
			src += " @" + r.SrcCommit
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.CreatedAt.Format(time.RFC3339), r.Command, dash(r.Applied), r.Routes, data, strings.Join(set, " "), src)
	}
	return tw.Flush()
}

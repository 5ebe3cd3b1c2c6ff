package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/pipeline"
)

type reportOptions struct {
	*globalOptions
	io *streams
	adviseFlags
	Out   string
	Title string
	Top   int
}

func newReportCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &reportOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "report -o report.html",
		Short: "Draw the analysis, what-if curves, advice and patches as one HTML file",
		Long: `Write one self-contained HTML file: headline figures, requests over time by cache
status with the hit ratio, the endpoints where caching would save most origin requests,
hit ratio per endpoint against 70%, latency for hits and misses, hit ratio per PoP, the
what-if curves (hit ratio and staleness against TTL, recommended TTL marked), the
recommendations with their evidence and, with --src, each route's patch. Tables sort
and filter; all endpoints are in a paged table. The charts' JavaScript is inside the
file: it opens without a network, and everything taken from logs is escaped. The
advice takes the flags of cdnadvise advise and is the same advice.`,
		Example: `  cdnadvise report -o report.html
  cdnadvise report --src ./myapp --edge cloudfront -o report.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runReport(cmd.Context(), opts) },
	}
	opts.adviseFlags.flags(cmd)
	f := cmd.Flags()
	f.StringVarP(&opts.Out, "output", "o", "report.html", "the HTML file to write")
	f.StringVar(&opts.Title, "title", "", "the report's title")
	f.IntVar(&opts.Top, "top", 15, "endpoints in the charts")
	return cmd
}

func runReport(ctx context.Context, opts *reportOptions) error {
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()
	ao, err := opts.options(ctx, opts.io.ErrOut)
	if err != nil {
		return err
	}
	if ao.Routes != nil {
		defer ao.Routes.Close()
	}
	res, err := pipeline.Run(ctx, st, pipeline.Job{Advise: ao, Src: opts.Src, Report: &pipeline.ReportOptions{TopN: opts.Top, Title: opts.Title}})
	if err != nil {
		return err
	}
	d := res.Data
	if err := charts.WriteFile(opts.Out, d); err != nil {
		return err
	}
	if !opts.Quiet {
		fmt.Fprintf(opts.io.ErrOut, "report written to %s\n", opts.Out)
	}
	return nil
}

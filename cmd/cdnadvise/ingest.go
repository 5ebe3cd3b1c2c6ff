package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

type ingestOptions struct {
	*globalOptions
	io *streams

	Inputs []ingest.Input
	logFlags
	JSON bool
}

// logFlags say how logs are read: the same for ingest and run.
type logFlags struct {
	tiers          *tierMarks
	Format         string
	NginxFormat    string
	ApacheFormat   string
	LogFormat      string
	JSONMap        string
	MaxRejectRatio float64
	KeepClient     bool
	Workers        int
	MemoryLimit    string
}

// add registers the flags (and --tier, which applies to the inputs after it).
func (l *logFlags) add(f *pflag.FlagSet) {
	l.tiers = &tierMarks{flags: f}
	f.Var(l.tiers, "tier", "tier of the inputs that follow: edge (CDN/cache) or origin (app); default: the format's own")
	f.StringVar(&l.Format, "format", "", "force a format instead of detecting it: "+ingest.FormatNames())
	f.StringVar(&l.NginxFormat, "nginx-format", "", "read with this nginx log_format (the directive or its string, verbatim)")
	f.StringVar(&l.ApacheFormat, "apache-format", "", "read with this Apache LogFormat string (also varnishncsa -F)")
	f.StringVar(&l.LogFormat, "log-format", "", "read with this layout, nginx ($var), Apache (%x) or gunicorn (%(x)s) syntax")
	f.StringVar(&l.JSONMap, "json-map", "", "read JSON lines with these keys, e.g. ts=time,path=uri,status=status,cache=cache_status (see 'cdnadvise formats')")
	f.Float64Var(&l.MaxRejectRatio, "max-reject-ratio", 0.05, "fail a file when more than this share of its request lines does not parse")
	f.BoolVar(&l.KeepClient, "keep-client", false, "store client addresses as logged (default: a keyed hash per store)")
	f.IntVar(&l.Workers, "workers", 0, "parsing goroutines (default: number of CPUs)")
	if f.Lookup("memory-limit") == nil { // run's serves the replays too
		f.StringVar(&l.MemoryLimit, "memory-limit", "512MiB", "memory the ingest aims to stay under: DuckDB's buffers get an eighth, Go's heap 40%, the in-memory part of each large dictionary an eighth (past it, DuckDB tells values apart at the end)")
	}
}

// readOptions are the ingest options for the paths given (each with the tier
// of the --tier before it), and the memory limit; Go's heap limit is set.
func (l *logFlags) readOptions(paths []string) (ingest.Options, error) {
	custom := 0
	layout := ""
	for _, s := range []string{l.NginxFormat, l.ApacheFormat, l.LogFormat} {
		if s != "" {
			custom++
			layout = s
		}
	}
	if custom > 1 {
		return ingest.Options{}, errors.New("give only one of --nginx-format, --apache-format and --log-format")
	}
	ml := l.MemoryLimit
	if ml == "" {
		ml = "512MiB"
	}
	limit, err := parseBytes(ml)
	if err != nil || limit <= 0 {
		return ingest.Options{}, fmt.Errorf("--memory-limit %q: a size such as 512MiB or 2GiB", ml)
	}
	// Go collects its garbage before its heap passes 40% of the limit
	// rather than when it has doubled, and DuckDB gets an eighth (measured
	// on 10 M realistic lines: peak 585 MiB with neither, 465-536 MiB with
	// the heap limit and DuckDB at 128 MiB, 412 MiB and 15% faster with
	// DuckDB at 64 MiB).
	debug.SetMemoryLimit(limit * 4 / 10)
	o := ingest.Options{
		Format: l.Format, LogFormat: layout, JSONMap: l.JSONMap,
		MaxRejectRatio: l.MaxRejectRatio, KeepClient: l.KeepClient, Workers: l.Workers,
		// A dictionary's table: 16-byte slots, at most 3/4 full, a power of
		// two: up to 32 bytes a value.
		DuckDBMemory: limit / 8, DictLimit: int(max(limit/8/32, 1024)),
	}
	for i, p := range paths {
		o.Inputs = append(o.Inputs, ingest.Input{Path: p, Tier: l.tiers.tierFor(i)})
	}
	return o, nil
}

// tierMarks records where each --tier flag appeared among the positional
// arguments, so that `--tier edge a/ --tier origin b/` applies per input.
type tierMarks struct {
	flags *pflag.FlagSet
	marks []tierMark
}

type tierMark struct {
	tier  ingest.Tier
	after int // applies to positional arguments from this index on
}

func (t *tierMarks) String() string {
	if len(t.marks) == 0 {
		return ""
	}
	return string(t.marks[len(t.marks)-1].tier)
}
func (t *tierMarks) Type() string { return "edge|origin" }
func (t *tierMarks) Set(v string) error {
	switch ingest.Tier(v) {
	case ingest.TierEdge, ingest.TierOrigin, "":
	default:
		return fmt.Errorf("tier must be edge or origin, not %q", v)
	}
	t.marks = append(t.marks, tierMark{tier: ingest.Tier(v), after: len(t.flags.Args())})
	return nil
}

func (t *tierMarks) tierFor(i int) ingest.Tier {
	var tier ingest.Tier
	for _, m := range t.marks {
		if m.after <= i {
			tier = m.tier
		}
	}
	return tier
}

func newIngestCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &ingestOptions{globalOptions: g, io: io}
	var paths []string
	cmd := &cobra.Command{
		Use:   "ingest [flags] PATH...",
		Short: "Read access logs into the store",
		Long: `Read edge and origin access logs into the store.

PATH is a file, a folder (read recursively, hidden files skipped), a glob, or -
for standard input. Files may be gzip or zstd compressed (told by content, not
name). The format is detected per file from its first lines (see
'cdnadvise formats'); --format forces one, and --nginx-format, --apache-format,
--log-format and --json-map describe custom layouts.

Re-running is safe: a file already read is skipped, lines appended since the
last run are added, and a rotated file (renamed, then compressed) adds only
what it has beyond what was read. Each file is committed with its manifest row
in one transaction; an interrupted run leaves the store consistent.

Lines that do not parse are counted and sampled in the 'rejects' table; a file
with more than --max-reject-ratio of them is not stored and the run fails.`,
		Example: `  cdnadvise ingest logs/
  cdnadvise ingest --tier edge cdn-logs/ --tier origin app-logs/
  cdnadvise ingest --nginx-format '$remote_addr - [$time_local] "$request" $status $body_bytes_sent $request_time $upstream_cache_status' access.log
  zcat access.log.gz | cdnadvise ingest -
  cdnadvise ingest --json logs/ | jq '.rows'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			paths = args
			return runIngest(cmd.Context(), opts, paths)
		},
	}
	f := cmd.Flags()
	opts.logFlags.add(f)
	f.BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	return cmd
}

func runIngest(ctx context.Context, opts *ingestOptions, paths []string) error {
	iopts, err := opts.logFlags.readOptions(paths)
	if err != nil {
		return err
	}
	opts.Inputs = iopts.Inputs
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()

	var bar *progressbar.ProgressBar
	start := time.Now()
	iopts.Stdin, iopts.Logger = opts.io.In, opts.logger(opts.io)
	if opts.io.ErrTTY && !opts.Quiet && !opts.JSON {
		iopts.Progress = func(p ingest.Progress) {
			if bar == nil {
				bar = progressbar.NewOptions64(max(p.BytesTotal, 1),
					progressbar.OptionSetWriter(opts.io.ErrOut), progressbar.OptionShowBytes(true),
					progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30),
					progressbar.OptionClearOnFinish())
			}
			secs := max(time.Since(start).Seconds(), 1e-3)
			bar.Describe(fmt.Sprintf("%s lines (%s/s)", human(p.Lines), human(int64(float64(p.Lines)/secs))))
			bar.Set64(p.BytesDone)
		}
	}
	sum, err := ingest.Run(ctx, st, iopts)
	if bar != nil {
		bar.Finish()
	}
	if sum == nil {
		return err
	}
	if opts.JSON {
		if e := printJSON(opts.io.Out, sum); e != nil {
			return e
		}
	} else if !opts.Quiet || err != nil {
		printIngestSummary(opts.io, sum, st.Path, time.Since(start))
	}
	if err != nil {
		if opts.JSON || !opts.Quiet {
			// The summary already says which files failed and why.
			fmt.Fprintln(opts.io.ErrOut, "error:", err)
			return errSilent
		}
		return err
	}
	return nil
}

func printIngestSummary(io *streams, sum *ingest.Summary, dbPath string, took time.Duration) {
	w := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "LINES\tROWS\tREJECTED\tSKIPPED\t\tSTATUS\tFORMAT\tTIER\tFILE\t")
	for _, f := range sum.Files {
		fmt.Fprintf(w, "%d\t%d\t%d\t%d\t\t%s\t%s\t%s\t%s\t\n", f.Lines, f.Rows, f.Rejected, f.Skipped, f.Status, dash(f.Format), dash(f.Tier), f.Path)
	}
	w.Flush()
	for _, f := range sum.Files {
		var lines []string
		if f.Error != "" {
			lines = append(lines, "error: "+f.Error)
		}
		for _, n := range f.Notes {
			lines = append(lines, "note: "+n)
		}
		if f.Layout != "" && f.Status != "seen" && len(f.Layouts) <= 1 {
			lines = append(lines, "how it was read: "+f.Layout)
		}
		if len(f.Layouts) > 1 {
			for _, l := range f.Layouts {
				lines = append(lines, fmt.Sprintf("%d rows read as %s", l.Rows, l.Layout))
			}
		}
		if f.NonAccess > 0 {
			lines = append(lines, fmt.Sprintf("%d lines of console output that are not access lines (banners, warnings, tracebacks, the app's prints) skipped", f.NonAccess))
		}
		for i, r := range f.Rejects {
			if i == 3 {
				lines = append(lines, fmt.Sprintf("... %d more rejected lines (see: cdnadvise sql \"SELECT * FROM rejects\")", f.Rejected-3))
				break
			}
			lines = append(lines, fmt.Sprintf("rejected line %d: %s: %s", r.Line, r.Reason, clip(r.Text, 120)))
		}
		if len(lines) > 0 {
			fmt.Fprintf(io.Out, "\n%s\n  %s\n", f.Path, strings.Join(lines, "\n  "))
		}
	}
	rate := 0.0
	if sum.Rows+sum.Rejected > 0 {
		rate = 100 * float64(sum.Rejected) / float64(sum.Rows+sum.Rejected)
	}
	fmt.Fprintf(io.Out, "\n%d files, %d lines read, %d rows stored, %d rejected (%.2f%%), %d lines skipped as already ingested; %s in %s (%s lines/s)\n",
		len(sum.Files), sum.Lines, sum.Rows, sum.Rejected, rate, sum.Skipped, dbPath, took.Round(time.Millisecond),
		human(int64(float64(sum.Lines)/max(took.Seconds(), 1e-3))))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// human formats a count with k/M suffixes.
func human(n int64) string {
	switch {
	case n >= 10_000_000:
		return fmt.Sprintf("%.0fM", float64(n)/1e6)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

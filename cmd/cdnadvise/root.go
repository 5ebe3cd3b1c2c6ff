package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// streams are the command's standard streams, injected so that tests can run
// commands against buffers.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// ErrTTY says whether ErrOut is a terminal (progress bars are drawn only then).
	ErrTTY bool
}

func defaultStreams() *streams {
	return &streams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, ErrTTY: term.IsTerminal(int(os.Stderr.Fd()))}
}

// errSilent is returned when the command already printed why it failed.
var errSilent = errors.New("failed")

// globalOptions are the flags every command shares.
type globalOptions struct {
	DB         string
	Quiet      bool
	Verbose    bool
	CPUProfile string
}

func (g *globalOptions) logger(io *streams) *slog.Logger {
	level := slog.LevelWarn
	if g.Verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(io.ErrOut, &slog.HandlerOptions{Level: level}))
}

// inputFlags say where a command reads the requests: the store (--db) or a
// Parquet export (--parquet DIR).
type inputFlags struct {
	Parquet string
}

func (i *inputFlags) add(f *pflag.FlagSet) {
	f.StringVar(&i.Parquet, "parquet", "", "read the requests from this Parquet folder (cdnadvise export --parquet, or the same layout written by another engine) instead of the store")
}

// open opens the input: the Parquet folder, or the store (read-only: other
// processes may read it at the same time, nothing is written).
func (i *inputFlags) open(ctx context.Context, g *globalOptions, readOnly bool) (*store.Store, error) {
	if i.Parquet != "" {
		if g.DB != "" {
			return nil, errors.New("give --db or --parquet, not both: they are two inputs")
		}
		return store.OpenParquet(ctx, i.Parquet)
	}
	if readOnly {
		return store.OpenReadOnly(ctx, store.PathFromEnv(g.DB))
	}
	return store.Open(ctx, store.PathFromEnv(g.DB))
}

func newRootCmd(io *streams) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "cdnadvise",
		Short: "Turn access logs into cache tuning you can ship",
		Long: `cdnadvise reads the access logs of a site behind a CDN or cache (CloudFront,
Cloudflare, Fastly, Akamai, nginx, Varnish, ALB) and of its origin (nginx,
Apache, gunicorn, uvicorn, Django) into an embedded DuckDB store, and answers
with evidence from that traffic: hit ratios, origin offload and latency per
endpoint, and what other TTLs and Cache-Control headers would do.

The store is ./cdnadvise.duckdb unless --db FILE or $CDNADVISE_DB says otherwise.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.DB, "db", "", "store file (default $CDNADVISE_DB or ./cdnadvise.duckdb)")
	root.PersistentFlags().BoolVarP(&g.Quiet, "quiet", "q", false, "no progress bar and no summary (errors are still printed)")
	root.PersistentFlags().BoolVarP(&g.Verbose, "verbose", "v", false, "print diagnostics")
	root.PersistentFlags().StringVar(&g.CPUProfile, "cpuprofile", "", "write a Go CPU profile to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	var prof *os.File
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if g.CPUProfile == "" {
			return nil
		}
		f, err := os.Create(g.CPUProfile)
		if err != nil {
			return err
		}
		prof = f
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.Version = versionString()
	root.SetVersionTemplate("cdnadvise {{.Version}}\n")
	root.AddCommand(newIngestCmd(g, io), newFormatsCmd(io), newSQLCmd(g, io), newAnalyzeCmd(g, io), newReplayCmd(g, io), newRoutesCmd(io), newAdviseCmd(g, io), newPatchCmd(g, io), newReportCmd(g, io), newRunCmd(g, io), newEdgeCmd(g, io),
		newVerifyCmd(g, io), newAdviceCmd(g, io), newExportCmd(g, io))
	return root
}

// printJSON writes v to w as indented JSON (the --json output of every
// command).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

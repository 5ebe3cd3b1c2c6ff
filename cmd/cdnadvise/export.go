package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

type exportOptions struct {
	*globalOptions
	io      *streams
	Parquet string
	JSON    bool
}

func newExportCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &exportOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "export --parquet DIR",
		Short: "Write the requests as Hive-partitioned Parquet that other engines read",
		Long: `Write every request of the store, strings resolved, as Parquet files partitioned
by day and tier: DIR/date=YYYY-MM-DD/tier=edge/*.parquet (date=unknown for rows without a
time), ZSTD-compressed. Spark, Trino, ClickHouse, Athena and DuckDB read the folder as one
table with date and tier as columns (hive partitioning), so a team whose logs outgrow one
machine can run the heavy aggregation where it already runs.

Columns: ts (timestamp with time zone, UTC), format, file_id, pop, request_id, method,
host, path, query, status, bytes, cache_status, cache_status_raw, duration_ms, ttfb_ms,
origin_ms, cache_control, content_type, etag, set_cookie, has_auth, user_agent, referer,
client (pseudonymized unless ingested with --keep-client), has_cookie, cookie_names, vary,
accept_language, accept; and the partition columns date and tier. DIR must be new or
empty.`,
		Example: `  cdnadvise export --parquet out/requests
  duckdb -c "SELECT tier, count(*) FROM read_parquet('out/requests/**/*.parquet', hive_partitioning=true) GROUP BY ALL"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runExport(cmd.Context(), opts) },
	}
	cmd.Flags().StringVar(&opts.Parquet, "parquet", "", "folder to write the Parquet files into (required)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print what was written as JSON")
	cmd.MarkFlagRequired("parquet")
	return cmd
}

func runExport(ctx context.Context, opts *exportOptions) error {
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := store.ExportParquet(ctx, st, opts.Parquet)
	if err != nil {
		return err
	}
	if opts.JSON {
		return printJSON(opts.io.Out, res)
	}
	fmt.Fprintf(opts.io.Out, "%d rows in %d Parquet files, %d partitions (date, tier) under %s\n", res.Rows, res.Files, res.Partitions, res.Dir)
	return nil
}

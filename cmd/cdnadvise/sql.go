package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

type sqlOptions struct {
	*globalOptions
	io    *streams
	Query string
	JSON  bool
}

func newSQLCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &sqlOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "sql QUERY",
		Short: "Run SQL on the store (table or --json output)",
		Long: `Run SQL on the store. Tables and views:

  requests   one row per logged request (ts, tier, format, file_id, pop, request_id, method,
             host, path, query, status, bytes, cache_status, cache_status_raw, duration_ms,
             ttfb_ms, origin_ms, cache_control, content_type, etag, set_cookie, has_auth,
             user_agent, referer, client)
  files      one row per ingested file (path, format, tier, lines_read, rows, rejected, ...)
  rejects    a sample of the lines that did not parse (path, line, reason, text)`,
		Example: `  cdnadvise sql "SELECT count(*) FROM requests"
  cdnadvise sql --json "SELECT cache_status, count(*) AS n FROM requests GROUP BY ALL"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			return runSQL(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print an array of row objects")
	return cmd
}

func runSQL(ctx context.Context, opts *sqlOptions) error {
	st, err := store.Open(ctx, store.PathFromEnv(opts.DB))
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.DB.QueryContext(ctx, opts.Query)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if opts.JSON {
		objs := make([]map[string]any, 0, len(out))
		for _, r := range out {
			m := make(map[string]any, len(cols))
			for i, c := range cols {
				m[c] = jsonValue(r[i])
			}
			objs = append(objs, m)
		}
		return printJSON(opts.io.Out, objs)
	}
	w := tabwriter.NewWriter(opts.io.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(cols, "\t"))
	for _, r := range out {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = cell(v)
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	return w.Flush()
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case sql.RawBytes:
		return string(x)
	}
	return v
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.000000Z")
	case float64:
		return fmt.Sprintf("%.6g", x)
	case []byte:
		return string(x)
	}
	s := fmt.Sprint(v)
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

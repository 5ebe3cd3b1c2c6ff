// Command genstore writes a store of a month of a busy site's edge
// requests straight into DuckDB (no log files: at 100 M requests they would
// be ~20 GB), for the replay's scale benchmarks (bench/scale.sh):
//
//	go run ./bench/genstore -requests 100000000 -keys 30000000 -o /tmp/scale.duckdb
//
// Shape: requests spread evenly over 30 days, 20 PoPs; most go to a hot
// set of up to a million keys (popularity falling as a power law), the
// others (29 % at 100 M requests and 30 M keys) to a long tail of keys
// seen once each, so that the store holds about -keys distinct cache keys. A key is a path (2,000 of them, so that
// routes stay few) with a query string of its own; sizes are fixed per key.
// Rows are numbered as ingest numbers them (dictionaries), so every command
// reads the store as one ingest wrote.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

func main() {
	requests := flag.Int64("requests", 10_000_000, "requests")
	keys := flag.Int64("keys", 3_000_000, "distinct cache keys (about)")
	out := flag.String("o", "scale.duckdb", "store to write (must not exist)")
	flag.Parse()
	if err := run(context.Background(), *requests, *keys, *out); err != nil {
		fmt.Fprintln(os.Stderr, "genstore:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, requests, keys int64, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists: give a new file", out)
	}
	hot := min(keys/3, 1_000_000)
	tail := max(keys-hot, 1)
	st, err := store.Open(ctx, out)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	month := int64(30 * 24 * time.Hour / time.Microsecond)
	t0 := time.Now()
	stmts := []string{
		`INSERT INTO files (file_id, path, format, tier, rows, rejected, runs) VALUES (1, 'genstore', 'nginx', 'edge', ` + fmt.Sprint(requests) + `, 0, 1)`,
		`INSERT INTO d_misc VALUES (0, 'GET')` + pops(),
		`INSERT INTO d_path SELECT i, '/api/items/' || i FROM range(2000) t(i)`,
		// The key of request i, from a hash of i: in the tail (a share of
		// the requests that makes -keys in all), a key of its own; else one
		// of the hot keys.
		fmt.Sprintf(`CREATE TEMP TABLE k AS SELECT i, CASE WHEN hash(i) %% 1000000 < %[2]d THEN %[1]d + i
			ELSE (floor(%[1]d * pow((hash(i * 31) %% 1000003) / 1000003.0, 4)))::BIGINT END AS key
			FROM range(%[3]d) t(i)`, hot, min(tail*1_000_000/requests, 1_000_000), requests),
		`INSERT INTO d_query SELECT key, 'id=' || key FROM (SELECT DISTINCT key FROM k)`,
		fmt.Sprintf(`INSERT INTO requests_raw (ts, file_id, pop_id, method_id, path_id, query_id, status, bytes, cache_status, duration_ms)
			SELECT make_timestamp(%d + (i::DOUBLE * %d / %d)::BIGINT), 1, 1 + hash(i * 17) %% 20, 0, key %% 2000, key, 200, 500 + key %% 20000,
				CASE WHEN hash(i * 13) %% 4 = 0 THEN 'MISS' ELSE 'HIT' END, CASE WHEN hash(i * 13) %% 4 = 0 THEN 40.0 ELSE 2.0 END
			FROM k ORDER BY i`, start.UnixMicro(), month, requests),
		`DROP TABLE k`,
		`CHECKPOINT`,
	}
	for i, q := range stmts {
		if _, err := st.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	var n, distinct int64
	if err := st.DB.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT query_id) FROM requests_raw`).Scan(&n, &distinct); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d requests, %d cache keys, in %s\n", out, n, distinct, time.Since(t0).Round(time.Second))
	return nil
}

// pops adds the 20 PoPs' names to d_misc (ids 1-20).
func pops() string {
	s := ""
	for i := 1; i <= 20; i++ {
		s += fmt.Sprintf(", (%d, 'POP%02d')", i, i)
	}
	return s
}

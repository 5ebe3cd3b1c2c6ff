package analyze

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// synthStore fills a store with n edge rows and n/4 origin rows directly in
// SQL (50,000 paths of five shapes, Zipf-like popularity, two PoPs).
func synthStore(b *testing.B, n int) *store.Store {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.duckdb"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	stmts := []string{
		`INSERT INTO files (file_id, path, format, tier, rows) VALUES (1, 'edge.log', 'nginx-cache', 'edge', 0), (2, 'origin.log', 'combined', 'origin', 0)`,
		`INSERT INTO d_misc VALUES (0, 'GET'), (1, 'POST'), (2, 'FRA'), (3, 'IAD'), (4, 'private, max-age=0')`,
		`INSERT INTO d_host VALUES (0, 'shop.example')`,
		`INSERT INTO d_path SELECT range, CASE range % 5 WHEN 0 THEN '/api/items/' || range WHEN 1 THEN '/static/app.' || printf('%08x', range) || '.js'
			WHEN 2 THEN '/products/p' || range || '/' WHEN 3 THEN '/search/' ELSE '/api/users/' || range || '/profile' END FROM range(50000)`,
		`INSERT INTO d_query SELECT range, 'q=' || range || '&utm_source=news' FROM range(1000)`,
		fmt.Sprintf(`INSERT INTO requests_raw (ts, file_id, pop_id, method_id, host_id, path_id, query_id, status, bytes, cache_status,
			duration_ms, origin_ms, cc_id, set_cookie, client_hash)
			SELECT to_timestamp(1795000000 + range / 100), 1, 2 + range %% 2, CASE WHEN range %% 50 = 0 THEN 1 ELSE 0 END, 0,
				(pow(random(), 3) * 50000)::INTEGER %% 50000, CASE WHEN range %% 5 = 3 THEN range %% 1000 END,
				CASE WHEN range %% 97 = 0 THEN 404 ELSE 200 END, 200 + range %% 5000,
				(['HIT','HIT','HIT','MISS','EXPIRED','STALE','REVALIDATED','BYPASS'])[1 + range %% 8]::VARCHAR,
				random() * 100, CASE WHEN range %% 8 > 2 THEN random() * 80 END, CASE WHEN range %% 40 = 0 THEN 4 END,
				range %% 30 = 0, hash(range %% 100000)
			FROM range(%d)`, n),
		fmt.Sprintf(`INSERT INTO requests_raw (ts, file_id, method_id, host_id, path_id, status, bytes, duration_ms)
			SELECT to_timestamp(1795000000 + range / 25), 2, 0, 0, (pow(random(), 3) * 50000)::INTEGER %% 50000, 200, 200 + range %% 5000, random() * 80
			FROM range(%d)`, n/4),
	}
	for _, q := range stmts {
		if _, err := st.DB.Exec(q); err != nil {
			b.Fatalf("%s: %v", q[:40], err)
		}
	}
	return st
}

// BenchmarkAnalyze10M: analyze (templates, the per-endpoint aggregate,
// query parameters, the edge-origin join) over 10,000,000 edge rows and
// 2,500,000 origin rows.
func BenchmarkAnalyze10M(b *testing.B) {
	st := synthStore(b, 10_000_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Run(context.Background(), st, Options{Top: 25, Logger: benchLogger()})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Totals.EdgeRequests != 10_000_000 {
			b.Fatalf("%d edge rows", rep.Totals.EdgeRequests)
		}
	}
}

func benchLogger() *slog.Logger {
	if os.Getenv("BENCH_VERBOSE") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

package ingest

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// benchRows is a typical buffer: ids from Zipf-like dictionaries, an edge
// log's numbers, no NULL-only columns.
func benchRows(n int) *rowsOut {
	rng := rand.New(rand.NewPCG(1, 2))
	o := &rowsOut{fileID: 1}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := 0; i < n; i++ {
		o.ts = append(o.ts, t0+int64(i)*5000)
		for c := 0; c < nStr; c++ {
			id := int32(-1)
			switch c {
			case sMethod:
				id = 0
			case sPath:
				id = int32(rng.IntN(50000))
			case sUA:
				id = int32(rng.IntN(40))
			}
			o.ids[c] = append(o.ids[c], id)
		}
		o.reqID = append(o.reqID, span{0, -1})
		o.status = append(o.status, 200)
		o.size = append(o.size, int64(200+rng.IntN(5000)))
		o.cache = append(o.cache, uint8(1+rng.IntN(2)))
		o.dur = append(o.dur, rng.Float64()*50)
		o.ttfb = append(o.ttfb, math.NaN())
		o.origin = append(o.origin, math.NaN())
		o.setCookie = append(o.setCookie, -1)
		o.auth = append(o.auth, -1)
		o.clientHash = append(o.clientHash, rng.Uint64()|1)
		o.n++
	}
	return o
}

// BenchmarkInsert compares the ways to hand rows to DuckDB: the table
// function this package uses, and the Appender row by row. (Arrow record
// batches need the duckdb_arrow build tag: see loadbench_arrow_test.go.)
func BenchmarkInsert(b *testing.B) {
	const n = 500_000
	o := benchRows(n)
	ctx := context.Background()

	b.Run("table-function", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			st := openStore(b, filepath.Join(b.TempDir(), "s.duckdb"))
			ld, err := newLoader(ctx, st, false, DefaultDictLimit, DefaultDuckDBMemory, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			ld.begin(ctx)
			b.StartTimer()
			src := newRowsSource(o)
			if err := ld.insertFrom(ctx, src, src.insertSQL); err != nil {
				b.Fatal(err)
			}
			if _, err := ld.tx.ExecContext(ctx, "SELECT 1"); err != nil {
				b.Fatal(err)
			}
			if err := ld.tx.Commit(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			ld.Close()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})

	b.Run("appender", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			st := openStore(b, filepath.Join(b.TempDir(), "s.duckdb"))
			conn, err := st.DB.Conn(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			err = conn.Raw(func(dc any) error {
				app, err := duckdb.NewAppenderWithColumns(dc.(driver.Conn), "", "", "requests_raw",
					[]string{"ts", "file_id", "method_id", "path_id", "status", "bytes", "cache_status", "duration_ms", "ua_id", "client_hash"})
				if err != nil {
					return err
				}
				for r := 0; r < n; r++ {
					if err := app.AppendRow(time.UnixMicro(o.ts[r]), o.fileID, o.ids[sMethod][r], o.ids[sPath][r], o.status[r], o.size[r],
						CacheStatus(o.cache[r]).String(), o.dur[r], o.ids[sUA][r], o.clientHash[r]); err != nil {
						return fmt.Errorf("row %d: %w", r, err)
					}
				}
				return app.Close()
			})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			conn.Close()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}

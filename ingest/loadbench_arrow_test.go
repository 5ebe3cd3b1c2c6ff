//go:build duckdb_arrow

package ingest

import (
	"context"
	"database/sql/driver"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
)

// BenchmarkInsertArrow inserts the same rows as BenchmarkInsert through an
// Arrow record batch view (go test -tags duckdb_arrow -bench InsertArrow).
func BenchmarkInsertArrow(b *testing.B) {
	const n = 500_000
	o := benchRows(n)
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: arrow.PrimitiveTypes.Int64}, {Name: "method_id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "path_id", Type: arrow.PrimitiveTypes.Int32}, {Name: "status", Type: arrow.PrimitiveTypes.Int16},
		{Name: "bytes", Type: arrow.PrimitiveTypes.Int64}, {Name: "cache_status", Type: arrow.PrimitiveTypes.Uint8},
		{Name: "duration_ms", Type: arrow.PrimitiveTypes.Float64}, {Name: "ua_id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "client_hash", Type: arrow.PrimitiveTypes.Uint64},
	}, nil)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := openStore(b, filepath.Join(b.TempDir(), "s.duckdb"))
		conn, err := st.DB.Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		var recs []arrow.RecordBatch
		for start := 0; start < n; start += 122880 {
			end := min(start+122880, n)
			bld.Field(0).(*array.Int64Builder).AppendValues(o.ts[start:end], nil)
			bld.Field(1).(*array.Int32Builder).AppendValues(o.ids[sMethod][start:end], nil)
			bld.Field(2).(*array.Int32Builder).AppendValues(o.ids[sPath][start:end], nil)
			bld.Field(3).(*array.Int16Builder).AppendValues(o.status[start:end], nil)
			bld.Field(4).(*array.Int64Builder).AppendValues(o.size[start:end], nil)
			bld.Field(5).(*array.Uint8Builder).AppendValues(o.cache[start:end], nil)
			bld.Field(6).(*array.Float64Builder).AppendValues(o.dur[start:end], nil)
			bld.Field(7).(*array.Int32Builder).AppendValues(o.ids[sUA][start:end], nil)
			bld.Field(8).(*array.Uint64Builder).AppendValues(o.clientHash[start:end], nil)
			recs = append(recs, bld.NewRecordBatch())
		}
		rdr, err := array.NewRecordReader(schema, recs)
		if err != nil {
			b.Fatal(err)
		}
		err = conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			release, err := ar.RegisterView(rdr, "batch")
			if err != nil {
				return err
			}
			defer release()
			_, err = dc.(driver.ExecerContext).ExecContext(ctx, `INSERT INTO requests_raw (ts, file_id, method_id, path_id, status, bytes,
				cache_status, duration_ms, ua_id, client_hash) SELECT to_timestamp(ts / 1000000), 1, method_id, path_id, status, bytes,
				(['HIT','MISS','EXPIRED','STALE','UPDATING','REVALIDATED','BYPASS','PASS','DYNAMIC','ERROR'])[cache_status],
				duration_ms, ua_id, client_hash FROM batch`, nil)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		conn.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

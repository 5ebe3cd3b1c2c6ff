//go:build duckdb_arrow

package replay

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// readColumns runs q with args (ncols BIGINT columns, no NULLs) and hands its rows to
// fn in column slices, straight from DuckDB's result chunks as Arrow record
// batches (no per-row scan).
func (l *storeLoader) readColumns(ctx context.Context, q string, args []any, ncols int, fn func(cols [][]int64)) error {
	return l.conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rr, err := ar.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rr.Release()
		cols := make([][]int64, ncols)
		for rr.Next() {
			rec := rr.RecordBatch()
			if int(rec.NumCols()) != ncols {
				return fmt.Errorf("%d columns, want %d", rec.NumCols(), ncols)
			}
			for i := range cols {
				c, ok := rec.Column(i).(*array.Int64)
				if !ok {
					return fmt.Errorf("column %d is %s, want int64", i, rec.Column(i).DataType())
				}
				if c.NullN() > 0 {
					return fmt.Errorf("column %d has NULLs", i)
				}
				cols[i] = c.Int64Values()
			}
			fn(cols)
		}
		return rr.Err()
	})
}

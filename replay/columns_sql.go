//go:build !duckdb_arrow

package replay

import "context"

// readColumns runs q with args (ncols BIGINT columns, no NULLs) and hands its rows to
// fn in column slices, here read row by row through database/sql (built
// with -tags duckdb_arrow, as Arrow record batches: columns_arrow.go).
func (l *storeLoader) readColumns(ctx context.Context, q string, args []any, ncols int, fn func(cols [][]int64)) error {
	rows, err := l.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	const n = 2048
	cols := make([][]int64, ncols)
	for i := range cols {
		cols[i] = make([]int64, 0, n)
	}
	row, ptrs := make([]int64, ncols), make([]any, ncols)
	for i := range row {
		ptrs[i] = &row[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range row {
			cols[i] = append(cols[i], v)
		}
		if len(cols[0]) == n {
			fn(cols)
			for i := range cols {
				cols[i] = cols[i][:0]
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(cols[0]) > 0 {
		fn(cols)
	}
	return nil
}

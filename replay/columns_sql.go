//go:build !duckdb_arrow

package replay

import "context"

// readColumns runs q (four BIGINT columns) and hands its rows to fn in
// column slices, here read row by row through database/sql (built with
// -tags duckdb_arrow, as Arrow record batches: columns_arrow.go).
func (l *storeLoader) readColumns(ctx context.Context, q string, fn func(a, b, c, d []int64)) error {
	rows, err := l.conn.QueryContext(ctx, q, l.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	const n = 2048
	a, b, c, d := make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
	for rows.Next() {
		var w, x, y, z int64
		if err := rows.Scan(&w, &x, &y, &z); err != nil {
			return err
		}
		a, b, c, d = append(a, w), append(b, x), append(c, y), append(d, z)
		if len(a) == n {
			fn(a, b, c, d)
			a, b, c, d = a[:0], b[:0], c[:0], d[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(a) > 0 {
		fn(a, b, c, d)
	}
	return nil
}

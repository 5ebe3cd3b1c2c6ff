package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ExportStats says what ExportParquet wrote.
type ExportStats struct {
	Dir        string `json:"dir"`
	Rows       int64  `json:"rows"`
	Files      int    `json:"files"`
	Partitions int    `json:"partitions"`
}

// ExportParquet writes the requests, strings resolved (the requests view's
// columns), as Hive-partitioned Parquet under dir:
// dir/date=YYYY-MM-DD/tier=edge|origin/*.parquet (date "unknown" for rows
// without a time). Spark, Trino, ClickHouse, Athena and DuckDB read the
// layout as one table with date and tier as columns. dir must be empty or
// not exist.
func ExportParquet(ctx context.Context, s *Store, dir string) (*ExportStats, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("export: %s is not empty: give a new folder (a second export into it would mix runs)", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// COPY takes no parameter for its target: the path is a quoted literal.
	target := "'" + strings.ReplaceAll(abs, "'", "''") + "'"
	_, err = s.DB.ExecContext(ctx, `COPY (SELECT * EXCLUDE (tier), tier, coalesce(strftime(ts, '%Y-%m-%d'), 'unknown') AS date FROM requests)
		TO `+target+` (FORMAT PARQUET, PARTITION_BY (date, tier), COMPRESSION ZSTD)`)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	st := &ExportStats{Dir: abs}
	parts := map[string]bool{}
	err = filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			st.Files++
			parts[filepath.Dir(p)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.Partitions = len(parts)
	err = s.DB.QueryRowContext(ctx, `SELECT count(*) FROM read_parquet(?, hive_partitioning = true)`, filepath.Join(abs, "**", "*.parquet")).Scan(&st.Rows)
	if err != nil {
		return nil, fmt.Errorf("export: read back: %w", err)
	}
	return st, nil
}

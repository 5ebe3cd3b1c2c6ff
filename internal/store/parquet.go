package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// OpenParquet opens the requests that ExportParquet wrote under dir (or any
// engine wrote in its layout: dir/date=.../tier=.../*.parquet with the
// requests view's columns) as a store that analyze, replay and advise read
// as they read a DuckDB file. Nothing is copied: DuckDB reads the Parquet
// files at each query, through a requests_raw view that numbers their
// strings as ingest does (dictionaries built once, in memory, ids in the
// strings' order). The store lives in memory and is gone when closed;
// what is written to it (advice runs) is not kept.
func OpenParquet(ctx context.Context, dir string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(abs, "*", "*", "*.parquet"))
	if err != nil || len(files) == 0 {
		files, _ = filepath.Glob(filepath.Join(abs, "*.parquet"))
	}
	if len(files) == 0 {
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("parquet input: %w", err)
		}
		return nil, fmt.Errorf("parquet input %s: no .parquet files (cdnadvise export --parquet %s writes them)", abs, dir)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("parquet input: %w", err)
	}
	s := &Store{DB: db, Path: abs}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("parquet input: %w", err)
	}
	glob := "'" + strings.ReplaceAll(filepath.Join(abs, "**", "*.parquet"), "'", "''") + "'"
	stmts := []string{
		// A row's id (analyze pairs edge and origin rows by it): its file's
		// number and its row number in the file.
		`CREATE TABLE pq_files AS SELECT file, (row_number() OVER (ORDER BY file))::BIGINT AS idx FROM glob(` + glob + `)`,
		`CREATE VIEW pq AS SELECT x.*, (f.idx << 40) | x.file_row_number AS row_key
			FROM read_parquet(` + glob + `, hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true) x
			JOIN pq_files f ON f.file = x.filename`,
		`DROP VIEW requests`,
		`DROP TABLE requests_raw`,
		`INSERT INTO files (file_id, path, format, tier, rows, first_ts, last_ts)
			SELECT file_id, '` + strings.ReplaceAll(abs, "'", "''") + `', any_value(format), any_value(tier), count(*), min(ts), max(ts)
			FROM pq GROUP BY file_id`,
	}
	// Each dictionary from the distinct values of its columns, numbered in
	// their order (the same files give the same ids).
	dictCols := map[Dict][]string{
		DictHost: {"host"}, DictPath: {"path"}, DictQuery: {"query"}, DictUA: {"user_agent"}, DictReferer: {"referer"},
		DictETag: {"etag"}, DictClient: {"CASE WHEN NOT " + hashedClient + " THEN client END"},
		DictMisc: {"pop", "method", "CASE WHEN cache_status_raw IS DISTINCT FROM cache_status THEN cache_status_raw END", "cache_control",
			"content_type", "cookie_names", "vary", "accept_language", "accept"},
	}
	for _, d := range Dicts() {
		var parts []string
		for _, c := range dictCols[d] {
			parts = append(parts, "SELECT "+c+" AS value FROM pq")
		}
		stmts = append(stmts, `INSERT INTO `+d.Table()+` SELECT (row_number() OVER (ORDER BY value))::INTEGER - 1, value
			FROM (SELECT DISTINCT value FROM (`+strings.Join(parts, " UNION ALL ")+`) WHERE value IS NOT NULL)`)
	}
	enum := "'" + strings.Join(cacheStatuses, "','") + "'"
	stmts = append(stmts, `CREATE VIEW requests_raw AS
		SELECT x.row_key AS rowid, x.ts::TIMESTAMPTZ AS ts, x.file_id::INTEGER AS file_id, pop.id AS pop_id, x.request_id::VARCHAR AS request_id,
			m.id AS method_id, h.id AS host_id, p.id AS path_id, q.id AS query_id,
			x.status::SMALLINT AS status, x.bytes::BIGINT AS bytes, x.cache_status::ENUM(`+enum+`) AS cache_status,
			CASE WHEN x.cache_status_raw IS DISTINCT FROM x.cache_status THEN cr.id END AS cache_raw_id,
			x.duration_ms::DOUBLE AS duration_ms, x.ttfb_ms::DOUBLE AS ttfb_ms, x.origin_ms::DOUBLE AS origin_ms,
			cc.id AS cc_id, ct.id AS ct_id, e.id AS etag_id, x.set_cookie::BOOLEAN AS set_cookie, x.has_auth::BOOLEAN AS has_auth,
			ua.id AS ua_id, rf.id AS referer_id,
			CASE WHEN NOT `+hashedClient+` THEN c.id END AS client_id,
			CASE WHEN `+hashedClient+` THEN ('0x' || x.client)::UBIGINT END AS client_hash,
			x.has_cookie::BOOLEAN AS has_cookie, cn.id AS cookie_names_id, vy.id AS vary_id, al.id AS accept_language_id, ac.id AS accept_id
		FROM pq x
		LEFT JOIN d_misc pop ON pop.value = x.pop
		LEFT JOIN d_misc m ON m.value = x.method
		LEFT JOIN d_host h ON h.value = x.host
		LEFT JOIN d_path p ON p.value = x.path
		LEFT JOIN d_query q ON q.value = x.query
		LEFT JOIN d_misc cr ON cr.value = x.cache_status_raw
		LEFT JOIN d_misc cc ON cc.value = x.cache_control
		LEFT JOIN d_misc ct ON ct.value = x.content_type
		LEFT JOIN d_etag e ON e.value = x.etag
		LEFT JOIN d_ua ua ON ua.value = x.user_agent
		LEFT JOIN d_referer rf ON rf.value = x.referer
		LEFT JOIN d_client c ON c.value = x.client
		LEFT JOIN d_misc cn ON cn.value = x.cookie_names
		LEFT JOIN d_misc vy ON vy.value = x.vary
		LEFT JOIN d_misc al ON al.value = x.accept_language
		LEFT JOIN d_misc ac ON ac.value = x.accept`,
		requestsViewSQL)
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			db.Close()
			return nil, fmt.Errorf("parquet input %s: %w", abs, err)
		}
	}
	return s, nil
}

// hashedClient tells a pseudonymized client (the requests view prints the
// keyed hash of the address as 16 hex digits) from a kept one.
const hashedClient = `coalesce(regexp_full_match(client, '[0-9a-f]{16}'), false)`

// Package store opens the cdnadvise DuckDB file and owns its schema: the
// requests table (stored dictionary-encoded, read through the `requests`
// view), the files manifest and the rejects sample.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	// The DuckDB driver registers itself as "duckdb".
	_ "github.com/duckdb/duckdb-go/v2"
)

// DefaultPath is the store file used when neither --db nor CDNADVISE_DB is set.
const DefaultPath = "cdnadvise.duckdb"

// PathFromEnv returns flagValue, else $CDNADVISE_DB, else DefaultPath.
func PathFromEnv(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if v := os.Getenv("CDNADVISE_DB"); v != "" {
		return v
	}
	return DefaultPath
}

// Dict names one dictionary table: repeated strings of the requests table are
// stored once in d_<name>(id, value) and referenced by id.
type Dict string

// The dictionaries. Client is used with --keep-client only (otherwise
// requests_raw.client_hash holds a keyed hash of the address). Misc holds the low-cardinality strings (pop, method, raw
// cache status, cache-control, content type).
const (
	DictHost    Dict = "host"
	DictPath    Dict = "path"
	DictQuery   Dict = "query"
	DictUA      Dict = "ua"
	DictReferer Dict = "referer"
	DictClient  Dict = "client"
	DictETag    Dict = "etag"
	DictMisc    Dict = "misc"
)

// Dicts lists every dictionary.
func Dicts() []Dict {
	return []Dict{DictHost, DictPath, DictQuery, DictUA, DictReferer, DictClient, DictETag, DictMisc}
}

// Table returns the dictionary's table name.
func (d Dict) Table() string { return "d_" + string(d) }

// CacheStatuses is the ENUM of normalized cache statuses, in storage order.
var cacheStatuses = []string{"HIT", "MISS", "EXPIRED", "STALE", "UPDATING", "REVALIDATED", "BYPASS", "PASS", "DYNAMIC", "ERROR"}

// RawColumns is the column order of requests_raw (what the loader writes).
var RawColumns = []string{
	"ts", "file_id", "pop_id", "request_id", "method_id", "host_id", "path_id", "query_id",
	"status", "bytes", "cache_status", "cache_raw_id", "duration_ms", "ttfb_ms", "origin_ms",
	"cc_id", "ct_id", "etag_id", "set_cookie", "has_auth", "ua_id", "referer_id", "client_id", "client_hash",
	"has_cookie", "cookie_names_id", "vary_id", "accept_language_id", "accept_id",
}

// requestsViewSQL defines the requests view: requests_raw with its
// strings resolved and its file's tier and format.
const requestsViewSQL = `CREATE OR REPLACE VIEW requests AS
		SELECT r.ts, f.tier, f.format, r.file_id, pop.value AS pop, r.request_id,
			m.value AS method, h.value AS host, p.value AS path, q.value AS query,
			r.status, r.bytes, r.cache_status::VARCHAR AS cache_status,
			coalesce(cr.value, r.cache_status::VARCHAR) AS cache_status_raw,
			r.duration_ms, r.ttfb_ms, r.origin_ms, cc.value AS cache_control, ct.value AS content_type,
			e.value AS etag, r.set_cookie, r.has_auth, ua.value AS user_agent, rf.value AS referer,
			coalesce(c.value, printf('%016x', r.client_hash)) AS client,
			r.has_cookie, cn.value AS cookie_names, vy.value AS vary,
			al.value AS accept_language, ac.value AS accept
		FROM requests_raw r
		JOIN files f USING (file_id)
		LEFT JOIN d_misc pop ON pop.id = r.pop_id
		LEFT JOIN d_misc m ON m.id = r.method_id
		LEFT JOIN d_host h ON h.id = r.host_id
		LEFT JOIN d_path p ON p.id = r.path_id
		LEFT JOIN d_query q ON q.id = r.query_id
		LEFT JOIN d_misc cr ON cr.id = r.cache_raw_id
		LEFT JOIN d_misc cc ON cc.id = r.cc_id
		LEFT JOIN d_misc ct ON ct.id = r.ct_id
		LEFT JOIN d_etag e ON e.id = r.etag_id
		LEFT JOIN d_ua ua ON ua.id = r.ua_id
		LEFT JOIN d_referer rf ON rf.id = r.referer_id
		LEFT JOIN d_client c ON c.id = r.client_id
		LEFT JOIN d_misc cn ON cn.id = r.cookie_names_id
		LEFT JOIN d_misc vy ON vy.id = r.vary_id
		LEFT JOIN d_misc al ON al.id = r.accept_language_id
		LEFT JOIN d_misc ac ON ac.id = r.accept_id`

// SchemaVersion is bumped when the schema changes incompatibly.
const SchemaVersion = 2

func schemaSQL() []string {
	enum := "'" + strings.Join(cacheStatuses, "','") + "'"
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
		`CREATE TABLE IF NOT EXISTS files (
			file_id INTEGER PRIMARY KEY,
			path VARCHAR NOT NULL,
			size BIGINT,
			compression VARCHAR,
			head_len INTEGER,
			head_hash BIGINT,
			prefix_hash BIGINT,
			bytes_read BIGINT,
			lines_read BIGINT,
			rows BIGINT,
			rejected BIGINT,
			format VARCHAR,
			tier VARCHAR,
			layout VARCHAR,
			first_ts TIMESTAMPTZ,
			last_ts TIMESTAMPTZ,
			runs INTEGER,
			ingested_at TIMESTAMPTZ)`,
		`CREATE TABLE IF NOT EXISTS rejects (file_id INTEGER, path VARCHAR, line BIGINT, reason VARCHAR, text VARCHAR)`,
		// What each advise/patch/run predicted, for verify: one row per run
		// and one per (method, route) of it.
		`CREATE TABLE IF NOT EXISTS advice_runs (
			run_id INTEGER PRIMARY KEY,
			created_at TIMESTAMPTZ,
			command VARCHAR,
			settings VARCHAR,
			src VARCHAR,
			src_commit VARCHAR,
			data_from TIMESTAMPTZ,
			data_to TIMESTAMPTZ,
			requests BIGINT,
			cdnadvise_version VARCHAR)`,
		// Runs said to be deployed: verify --run N marks run N.
		`CREATE TABLE IF NOT EXISTS applied_runs (run_id INTEGER PRIMARY KEY, how VARCHAR, marked_at TIMESTAMPTZ)`,
		`CREATE TABLE IF NOT EXISTS advice_routes (
			run_id INTEGER,
			method VARCHAR,
			route VARCHAR,
			match VARCHAR,
			class VARCHAR,
			cache_control VARCHAR,
			ttl_seconds BIGINT,
			requests BIGINT,
			hit_ratio_now DOUBLE,
			hit_ratio_predicted DOUBLE,
			origin_rpm_now DOUBLE,
			origin_rpm_predicted DOUBLE,
			latency_now_ms DOUBLE,
			latency_predicted_ms DOUBLE)`,
	}
	for _, d := range Dicts() {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (id INTEGER, value VARCHAR)`, d.Table()))
	}
	stmts = append(stmts,
		`CREATE TABLE IF NOT EXISTS requests_raw (
			ts TIMESTAMPTZ, file_id INTEGER, pop_id INTEGER, request_id VARCHAR, method_id INTEGER,
			host_id INTEGER, path_id INTEGER, query_id INTEGER, status SMALLINT, bytes BIGINT,
			cache_status ENUM(`+enum+`), cache_raw_id INTEGER, duration_ms DOUBLE, ttfb_ms DOUBLE,
			origin_ms DOUBLE, cc_id INTEGER, ct_id INTEGER, etag_id INTEGER, set_cookie BOOLEAN,
			has_auth BOOLEAN, ua_id INTEGER, referer_id INTEGER, client_id INTEGER, client_hash UBIGINT,
			has_cookie BOOLEAN, cookie_names_id INTEGER, vary_id INTEGER,
			accept_language_id INTEGER, accept_id INTEGER)`,
		// Stores written before the request's cookies were read get the
		// columns (NULL: not logged).
		`ALTER TABLE requests_raw ADD COLUMN IF NOT EXISTS has_cookie BOOLEAN`,
		`ALTER TABLE requests_raw ADD COLUMN IF NOT EXISTS cookie_names_id INTEGER`,
		`ALTER TABLE requests_raw ADD COLUMN IF NOT EXISTS vary_id INTEGER`,
		`ALTER TABLE requests_raw ADD COLUMN IF NOT EXISTS accept_language_id INTEGER`,
		`ALTER TABLE requests_raw ADD COLUMN IF NOT EXISTS accept_id INTEGER`,
		requestsViewSQL,
	)
	return stmts
}

// Store is an open cdnadvise database.
type Store struct {
	DB   *sql.DB
	Path string
	// tmp is DuckDB's spill folder when LimitMemory made one for this
	// process (removed on Close).
	tmp string
}

// Open opens (creating if needed) the store at path and makes sure the schema
// exists. It refuses a file written by an incompatible schema version.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{DB: db, Path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens an existing store without writing to it, so that
// several processes may read one file at once (DuckDB lets one process
// write a file, or many read it). Temporary tables still work.
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := sql.Open("duckdb", path+"?access_mode=read_only")
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	var v string
	if err := db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if v != strconv.Itoa(SchemaVersion) {
		db.Close()
		return nil, fmt.Errorf("store %s: schema version %s, this cdnadvise reads version %d: re-ingest into a new file", path, v, SchemaVersion)
	}
	// Columns added since version 2 came out are added by Open, which a
	// read-only store cannot do.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'requests_raw' AND column_name IN ('has_cookie', 'cookie_names_id', 'vary_id', 'accept_language_id', 'accept_id')`).Scan(&n); err != nil || n < 5 {
		db.Close()
		return nil, fmt.Errorf("store %s was written by an older cdnadvise: run any command on it once without --shard (cdnadvise --db %s analyze) to bring it up to date", path, path)
	}
	return &Store{DB: db, Path: path}, nil
}

// LimitMemory caps DuckDB's own memory (what it holds beyond that goes to
// its temporary files, in a folder of this process's own: several
// processes reading one store, or in memory, would otherwise share
// DuckDB's default one and overwrite each other's files); results need
// not keep the order rows were inserted in unless the query says so,
// which lets operators stream (a 50 M-request replay at 1 GiB: 131 s
// instead of 179 s).
func (s *Store) LimitMemory(ctx context.Context, bytes int64) error {
	if s.tmp == "" {
		dir, err := os.MkdirTemp("", "cdnadvise-duckdb-")
		if err != nil {
			return err
		}
		if _, err := s.DB.ExecContext(ctx, "SET temp_directory = '"+strings.ReplaceAll(dir, "'", "''")+"'"); err != nil {
			os.RemoveAll(dir)
			return err
		}
		s.tmp = dir
	}
	if _, err := s.DB.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return err
	}
	_, err := s.DB.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dMB'", max(bytes>>20, 64)))
	return err
}

// Close closes the database (and removes its spill folder, if any).
func (s *Store) Close() error {
	err := s.DB.Close()
	if s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
	return err
}

func (s *Store) migrate(ctx context.Context) error {
	var v sql.NullString
	err := s.DB.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	if err == nil && v.String != strconv.Itoa(SchemaVersion) {
		return fmt.Errorf("schema version %s, this cdnadvise reads version %d: re-ingest into a new file", v.String, SchemaVersion)
	}
	for _, q := range schemaSQL() {
		if _, err := s.DB.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		salt := strconv.FormatUint(binary.LittleEndian.Uint64(b[:]), 10)
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO meta VALUES ('schema_version', ?), ('client_salt', ?) ON CONFLICT DO NOTHING`, strconv.Itoa(SchemaVersion), salt); err != nil {
			return fmt.Errorf("write meta: %w", err)
		}
	}
	return nil
}

// ClientSalt returns the per-store secret used to pseudonymize client
// addresses (so the same address maps to the same value within a store).
func (s *Store) ClientSalt(ctx context.Context) (uint64, error) {
	var v string
	if err := s.DB.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'client_salt'`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read client salt: %w", err)
	}
	return strconv.ParseUint(v, 10, 64)
}

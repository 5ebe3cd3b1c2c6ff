package ingest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/zeebo/xxh3"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// insertRows is how many rows are handed to DuckDB in one INSERT.
const insertRows = 60 * 2048

// rowsOut is the columnar buffer of rows about to be inserted.
type rowsOut struct {
	n                 int
	ts                []int64
	fileID            int32
	ids               [nStr][]int32 // dictionary ids per string column (sRequestID unused)
	reqID             []span
	reqArena          []byte
	status            []int16
	size              []int64
	cache             []uint8
	dur, ttfb, origin []float64
	setCookie, auth   []int8
	cookie            []int8
	clientHash        []uint64 // keyed hash of the client address, 0 = none
}

func (o *rowsOut) reset() {
	o.n = 0
	o.ts, o.reqID, o.reqArena = o.ts[:0], o.reqID[:0], o.reqArena[:0]
	for i := range o.ids {
		o.ids[i] = o.ids[i][:0]
	}
	o.status, o.size, o.cache = o.status[:0], o.size[:0], o.cache[:0]
	o.dur, o.ttfb, o.origin = o.dur[:0], o.ttfb[:0], o.origin[:0]
	o.setCookie, o.auth, o.cookie = o.setCookie[:0], o.auth[:0], o.cookie[:0]
	o.clientHash = o.clientHash[:0]
}

// loader writes parsed batches into the store, one transaction per file.
type loader struct {
	// prevMemory is DuckDB's memory limit before the loader set its own.
	prevMemory string
	conn       *sql.Conn
	tx         *sql.Tx
	dicts      map[store.Dict]*dict
	groups     []dictGroup
	keepClient bool
	salt       uint64

	mu      sync.Mutex
	sources map[int64]duckdb.ParallelChunkTableSource
	nextSrc int64
	udf     string // the table function's name, unique to this loader

	log   *slog.Logger
	stats loadStats // for diagnostics; written by the insert in flight only

	// out is being filled; spare is being inserted while inflight is set.
	out, spare *rowsOut
	inflight   chan error
}

type loadStats struct {
	inserts    int
	insertTime time.Duration
}

// udfPrefix names the table function through which DuckDB reads the Go
// buffers. Table functions live in the database's catalog, shared by its
// connections, so each loader registers its own.
const udfPrefix = "cdnadvise_src_"

// slotDict is the dictionary of each string column of a Batch.
var slotDict = map[int]store.Dict{
	sMethod: store.DictMisc, sHost: store.DictHost, sPath: store.DictPath, sQuery: store.DictQuery,
	sPop: store.DictMisc, sCacheRaw: store.DictMisc, sCacheControl: store.DictMisc, sContentType: store.DictMisc,
	sETag: store.DictETag, sUA: store.DictUA, sReferer: store.DictReferer, sClient: store.DictClient,
	sCookieNames: store.DictMisc, sVary: store.DictMisc, sLang: store.DictMisc, sAccept: store.DictMisc,
}

// idColumns are the requests_raw columns that hold ids of dictionary d.
func idColumns(d store.Dict) []string {
	var out []string
	for raw, slot := range idCol {
		if slot >= 0 && slotDict[slot] == d {
			out = append(out, store.RawColumns[raw])
		}
	}
	return out
}

func newLoader(ctx context.Context, st *store.Store, keepClient bool, dictLimit int, duckMemory int64, log *slog.Logger) (*loader, error) {
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &loader{conn: conn, dicts: map[store.Dict]*dict{}, keepClient: keepClient, sources: map[int64]duckdb.ParallelChunkTableSource{},
		out: &rowsOut{}, spare: &rowsOut{}, log: log}
	if l.salt, err = st.ClientSalt(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	// DuckDB's buffer pool is capped so that peak memory stays bounded
	// whatever the input size (it evicts written blocks to the file).
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('memory_limit')").Scan(&l.prevMemory); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dMB'", max(duckMemory>>20, 64))); err != nil {
		conn.Close()
		return nil, err
	}
	bigint, err := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	if err != nil {
		conn.Close()
		return nil, err
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		conn.Close()
		return nil, err
	}
	l.udf = udfPrefix + hex.EncodeToString(suffix[:])
	err = duckdb.RegisterTableUDF(conn, l.udf, duckdb.ParallelChunkTableFunction{
		Config: duckdb.TableFunctionConfig{Arguments: []duckdb.TypeInfo{bigint}},
		BindArguments: func(named map[string]any, args ...any) (duckdb.ParallelChunkTableSource, error) {
			id, _ := args[0].(int64)
			l.mu.Lock()
			defer l.mu.Unlock()
			src, ok := l.sources[id]
			if !ok {
				return nil, fmt.Errorf("no buffer %d", id)
			}
			return src, nil
		},
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("register table function: %w", err)
	}
	for _, name := range store.Dicts() {
		d := newDict(name)
		if name != store.DictMisc { // a few short strings: never bounded
			d.limit = dictLimit
		}
		if err := l.loadDict(ctx, d); err != nil {
			conn.Close()
			return nil, err
		}
		l.dicts[name] = d
	}
	cols := maps.Clone(slotDict)
	if !keepClient {
		delete(cols, sClient) // stored as a keyed hash, not a dictionary id
	}
	for _, name := range store.Dicts() {
		g := dictGroup{d: l.dicts[name]}
		for c := 0; c < nStr; c++ {
			if d, ok := cols[c]; ok && d == name {
				g.cols = append(g.cols, c)
			}
		}
		if len(g.cols) > 0 {
			l.groups = append(l.groups, g)
		}
	}
	return l, nil
}

func (l *loader) loadDict(ctx context.Context, d *dict) error {
	var n, next int64
	if err := l.conn.QueryRowContext(ctx, "SELECT count(*), coalesce(max(id) + 1, 0) FROM "+d.name.Table()).Scan(&n, &next); err != nil {
		return fmt.Errorf("read dictionary %s: %w", d.name, err)
	}
	q := "SELECT id, value FROM " + d.name.Table()
	if d.limit > 0 && n > int64(d.limit) {
		// The first values (by id, the earliest seen) fill the table; the
		// others get new ids when seen again, merged at the end of the run.
		q += fmt.Sprintf(" ORDER BY id LIMIT %d", d.limit)
		d.spilled = true
	}
	rows, err := l.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read dictionary %s: %w", d.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int32
		var v sql.RawBytes
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		d.put(id, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if next > int64(d.next) {
		d.next = int32(next)
		d.committed, d.pend.first = d.next, d.next
	}
	return nil
}

// dedupe merges, in each dictionary that spilled, the values stored more
// than once under the lowest of their ids, rewriting the requests that
// use the others; DuckDB does it within its memory limit, spilling to
// disk. It returns how many ids were merged away.
func (l *loader) dedupe(ctx context.Context) (int64, error) {
	var merged int64
	for _, name := range store.Dicts() {
		d := l.dicts[name]
		if d == nil || !d.spilled {
			continue
		}
		start := time.Now()
		tx, err := l.conn.BeginTx(ctx, nil)
		if err != nil {
			return merged, err
		}
		t := name.Table()
		stmts := []string{`CREATE OR REPLACE TEMP TABLE dict_remap AS SELECT id, canon FROM
			(SELECT id, min(id) OVER (PARTITION BY value) AS canon FROM ` + t + `) WHERE id <> canon`}
		for _, c := range idColumns(name) {
			stmts = append(stmts, `UPDATE requests_raw SET `+c+` = m.canon FROM dict_remap m WHERE requests_raw.`+c+` = m.id`)
		}
		stmts = append(stmts, `DELETE FROM `+t+` WHERE id IN (SELECT id FROM dict_remap)`)
		var n int64
		for i, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				tx.Rollback()
				return merged, fmt.Errorf("merge dictionary %s: %w", name, err)
			}
			if i == 0 {
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM dict_remap").Scan(&n); err != nil {
					tx.Rollback()
					return merged, err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "DROP TABLE dict_remap"); err != nil {
			tx.Rollback()
			return merged, err
		}
		if err := tx.Commit(); err != nil {
			return merged, fmt.Errorf("merge dictionary %s: %w", name, err)
		}
		d.spilled = false
		merged += n
		l.log.Debug("dictionary merged", "dict", name, "ids_merged", n, "took", time.Since(start))
	}
	return merged, nil
}

// Close gives the connection back, with the memory limit the loader set
// lifted again for whatever the process does next. It sets the previous
// limit back: RESET memory_limit changes the setting but not the buffer
// pool's bound (DuckDB 1.5.6: a query after it still failed at the
// loader's 64 MiB).
func (l *loader) Close() error {
	if l.prevMemory != "" {
		l.conn.ExecContext(context.Background(), "SET memory_limit = '"+strings.ReplaceAll(l.prevMemory, "'", "''")+"'")
	}
	return l.conn.Close()
}

func (l *loader) begin(ctx context.Context) error {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	l.tx = tx
	l.out.reset()
	return nil
}

func (l *loader) rollback() {
	l.wait()
	if l.tx != nil {
		l.tx.Rollback()
		l.tx = nil
	}
	for _, d := range l.dicts {
		d.rollback()
	}
	l.out.reset()
}

// add dictionary-encodes a batch into the insert buffer, inserting when
// full. Each dictionary is filled by its own goroutine (a dictionary is only
// ever touched by one), while this one copies the other columns.
func (l *loader) add(ctx context.Context, b *Batch, fileID int32) error {
	o := l.out
	o.fileID = fileID
	n := b.Len()
	var wg sync.WaitGroup
	for _, g := range l.groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.encode(b, o)
		}()
	}
	for i := 0; i < n; i++ {
		if rid := b.strAt(sRequestID, i); rid != nil {
			o.reqID = append(o.reqID, span{int32(len(o.reqArena)), int32(len(rid))})
			o.reqArena = append(o.reqArena, rid...)
		} else {
			o.reqID = append(o.reqID, span{0, -1})
		}
		if !l.keepClient {
			var h uint64 // 0 = no client
			if v := b.strAt(sClient, i); v != nil {
				if h = xxh3.HashSeed(v, l.salt); h == 0 {
					h = 1
				}
			}
			o.clientHash = append(o.clientHash, h)
		}
	}
	o.ts = append(o.ts, b.ts...)
	o.status = append(o.status, b.status...)
	o.size = append(o.size, b.size...)
	o.cache = append(o.cache, b.cache...)
	o.dur = append(o.dur, b.dur...)
	o.ttfb = append(o.ttfb, b.ttfb...)
	o.origin = append(o.origin, b.origin...)
	o.setCookie = append(o.setCookie, b.setCookie...)
	o.auth = append(o.auth, b.auth...)
	o.cookie = append(o.cookie, b.cookie...)
	wg.Wait()
	o.n += n
	if o.n >= insertRows {
		return l.flush(ctx)
	}
	return nil
}

// dictGroup is a dictionary with the string columns it encodes.
type dictGroup struct {
	d    *dict
	cols []int
}

func (g dictGroup) encode(b *Batch, o *rowsOut) {
	for _, c := range g.cols {
		ids := o.ids[c]
		for i := 0; i < b.Len(); i++ {
			v := b.strAt(c, i)
			switch {
			case v == nil:
				ids = append(ids, -1)
			case c == sCacheRaw && string(v) == CacheStatus(b.cache[i]).String():
				// The raw status is the normalized name (nginx): the view
				// derives it, nothing to store.
				ids = append(ids, -1)
			default:
				ids = append(ids, g.d.id(v))
			}
		}
		o.ids[c] = ids
	}
}

// flush starts inserting the buffered rows in the background (so that the
// next rows are encoded while DuckDB stores these); at most one insert runs.
func (l *loader) flush(ctx context.Context) error {
	if l.out.n == 0 {
		return nil
	}
	if err := l.wait(); err != nil {
		return err
	}
	full := l.out
	l.out, l.spare = l.spare, full
	l.out.reset()
	// The dictionaries' new values go in with the rows that use them (same
	// transaction), so that they are not held in memory until the commit.
	taken := l.takeValues()
	done := make(chan error, 1)
	l.inflight = done
	go func() {
		start := time.Now()
		if err := l.insertValues(ctx, taken); err != nil {
			done <- err
			return
		}
		src := newRowsSource(full)
		if err := l.insertFrom(ctx, src, src.insertSQL); err != nil {
			done <- fmt.Errorf("insert rows: %w", err)
			return
		}
		l.stats.inserts++
		l.stats.insertTime += time.Since(start)
		done <- nil
	}()
	return nil
}

// wait waits for the insert in flight, if any.
func (l *loader) wait() error {
	if l.inflight == nil {
		return nil
	}
	err := <-l.inflight
	l.inflight = nil
	return err
}

// insertFrom runs the INSERT built by stmt (given the table function call
// that reads src) inside the file's transaction.
func (l *loader) insertFrom(ctx context.Context, src duckdb.ParallelChunkTableSource, stmt func(fn string) string) error {
	l.mu.Lock()
	l.nextSrc++
	id := l.nextSrc
	l.sources[id] = src
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.sources, id)
		l.mu.Unlock()
	}()
	_, err := l.tx.ExecContext(ctx, stmt(fmt.Sprintf("%s(%d)", l.udf, id)))
	return err
}

// commit flushes, writes new dictionary values, runs the manifest statements
// and commits: the file's rows, its dictionary entries and its manifest row
// become visible together or not at all.
func (l *loader) commit(ctx context.Context, final func(tx *sql.Tx) error) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	if err := l.wait(); err != nil {
		return err
	}
	if err := l.insertValues(ctx, l.takeValues()); err != nil {
		return err
	}
	if err := final(l.tx); err != nil {
		return err
	}
	start := time.Now()
	if err := l.tx.Commit(); err != nil {
		return err
	}
	if l.log.Enabled(ctx, slog.LevelDebug) {
		var mem sql.NullInt64
		l.conn.QueryRowContext(ctx, "SELECT sum(memory_usage_bytes) FROM duckdb_memory()").Scan(&mem)
		l.log.Debug("commit", "took", time.Since(start), "inserts", l.stats.inserts, "insert_time", l.stats.insertTime, "duckdb_memory", mem.Int64)
	}
	l.stats = loadStats{}
	l.tx = nil
	for _, d := range l.dicts {
		d.commit()
	}
	return nil
}

// chunkSource is the part of a table source shared by the row and dictionary
// buffers: it hands out chunk-sized row ranges to DuckDB's threads.
type chunkSource struct {
	n    int
	next atomic.Int64
}

func (c *chunkSource) Cardinality() *duckdb.CardinalityInfo {
	return &duckdb.CardinalityInfo{Cardinality: uint(c.n), Exact: true}
}
func (c *chunkSource) Init() duckdb.ParallelTableSourceInfo {
	return duckdb.ParallelTableSourceInfo{MaxThreads: 0}
}
func (c *chunkSource) NewLocalState() any { return &struct{}{} }

// claim returns the next row range to fill.
func (c *chunkSource) claim() (int, int) {
	cap := duckdb.GetDataChunkCapacity()
	start := int(c.next.Add(int64(cap))) - cap
	if start >= c.n {
		return 0, 0
	}
	return start, min(start+cap, c.n)
}

func typeInfos(ts ...duckdb.Type) []duckdb.TypeInfo {
	out := make([]duckdb.TypeInfo, len(ts))
	for i, t := range ts {
		ti, err := duckdb.NewTypeInfo(t)
		if err != nil {
			panic(err) // only primitive types are passed: cannot fail
		}
		out[i] = ti
	}
	return out
}

// takeValues takes the dictionaries' values not yet handed to the store.
func (l *loader) takeValues() map[store.Dict]*values {
	out := map[store.Dict]*values{}
	for name, d := range l.dicts {
		if d.pending() > 0 {
			out[name] = d.take()
		}
	}
	return out
}

// insertValues inserts taken dictionary values in the file's transaction.
func (l *loader) insertValues(ctx context.Context, taken map[store.Dict]*values) error {
	for name, vs := range taken {
		src := &dictSource{chunkSource: chunkSource{n: vs.len()}, vs: vs}
		table := name.Table()
		if err := l.insertFrom(ctx, src, func(fn string) string { return "INSERT INTO " + table + " SELECT * FROM " + fn }); err != nil {
			return fmt.Errorf("insert dictionary %s: %w", name, err)
		}
	}
	return nil
}

// dictSource feeds new dictionary entries (id, value).
type dictSource struct {
	chunkSource
	vs *values
}

func (s *dictSource) ColumnInfos() []duckdb.ColumnInfo {
	t := typeInfos(duckdb.TYPE_INTEGER, duckdb.TYPE_VARCHAR)
	return []duckdb.ColumnInfo{{Name: "id", T: t[0]}, {Name: "value", T: t[1]}}
}

func (s *dictSource) FillChunk(_ any, ch duckdb.DataChunk) error {
	start, end := s.claim()
	for i := start; i < end; i++ {
		if err := duckdb.SetChunkValue(ch, 0, i-start, s.vs.first+int32(i)); err != nil {
			return err
		}
		if err := duckdb.SetChunkValue(ch, 1, i-start, string(s.vs.at(i))); err != nil {
			return err
		}
	}
	return ch.SetSize(end - start)
}

// rowsSource feeds the insert buffer in the column order of requests_raw,
// leaving out the columns that are NULL in every buffered row (DuckDB fills
// those itself, which saves a call into DuckDB per NULL cell).
type rowsSource struct {
	chunkSource
	o    *rowsOut
	cols []int // indexes into store.RawColumns
}

// rawTypes are the DuckDB types the table function emits per raw column; ts
// travels as BIGINT microseconds and is converted in the INSERT.
var rawTypes = []duckdb.Type{duckdb.TYPE_BIGINT, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_VARCHAR,
	duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_SMALLINT,
	duckdb.TYPE_BIGINT, duckdb.TYPE_UTINYINT, duckdb.TYPE_INTEGER, duckdb.TYPE_DOUBLE, duckdb.TYPE_DOUBLE,
	duckdb.TYPE_DOUBLE, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_BOOLEAN,
	duckdb.TYPE_BOOLEAN, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_UBIGINT,
	duckdb.TYPE_BOOLEAN, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER, duckdb.TYPE_INTEGER}

// idCol maps a raw column holding a dictionary id to its Batch string column.
// (-1: not an id column).
var idCol = func() (m [29]int) {
	for i := range m {
		m[i] = -1
	}
	m[2], m[4], m[5], m[6], m[7], m[11] = sPop, sMethod, sHost, sPath, sQuery, sCacheRaw
	m[15], m[16], m[17], m[20], m[21], m[22] = sCacheControl, sContentType, sETag, sUA, sReferer, sClient
	m[25], m[26], m[27], m[28] = sCookieNames, sVary, sLang, sAccept
	return m
}()

// newRowsSource picks the columns that have at least one value.
func newRowsSource(o *rowsOut) *rowsSource {
	s := &rowsSource{chunkSource: chunkSource{n: o.n}, o: o}
	for c := range store.RawColumns {
		if c != 1 && s.anyValue(c) {
			s.cols = append(s.cols, c)
		}
	}
	return s
}

func (s *rowsSource) anyValue(c int) bool {
	o := s.o
	if (c == 23 && len(o.clientHash) == 0) || (idCol[c] >= 0 && len(o.ids[idCol[c]]) == 0) {
		return false // column not filled in this mode (client: hash or dictionary)
	}
	for i := 0; i < o.n; i++ {
		var ok bool
		switch c {
		case 0:
			ok = o.ts[i] != noTS
		case 3:
			ok = o.reqID[i].n >= 0
		case 8:
			ok = o.status[i] > 0
		case 9:
			ok = o.size[i] >= 0
		case 10:
			ok = o.cache[i] != 0
		case 12:
			ok = !math.IsNaN(o.dur[i])
		case 13:
			ok = !math.IsNaN(o.ttfb[i])
		case 14:
			ok = !math.IsNaN(o.origin[i])
		case 18:
			ok = o.setCookie[i] >= 0
		case 19:
			ok = o.auth[i] >= 0
		case 24:
			ok = o.cookie[i] >= 0
		case 23:
			ok = o.clientHash[i] != 0
		default:
			ok = o.ids[idCol[c]][i] >= 0
		}
		if ok {
			return true
		}
	}
	return false
}

// insertSQL is the INSERT that reads this source. The file id is a constant
// of the statement; ts arrives as microseconds (to_timestamp of the seconds
// is exact to the microsecond for any date this tool meets, and far cheaper
// than a time zone conversion per row).
func (s *rowsSource) insertSQL(fn string) string {
	names := []string{"file_id"}
	exprs := []string{fmt.Sprint(s.o.fileID)}
	for _, c := range s.cols {
		names = append(names, store.RawColumns[c])
		e := store.RawColumns[c]
		if c == 0 {
			e = "to_timestamp(ts / 1000000)"
		}
		exprs = append(exprs, e)
	}
	return fmt.Sprintf("INSERT INTO requests_raw (%s) SELECT %s FROM %s", strings.Join(names, ", "), strings.Join(exprs, ", "), fn)
}

func (s *rowsSource) ColumnInfos() []duckdb.ColumnInfo {
	out := make([]duckdb.ColumnInfo, len(s.cols))
	for i, c := range s.cols {
		var t duckdb.TypeInfo
		if c == 10 {
			names := CacheStatusNames()
			enum, err := duckdb.NewEnumInfo(names[0], names[1:]...)
			if err != nil {
				panic(err) // constant, valid names
			}
			t = enum
		} else {
			t = typeInfos(rawTypes[c])[0]
		}
		out[i] = duckdb.ColumnInfo{Name: store.RawColumns[c], T: t}
	}
	return out
}

func (s *rowsSource) FillChunk(_ any, ch duckdb.DataChunk) error {
	start, end := s.claim()
	o := s.o
	var err error
	null := func(col, row int) {
		if err == nil {
			err = ch.SetValue(col, row, nil)
		}
	}
	for k, c := range s.cols {
		for i := start; i < end && err == nil; i++ {
			r := i - start
			switch c {
			case 0:
				if o.ts[i] != noTS {
					err = duckdb.SetChunkValue(ch, k, r, o.ts[i])
				} else {
					null(k, r)
				}
			case 3:
				if sp := o.reqID[i]; sp.n > 0 {
					err = duckdb.SetChunkValue(ch, k, r, unsafe.String(&o.reqArena[sp.off], sp.n))
				} else if sp.n == 0 {
					err = duckdb.SetChunkValue(ch, k, r, "")
				} else {
					null(k, r)
				}
			case 8:
				if o.status[i] > 0 {
					err = duckdb.SetChunkValue(ch, k, r, o.status[i])
				} else {
					null(k, r)
				}
			case 9:
				if o.size[i] >= 0 {
					err = duckdb.SetChunkValue(ch, k, r, o.size[i])
				} else {
					null(k, r)
				}
			case 10:
				if o.cache[i] != 0 {
					err = duckdb.SetChunkValue(ch, k, r, CacheStatus(o.cache[i]).String())
				} else {
					null(k, r)
				}
			case 12, 13, 14:
				v := o.dur[i]
				if c == 13 {
					v = o.ttfb[i]
				} else if c == 14 {
					v = o.origin[i]
				}
				if !math.IsNaN(v) {
					err = duckdb.SetChunkValue(ch, k, r, v)
				} else {
					null(k, r)
				}
			case 18, 19, 24:
				v := o.setCookie[i]
				switch c {
				case 19:
					v = o.auth[i]
				case 24:
					v = o.cookie[i]
				}
				if v >= 0 {
					err = duckdb.SetChunkValue(ch, k, r, v == 1)
				} else {
					null(k, r)
				}
			case 23:
				if h := o.clientHash[i]; h != 0 {
					err = duckdb.SetChunkValue(ch, k, r, h)
				} else {
					null(k, r)
				}
			default:
				if id := o.ids[idCol[c]][i]; id >= 0 {
					err = duckdb.SetChunkValue(ch, k, r, id)
				} else {
					null(k, r)
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return ch.SetSize(end - start)
}

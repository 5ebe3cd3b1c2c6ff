package ingest

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/zeebo/xxh3"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// insertRows is how many rows are handed to DuckDB in one INSERT.
const insertRows = 120 * 2048

// dict is the in-memory side of one dictionary table: value -> id, plus the
// values added since the last commit (written with the file's transaction, and
// forgotten again if it rolls back).
type dict struct {
	name    store.Dict
	ids     map[string]int32
	next    int32
	pending []string
}

func (d *dict) id(b []byte) int32 {
	if id, ok := d.ids[string(b)]; ok {
		return id
	}
	s := string(b)
	id := d.next
	d.next++
	d.ids[s] = id
	d.pending = append(d.pending, s)
	return id
}

func (d *dict) rollback() {
	for _, s := range d.pending {
		delete(d.ids, s)
	}
	d.next -= int32(len(d.pending))
	d.pending = d.pending[:0]
}

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
}

func (o *rowsOut) reset() {
	o.n = 0
	o.ts, o.reqID, o.reqArena = o.ts[:0], o.reqID[:0], o.reqArena[:0]
	for i := range o.ids {
		o.ids[i] = o.ids[i][:0]
	}
	o.status, o.size, o.cache = o.status[:0], o.size[:0], o.cache[:0]
	o.dur, o.ttfb, o.origin = o.dur[:0], o.ttfb[:0], o.origin[:0]
	o.setCookie, o.auth = o.setCookie[:0], o.auth[:0]
}

// loader writes parsed batches into the store, one transaction per file.
type loader struct {
	conn       *sql.Conn
	tx         *sql.Tx
	dicts      map[store.Dict]*dict
	colDict    [nStr]*dict
	keepClient bool
	salt       uint64

	mu      sync.Mutex
	sources map[int64]duckdb.ParallelChunkTableSource
	nextSrc int64

	out rowsOut
}

// udfName is the table function through which Go buffers are read by DuckDB.
const udfName = "cdnadvise_src"

func newLoader(ctx context.Context, st *store.Store, keepClient bool) (*loader, error) {
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	l := &loader{conn: conn, dicts: map[store.Dict]*dict{}, keepClient: keepClient, sources: map[int64]duckdb.ParallelChunkTableSource{}}
	if l.salt, err = st.ClientSalt(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	bigint, err := duckdb.NewTypeInfo(duckdb.TYPE_BIGINT)
	if err != nil {
		conn.Close()
		return nil, err
	}
	err = duckdb.RegisterTableUDF(conn, udfName, duckdb.ParallelChunkTableFunction{
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
		d := &dict{name: name, ids: map[string]int32{}}
		if err := l.loadDict(ctx, d); err != nil {
			conn.Close()
			return nil, err
		}
		l.dicts[name] = d
	}
	cols := map[int]store.Dict{
		sMethod: store.DictMisc, sHost: store.DictHost, sPath: store.DictPath, sQuery: store.DictQuery,
		sPop: store.DictMisc, sCacheRaw: store.DictMisc, sCacheControl: store.DictMisc, sContentType: store.DictMisc,
		sETag: store.DictETag, sUA: store.DictUA, sReferer: store.DictReferer, sClient: store.DictClient,
	}
	for c, name := range cols {
		l.colDict[c] = l.dicts[name]
	}
	return l, nil
}

func (l *loader) loadDict(ctx context.Context, d *dict) error {
	rows, err := l.conn.QueryContext(ctx, "SELECT id, value FROM "+d.name.Table())
	if err != nil {
		return fmt.Errorf("read dictionary %s: %w", d.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return err
		}
		d.ids[v] = id
		if id >= d.next {
			d.next = id + 1
		}
	}
	return rows.Err()
}

func (l *loader) Close() error { return l.conn.Close() }

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
	if l.tx != nil {
		l.tx.Rollback()
		l.tx = nil
	}
	for _, d := range l.dicts {
		d.rollback()
	}
	l.out.reset()
}

// add dictionary-encodes a batch into the insert buffer, inserting when full.
func (l *loader) add(ctx context.Context, b *Batch, fileID int32) error {
	o := &l.out
	o.fileID = fileID
	var hbuf [16]byte
	for i := 0; i < b.Len(); i++ {
		for c := 0; c < nStr; c++ {
			if c == sRequestID {
				continue
			}
			v := b.strAt(c, i)
			if v == nil {
				o.ids[c] = append(o.ids[c], -1)
				continue
			}
			if c == sClient && !l.keepClient {
				h := xxh3.HashSeed(v, l.salt)
				var raw [8]byte
				for k := 0; k < 8; k++ {
					raw[k] = byte(h >> (56 - 8*k))
				}
				hex.Encode(hbuf[:], raw[:])
				v = hbuf[:]
			}
			o.ids[c] = append(o.ids[c], l.colDict[c].id(v))
		}
		if rid := b.strAt(sRequestID, i); rid != nil {
			o.reqID = append(o.reqID, span{int32(len(o.reqArena)), int32(len(rid))})
			o.reqArena = append(o.reqArena, rid...)
		} else {
			o.reqID = append(o.reqID, span{0, -1})
		}
		o.n++
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
	if o.n >= insertRows {
		return l.flush(ctx)
	}
	return nil
}

// flush inserts the buffered rows.
func (l *loader) flush(ctx context.Context) error {
	if l.out.n == 0 {
		return nil
	}
	src := &rowsSource{chunkSource: chunkSource{n: l.out.n}, o: &l.out}
	if err := l.insertFrom(ctx, src, "requests_raw"); err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	l.out.reset()
	return nil
}

func (l *loader) insertFrom(ctx context.Context, src duckdb.ParallelChunkTableSource, table string) error {
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
	_, err := l.tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s SELECT * FROM %s(%d)", table, udfName, id))
	return err
}

// commit flushes, writes new dictionary values, runs the manifest statements
// and commits: the file's rows, its dictionary entries and its manifest row
// become visible together or not at all.
func (l *loader) commit(ctx context.Context, final func(tx *sql.Tx) error) error {
	if err := l.flush(ctx); err != nil {
		return err
	}
	for _, d := range l.dicts {
		if len(d.pending) == 0 {
			continue
		}
		src := &dictSource{chunkSource: chunkSource{n: len(d.pending)}, first: d.next - int32(len(d.pending)), values: d.pending}
		if err := l.insertFrom(ctx, src, d.name.Table()); err != nil {
			return fmt.Errorf("insert dictionary %s: %w", d.name, err)
		}
	}
	if err := final(l.tx); err != nil {
		return err
	}
	if err := l.tx.Commit(); err != nil {
		return err
	}
	l.tx = nil
	for _, d := range l.dicts {
		d.pending = d.pending[:0]
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

// dictSource feeds new dictionary entries (id, value).
type dictSource struct {
	chunkSource
	first  int32
	values []string
}

func (s *dictSource) ColumnInfos() []duckdb.ColumnInfo {
	t := typeInfos(duckdb.TYPE_INTEGER, duckdb.TYPE_VARCHAR)
	return []duckdb.ColumnInfo{{Name: "id", T: t[0]}, {Name: "value", T: t[1]}}
}

func (s *dictSource) FillChunk(_ any, ch duckdb.DataChunk) error {
	start, end := s.claim()
	for i := start; i < end; i++ {
		if err := duckdb.SetChunkValue(ch, 0, i-start, s.first+int32(i)); err != nil {
			return err
		}
		if err := duckdb.SetChunkValue(ch, 1, i-start, s.values[i]); err != nil {
			return err
		}
	}
	return ch.SetSize(end - start)
}

// rowsSource feeds the insert buffer in the column order of requests_raw.
type rowsSource struct {
	chunkSource
	o *rowsOut
}

func (s *rowsSource) ColumnInfos() []duckdb.ColumnInfo {
	t := typeInfos(duckdb.TYPE_TIMESTAMP_TZ, duckdb.TYPE_INTEGER, duckdb.TYPE_VARCHAR, duckdb.TYPE_SMALLINT,
		duckdb.TYPE_BIGINT, duckdb.TYPE_DOUBLE, duckdb.TYPE_BOOLEAN)
	tsT, intT, strT, smallT, bigT, dblT, boolT := t[0], t[1], t[2], t[3], t[4], t[5], t[6]
	enum, err := duckdb.NewEnumInfo(CacheHit.String(), cacheEnumRest()...)
	if err != nil {
		panic(err)
	}
	types := []duckdb.TypeInfo{tsT, intT, intT, strT, intT, intT, intT, intT, smallT, bigT, enum, intT,
		dblT, dblT, dblT, intT, intT, intT, boolT, boolT, intT, intT, intT}
	out := make([]duckdb.ColumnInfo, len(types))
	for i, ti := range types {
		out[i] = duckdb.ColumnInfo{Name: store.RawColumns[i], T: ti}
	}
	return out
}

func cacheEnumRest() []string {
	n := CacheStatusNames()
	return n[1:]
}

func (s *rowsSource) FillChunk(_ any, ch duckdb.DataChunk) error {
	start, end := s.claim()
	o := s.o
	var err error
	set := func(col, row int, v any) {
		if err == nil {
			err = ch.SetValue(col, row, v)
		}
	}
	for i := start; i < end; i++ {
		r := i - start
		if o.ts[i] == noTS {
			set(0, r, nil)
		} else {
			err = orErr(err, duckdb.SetChunkValue(ch, 0, r, time.UnixMicro(o.ts[i])))
		}
		err = orErr(err, duckdb.SetChunkValue(ch, 1, r, o.fileID))
		setID(ch, 2, r, o.ids[sPop][i], &err)
		if sp := o.reqID[i]; sp.n >= 0 {
			err = orErr(err, duckdb.SetChunkValue(ch, 3, r, unsafe.String(&o.reqArena[sp.off], sp.n)))
		} else {
			set(3, r, nil)
		}
		setID(ch, 4, r, o.ids[sMethod][i], &err)
		setID(ch, 5, r, o.ids[sHost][i], &err)
		setID(ch, 6, r, o.ids[sPath][i], &err)
		setID(ch, 7, r, o.ids[sQuery][i], &err)
		if o.status[i] > 0 {
			err = orErr(err, duckdb.SetChunkValue(ch, 8, r, o.status[i]))
		} else {
			set(8, r, nil)
		}
		if o.size[i] >= 0 {
			err = orErr(err, duckdb.SetChunkValue(ch, 9, r, o.size[i]))
		} else {
			set(9, r, nil)
		}
		if c := CacheStatus(o.cache[i]); c != CacheNone {
			err = orErr(err, duckdb.SetChunkValue(ch, 10, r, c.String()))
		} else {
			set(10, r, nil)
		}
		setID(ch, 11, r, o.ids[sCacheRaw][i], &err)
		setFloat(ch, 12, r, o.dur[i], &err)
		setFloat(ch, 13, r, o.ttfb[i], &err)
		setFloat(ch, 14, r, o.origin[i], &err)
		setID(ch, 15, r, o.ids[sCacheControl][i], &err)
		setID(ch, 16, r, o.ids[sContentType][i], &err)
		setID(ch, 17, r, o.ids[sETag][i], &err)
		setBool(ch, 18, r, o.setCookie[i], &err)
		setBool(ch, 19, r, o.auth[i], &err)
		setID(ch, 20, r, o.ids[sUA][i], &err)
		setID(ch, 21, r, o.ids[sReferer][i], &err)
		setID(ch, 22, r, o.ids[sClient][i], &err)
		if err != nil {
			return err
		}
	}
	return ch.SetSize(end - start)
}

func orErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func setID(ch duckdb.DataChunk, col, row int, id int32, err *error) {
	if *err != nil {
		return
	}
	if id < 0 {
		*err = ch.SetValue(col, row, nil)
		return
	}
	*err = duckdb.SetChunkValue(ch, col, row, id)
}

func setFloat(ch duckdb.DataChunk, col, row int, v float64, err *error) {
	if *err != nil {
		return
	}
	if math.IsNaN(v) {
		*err = ch.SetValue(col, row, nil)
		return
	}
	*err = duckdb.SetChunkValue(ch, col, row, v)
}

func setBool(ch duckdb.DataChunk, col, row int, v int8, err *error) {
	if *err != nil {
		return
	}
	if v < 0 {
		*err = ch.SetValue(col, row, nil)
		return
	}
	*err = duckdb.SetChunkValue(ch, col, row, v == 1)
}

package replay

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// KeyPolicy says how the query string enters the cache key.
type KeyPolicy string

// Cache key policies.
const (
	KeyRaw        KeyPolicy = "raw"         // host + path + query as logged
	KeyNoTracking KeyPolicy = "no-tracking" // tracking parameters (utm_*, fbclid, ...) dropped
	KeySorted     KeyPolicy = "sorted"      // tracking parameters dropped and parameters sorted
	KeyNoQuery    KeyPolicy = "no-query"    // the query string ignored
)

// LoadOptions select the requests replayed from the store.
type LoadOptions struct {
	Since, Until time.Time
	Host         string
	// Tier: "edge" or "origin"; default edge when edge logs exist (their
	// arrivals), else origin ("what if a CDN were in front").
	Tier string
	// PerPoP keeps one cache per edge location (else one shared cache).
	PerPoP bool
	Key    KeyPolicy
	// Sample keeps this share of paths (SHARDS-style spatial sampling:
	// by a hash of the path, so a path is all in or all out); 0 or 1: all.
	Sample float64
	Router analyze.Router
}

// LoadStream reads the request stream from the store, in time order, as
// compact integer columns, and maps it onto cache entries, content keys and
// endpoint templates.
func LoadStream(ctx context.Context, st *store.Store, o LoadOptions) (*Stream, string, error) {
	if o.Key == "" {
		o.Key = KeyRaw
	}
	switch o.Key {
	case KeyRaw, KeyNoTracking, KeySorted, KeyNoQuery:
	default:
		return nil, "", fmt.Errorf("unknown key policy %q (raw, no-tracking, sorted, no-query)", o.Key)
	}
	conn, err := st.DB.Conn(ctx)
	if err != nil {
		return nil, "", err
	}
	defer conn.Close()
	var where []string
	var args []any
	if !o.Since.IsZero() {
		where, args = append(where, "r.ts >= ?"), append(args, o.Since)
	}
	if !o.Until.IsZero() {
		where, args = append(where, "r.ts < ?"), append(args, o.Until)
	}
	if o.Host != "" {
		where, args = append(where, "r.host_id IN (SELECT id FROM d_host WHERE value = ?)"), append(args, o.Host)
	}
	if o.Sample > 0 && o.Sample < 1 {
		where = append(where, fmt.Sprintf("hash(r.path_id) %% 1000000 < %d", int64(o.Sample*1e6)))
	}
	where = append(where, "r.ts IS NOT NULL")
	cond := strings.Join(where, " AND ")

	tier := o.Tier
	if tier == "" {
		var edge int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = 'edge' AND `+cond, args...).Scan(&edge); err != nil {
			return nil, "", err
		}
		tier = "origin"
		if edge > 0 {
			tier = "edge"
		}
	}
	// Query normalization per distinct query string.
	normQ, err := queryNormalizer(ctx, conn, o.Key)
	if err != nil {
		return nil, "", err
	}
	// Paths -> endpoints.
	var paths []analyze.PathStat
	rows, err := conn.QueryContext(ctx, `SELECT p.id, p.value, count(*) FROM requests_raw r JOIN files f USING (file_id) JOIN d_path p ON p.id = r.path_id
		WHERE f.tier = '`+tier+`' AND `+cond+` GROUP BY ALL`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("read paths: %w", err)
	}
	for rows.Next() {
		var p analyze.PathStat
		if err := rows.Scan(&p.ID, &p.Path, &p.Requests); err != nil {
			rows.Close()
			return nil, "", err
		}
		paths = append(paths, p)
	}
	rows.Close()
	tpl := analyze.InferTemplates(paths, o.Router, analyze.TemplateOptions{})
	s := &Stream{}
	epIndex := map[string]int32{}
	epOfPath := map[int32]int32{}
	for i, p := range paths {
		id, ok := epIndex[tpl[i].Endpoint]
		if !ok {
			id = int32(len(s.Endpoints))
			epIndex[tpl[i].Endpoint] = id
			s.Endpoints = append(s.Endpoints, tpl[i].Endpoint)
		}
		epOfPath[p.ID] = id
	}

	// The stream itself: four integers per request.
	rows, err = conn.QueryContext(ctx, `SELECT epoch_ms(r.ts),
			(r.path_id::BIGINT << 32) | (coalesce(r.query_id, -1) + 1),
			((coalesce(r.host_id, -1) + 1)::BIGINT << 32) | (coalesce(r.pop_id, -1) + 1),
			(coalesce(r.bytes, 0) << 16) | (coalesce(r.status, 0)::BIGINT << 4)
				| CASE WHEN coalesce(m.value NOT IN ('GET', 'HEAD'), false) OR coalesce(r.set_cookie, false) OR coalesce(r.has_auth, false)
					OR coalesce(cc.value ILIKE '%private%' OR cc.value ILIKE '%no-store%', false) THEN 1 ELSE 0 END
		FROM requests_raw r JOIN files f USING (file_id)
		LEFT JOIN d_misc m ON m.id = r.method_id LEFT JOIN d_misc cc ON cc.id = r.cc_id
		WHERE f.tier = '`+tier+`' AND `+cond+` ORDER BY r.ts`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("read requests: %w", err)
	}
	type entry struct {
		host, pop, path, q int32
	}
	states := map[entry]int32{}
	contents := map[[2]int32]int32{}
	for rows.Next() {
		var t, pq, hp, bs int64
		if err := rows.Scan(&t, &pq, &hp, &bs); err != nil {
			rows.Close()
			return nil, "", err
		}
		path, q := int32(pq>>32), int32(pq&0xffffffff)-1
		host, pop := int32(hp>>32)-1, int32(hp&0xffffffff)-1
		nq := normQ(q)
		e := entry{host: host, path: path, q: nq, pop: -1}
		if o.PerPoP {
			e.pop = pop
		}
		sid, ok := states[e]
		if !ok {
			sid = int32(len(states))
			states[e] = sid
		}
		ck := [2]int32{path, nq}
		cid, ok := contents[ck]
		if !ok {
			cid = int32(len(contents))
			contents[ck] = cid
		}
		status := (bs >> 4) & 0xfff
		var fl uint8
		switch {
		case bs&1 != 0:
			fl = FlagUncacheable
		case status >= 500:
			fl = FlagOriginError
		case !cacheableStatus(status):
			fl = FlagUncacheable
		}
		s.TimeMS = append(s.TimeMS, t)
		s.State = append(s.State, sid)
		s.Content = append(s.Content, cid)
		s.Endpoint = append(s.Endpoint, epOfPath[path])
		s.Size = append(s.Size, bs>>16)
		s.Flags = append(s.Flags, fl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	s.NStates, s.NContent = len(states), len(contents)
	if err := loadChanges(ctx, conn, s, contents, normQ, tier, cond, args); err != nil {
		return nil, "", err
	}
	if err := loadLatency(ctx, conn, s, epOfPath, tier, cond, args); err != nil {
		return nil, "", err
	}
	return s, tier, nil
}

// cacheableStatus: statuses a shared cache may store (RFC 9111 4.2.2).
func cacheableStatus(s int64) bool {
	switch s {
	case 0, 200, 203, 204, 206, 300, 301, 304, 308, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// queryNormalizer returns the function mapping a query id to the id of its
// normalized form under the key policy (-1: no query).
func queryNormalizer(ctx context.Context, conn *sql.Conn, policy KeyPolicy) (func(int32) int32, error) {
	if policy == KeyRaw {
		return func(q int32) int32 { return q }, nil
	}
	if policy == KeyNoQuery {
		return func(int32) int32 { return -1 }, nil
	}
	rows, err := conn.QueryContext(ctx, "SELECT id, value FROM d_query")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byText := map[string]int32{}
	m := map[int32]int32{}
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		n := NormalizeQuery(v, policy == KeySorted)
		if n == "" {
			m[id] = -1
			continue
		}
		nid, ok := byText[n]
		if !ok {
			nid = int32(len(byText))
			byText[n] = nid
		}
		m[id] = nid
	}
	return func(q int32) int32 {
		if q < 0 {
			return -1
		}
		if v, ok := m[q]; ok {
			return v
		}
		return q
	}, rows.Err()
}

// NormalizeQuery drops tracking parameters (and sorts the rest when sorted).
func NormalizeQuery(q string, sorted bool) string {
	parts := strings.Split(q, "&")
	out := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			name = p[:i]
		}
		if dec, err := url.QueryUnescape(name); err == nil {
			name = dec
		}
		if analyze.IsTracking(name) {
			continue
		}
		out = append(out, p)
	}
	if sorted {
		sort.Strings(out)
	}
	return strings.Join(out, "&")
}

// loadChanges finds when each content key changed at the origin: origin
// responses (or, without origin logs, the edge's fetches from the origin)
// whose ETag, or size when there is no ETag, differs from the previous one.
func loadChanges(ctx context.Context, conn *sql.Conn, s *Stream, contents map[[2]int32]int32, normQ func(int32) int32, tier, cond string, args []any) error {
	src := `f.tier = 'origin'`
	var n int64
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = 'origin' AND `+cond, args...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		src = `f.tier = 'edge' AND r.cache_status IN ('MISS', 'EXPIRED')`
	}
	rows, err := conn.QueryContext(ctx, `SELECT r.path_id, coalesce(r.query_id, -1), epoch_ms(r.ts), coalesce(r.etag_id::BIGINT, -1), coalesce(r.bytes, -1)
		FROM requests_raw r JOIN files f USING (file_id) WHERE `+src+` AND r.status = 200 AND `+cond+`
		ORDER BY r.path_id, r.query_id, r.ts`, args...)
	if err != nil {
		return fmt.Errorf("content versions: %w", err)
	}
	defer rows.Close()
	s.Changes = make([][]int64, s.NContent)
	s.Observed = make([]bool, s.NContent)
	lastVersion := map[int32]int64{}
	for rows.Next() {
		var path, q int32
		var t, etag, size int64
		if err := rows.Scan(&path, &q, &t, &etag, &size); err != nil {
			return err
		}
		cid, ok := contents[[2]int32{path, normQ(q)}]
		if !ok {
			continue
		}
		v := size
		if etag >= 0 {
			v = math.MaxInt32 + etag
		}
		if prev, seen := lastVersion[cid]; seen && prev != v {
			s.Changes[cid] = append(s.Changes[cid], t)
		}
		lastVersion[cid] = v
		s.Observed[cid] = true
	}
	for c := range s.Changes {
		sort.Slice(s.Changes[c], func(i, j int) bool { return s.Changes[c][i] < s.Changes[c][j] })
	}
	return rows.Err()
}

// loadLatency reads the observed mean latency of hits and misses per
// endpoint (misses: the origin's own time when only origin logs exist).
func loadLatency(ctx context.Context, conn *sql.Conn, s *Stream, epOfPath map[int32]int32, tier, cond string, args []any) error {
	rows, err := conn.QueryContext(ctx, `SELECT r.path_id,
			sum(r.duration_ms) FILTER (WHERE r.cache_status IN ('HIT', 'STALE', 'UPDATING')), count(r.duration_ms) FILTER (WHERE r.cache_status IN ('HIT', 'STALE', 'UPDATING')),
			sum(r.duration_ms) FILTER (WHERE r.cache_status IS NULL OR r.cache_status NOT IN ('HIT', 'STALE', 'UPDATING')),
			count(r.duration_ms) FILTER (WHERE r.cache_status IS NULL OR r.cache_status NOT IN ('HIT', 'STALE', 'UPDATING'))
		FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = '`+tier+`' AND `+cond+` GROUP BY 1`, args...)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	defer rows.Close()
	n := len(s.Endpoints)
	hs, hn, ms, mn := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for rows.Next() {
		var path int32
		var hsum, msum sql.NullFloat64
		var hc, mc int64
		if err := rows.Scan(&path, &hsum, &hc, &msum, &mc); err != nil {
			return err
		}
		ep, ok := epOfPath[path]
		if !ok {
			continue
		}
		hs[ep] += hsum.Float64
		hn[ep] += float64(hc)
		ms[ep] += msum.Float64
		mn[ep] += float64(mc)
	}
	s.HitMS, s.MissMS = make([]float64, n), make([]float64, n)
	for e := 0; e < n; e++ {
		s.HitMS[e], s.MissMS[e] = math.NaN(), math.NaN()
		if hn[e] > 0 {
			s.HitMS[e] = hs[e] / hn[e]
		}
		if mn[e] > 0 {
			s.MissMS[e] = ms[e] / mn[e]
		}
	}
	return rows.Err()
}

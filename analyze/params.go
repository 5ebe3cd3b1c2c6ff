package analyze

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// trackingParams are query parameters set by ad and analytics tools: they
// never change the response, but each distinct value is a separate cache key.
var trackingParams = []string{"utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid",
	"_ga", "_gl", "yclid", "igshid", "ttclid", "twclid", "li_fat_id", "epik", "s_kwcid", "_hsenc", "_hsmi", "mkt_tok", "srsltid"}

// TrackingParams lists the known tracking parameter names ("utm_*": a
// prefix), for edge configurations that drop them from cache keys.
func TrackingParams() []string { return append([]string(nil), trackingParams...) }

// IsTracking reports whether a query parameter is a known tracking parameter.
func IsTracking(name string) bool {
	n := strings.ToLower(name)
	for _, t := range trackingParams {
		if strings.HasSuffix(t, "*") && strings.HasPrefix(n, t[:len(t)-1]) || n == t {
			return true
		}
	}
	return false
}

// trackingRegex matches tracking parameter names, for DuckDB.
func trackingRegex() string {
	alts := make([]string, len(trackingParams))
	for i, t := range trackingParams {
		alts[i] = strings.ReplaceAll(t, "*", ".*")
	}
	return "^(" + strings.Join(alts, "|") + ")$"
}

// params fills, per endpoint, the query parameters seen (how often, how many
// distinct values, tracking or not) and how many cache keys would remain with
// tracking parameters dropped and parameters sorted.
func (a *analysis) params(ctx context.Context, rows []Row) error {
	q := `WITH qc AS (
			SELECT ep_id, query_id, sum(n) AS n FROM k WHERE query_id IS NOT NULL GROUP BY ALL
		), kv AS (
			SELECT ep_id, n, unnest(string_split(q.value, '&')) AS kv FROM qc JOIN d_query q ON q.id = qc.query_id
		)
		SELECT ep_id, split_part(kv, '=', 1) AS name, sum(n)::BIGINT, count(DISTINCT kv)
		FROM kv WHERE kv <> '' GROUP BY ALL ORDER BY 1, 3 DESC, 2`
	res, err := a.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("query parameters: %w", err)
	}
	byEndpoint := map[int64][]Param{}
	for res.Next() {
		var ep int64
		var p Param
		if err := res.Scan(&ep, &p.Name, &p.Requests, &p.Values); err != nil {
			res.Close()
			return err
		}
		p.Tracking = IsTracking(p.Name)
		if len(byEndpoint[ep]) < 20 {
			byEndpoint[ep] = append(byEndpoint[ep], p)
		}
	}
	res.Close()
	if err := res.Err(); err != nil {
		return err
	}
	norm := map[int64]int64{}
	// Normalize each distinct query once, then count keys.
	q = `WITH nq AS (
			SELECT id, hash(list_sort(list_filter(string_split(value, '&'),
				x -> x <> '' AND NOT regexp_matches(lower(split_part(x, '=', 1)), '` + trackingRegex() + `')))) AS h
			FROM d_query WHERE id IN (SELECT DISTINCT query_id FROM k)
		)
		SELECT ep_id, count(DISTINCT hash(host_id, path_id, coalesce(nq.h, 0))) FROM k LEFT JOIN nq ON nq.id = k.query_id GROUP BY 1`
	res, err = a.conn.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("normalized cache keys: %w", err)
	}
	for res.Next() {
		var ep, n int64
		if err := res.Scan(&ep, &n); err != nil {
			res.Close()
			return err
		}
		norm[ep] = n
	}
	res.Close()
	if err := res.Err(); err != nil {
		return err
	}
	for i := range rows {
		rows[i].Params = byEndpoint[rows[i].epID]
		if n, ok := norm[rows[i].epID]; ok && len(a.opts.By) == 1 {
			rows[i].KeysNormalized = &n
		}
	}
	return nil
}

// join measures how well edge and origin rows match: by request id where
// both tiers log one, else by method, path and query within a time window.
func (a *analysis) join(ctx context.Context) (*Join, error) {
	j := &Join{}
	var edgeIDs, originIDs int64
	err := a.conn.QueryRowContext(ctx, `SELECT count(request_id) FILTER (WHERE f.tier = 'edge'), count(request_id) FILTER (WHERE f.tier = 'origin'),
		count(*) FILTER (WHERE f.tier = 'origin'),
		count(*) FILTER (WHERE f.tier = 'edge' AND r.cache_status IS NOT NULL AND r.cache_status::VARCHAR NOT IN ('HIT', 'STALE', 'UPDATING'))
		FROM requests_raw r JOIN files f USING (file_id) WHERE `+a.where, a.args...).Scan(&edgeIDs, &originIDs, &j.OriginRows, &j.EdgeToOrig)
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if edgeIDs > 0 && originIDs > 0 {
		j.Method = "request_id"
		err = a.conn.QueryRowContext(ctx, `SELECT count(*) FROM requests_raw r JOIN files f USING (file_id)
			WHERE `+a.where+` AND f.tier = 'origin' AND r.request_id IN (
				SELECT r.request_id FROM requests_raw r JOIN files f USING (file_id) WHERE `+a.where+` AND f.tier = 'edge' AND r.request_id IS NOT NULL)`,
			append(append([]any{}, a.args...), a.args...)...).Scan(&j.Matched)
	} else {
		// An origin request matches when an edge request that reached the
		// origin has the same method, path and query and was logged within
		// the window, counted in whole seconds (what most logs record):
		// each origin row is probed in the seconds around its own.
		j.Method = "method+path+query within window"
		secs := int64(math.Ceil(a.opts.JoinWindow.Seconds()))
		j.WindowSec = float64(secs)
		err = a.conn.QueryRowContext(ctx, fmt.Sprintf(`WITH e AS (
				SELECT DISTINCT r.method_id, r.path_id, coalesce(r.query_id, -1) AS q, epoch(r.ts)::BIGINT AS s
				FROM requests_raw r JOIN files f USING (file_id)
				WHERE %[1]s AND f.tier = 'edge' AND r.ts IS NOT NULL AND r.cache_status NOT IN ('HIT', 'STALE', 'UPDATING')
			), o AS (
				SELECT r.rowid AS oid, r.method_id, r.path_id, coalesce(r.query_id, -1) AS q, epoch(r.ts)::BIGINT AS s
				FROM requests_raw r JOIN files f USING (file_id) WHERE %[1]s AND f.tier = 'origin' AND r.ts IS NOT NULL
			), c AS (
				SELECT oid, method_id, path_id, q, s + d AS s FROM o, range(-%[2]d, %[2]d + 1) t(d)
			)
			SELECT count(DISTINCT oid) FROM c SEMI JOIN e USING (method_id, path_id, q, s)`, a.where, secs),
			append(append([]any{}, a.args...), a.args...)...).Scan(&j.Matched)
	}
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if j.OriginRows > 0 {
		j.MatchRate = float64(j.Matched) / float64(j.OriginRows)
	}
	return j, nil
}

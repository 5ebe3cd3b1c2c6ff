package analyze

import (
	"context"
	"fmt"
	"strings"
)

// trackingParams are query parameters set by ad and analytics tools: they
// never change the response, but each distinct value is a separate cache key.
var trackingParams = []string{"utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid",
	"_ga", "_gl", "yclid", "igshid", "ttclid", "twclid", "li_fat_id", "epik", "s_kwcid", "_hsenc", "_hsmi", "mkt_tok", "srsltid"}

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
			SELECT e.endpoint, r.query_id, count(*) AS n FROM requests_raw r JOIN files f USING (file_id) JOIN ep e USING (path_id)
			WHERE ` + a.where + ` AND r.query_id IS NOT NULL GROUP BY ALL
		), kv AS (
			SELECT endpoint, n, unnest(string_split(q.value, '&')) AS kv FROM qc JOIN d_query q ON q.id = qc.query_id
		)
		SELECT endpoint, split_part(kv, '=', 1) AS name, sum(n)::BIGINT, count(DISTINCT kv)
		FROM kv WHERE kv <> '' GROUP BY ALL ORDER BY 1, 3 DESC, 2`
	res, err := a.conn.QueryContext(ctx, q, a.args...)
	if err != nil {
		return fmt.Errorf("query parameters: %w", err)
	}
	byEndpoint := map[string][]Param{}
	for res.Next() {
		var ep string
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
	norm := map[string]int64{}
	q = `WITH k AS (
			SELECT DISTINCT e.endpoint, r.host_id, r.path_id, r.query_id FROM requests_raw r JOIN files f USING (file_id)
			JOIN ep e USING (path_id) WHERE ` + a.where + `
		)
		SELECT endpoint, count(DISTINCT hash(host_id, path_id, list_sort(list_filter(string_split(coalesce(q.value, ''), '&'),
			x -> x <> '' AND NOT regexp_matches(lower(split_part(x, '=', 1)), '` + trackingRegex() + `')))))
		FROM k LEFT JOIN d_query q ON q.id = k.query_id GROUP BY 1`
	res, err = a.conn.QueryContext(ctx, q, a.args...)
	if err != nil {
		return fmt.Errorf("normalized cache keys: %w", err)
	}
	for res.Next() {
		var ep string
		var n int64
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
		rows[i].Params = byEndpoint[rows[i].Endpoint]
		if n, ok := norm[rows[i].Endpoint]; ok && len(a.opts.By) == 1 {
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
		j.Method = "method+path+query within window"
		j.WindowSec = a.opts.JoinWindow.Seconds()
		w := fmt.Sprintf("INTERVAL %d MILLISECOND", a.opts.JoinWindow.Milliseconds())
		err = a.conn.QueryRowContext(ctx, `WITH e AS (
				SELECT r.method_id, r.path_id, coalesce(r.query_id, -1) AS query_id, r.ts FROM requests_raw r JOIN files f USING (file_id)
				WHERE `+a.where+` AND f.tier = 'edge' AND r.ts IS NOT NULL
			), o AS (
				SELECT r.method_id, r.path_id, coalesce(r.query_id, -1) AS query_id, r.ts, r.ts + `+w+` AS until FROM requests_raw r
				JOIN files f USING (file_id) WHERE `+a.where+` AND f.tier = 'origin' AND r.ts IS NOT NULL
			)
			SELECT count(*) FROM o ASOF JOIN e ON o.method_id = e.method_id AND o.path_id = e.path_id
				AND o.query_id = e.query_id AND o.until >= e.ts
			WHERE e.ts >= o.ts - `+w, append(append([]any{}, a.args...), a.args...)...).Scan(&j.Matched)
	}
	if err != nil {
		return nil, fmt.Errorf("join: %w", err)
	}
	if j.OriginRows > 0 {
		j.MatchRate = float64(j.Matched) / float64(j.OriginRows)
	}
	return j, nil
}

package analyze

// Evidence from the logs that the advice weighs: whether clients got the
// same responses at the same time, the Vary headers the logs record, the
// requested paths no route matches, how many lines record the Cookie
// header.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/internal/httpheader"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// SameResponse counts, for one endpoint, the URL windows (10 seconds, one
// URL) in which several clients were answered, and how alike the answers
// were.
type SameResponse struct {
	Windows int64 `json:"windows"`           // URL windows with 2+ clients
	Same    int64 `json:"same"`              // ... where all got the same response
	Wide    int64 `json:"windows_3_clients"` // URL windows with 3+ clients
	Differ  int64 `json:"differ"`            // ... where 3+ responses differed
}

// SameResponses counts per endpoint, in each 10-second window, the
// clients that fetched one URL (path and query) and the different
// responses they got (GET requests with a body: status 200 and a size;
// origin logs, or edge lines that were not served from the cache), the
// evidence of whether an endpoint answers everyone alike. A client is an
// address with its user agent; responses are compared by ETag, else by size.
func SameResponses(ctx context.Context, st *store.Store, eps *Endpoints) (map[string]SameResponse, error) {
	rows, err := st.DB.QueryContext(ctx, `WITH w AS (`+ResponseWindows("r.path_id", "", "")+`)
		SELECT p.id, p.value, count(*), count(*) FILTER (WHERE answers = 1),
			count(*) FILTER (WHERE clients >= 3), count(*) FILTER (WHERE clients >= 3 AND answers >= 3)
		FROM w JOIN d_path p ON p.id = w.k GROUP BY ALL ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("personalization evidence: %w", err)
	}
	defer rows.Close()
	var paths []PathStat
	var ev []SameResponse
	for rows.Next() {
		var p PathStat
		var e SameResponse
		if err := rows.Scan(&p.ID, &p.Path, &e.Windows, &e.Same, &e.Wide, &e.Differ); err != nil {
			return nil, err
		}
		p.Requests = e.Windows
		paths, ev = append(paths, p), append(ev, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string]SameResponse{}
	if len(paths) == 0 {
		return out, nil
	}
	ep, err := eps.of(ctx)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		e := out[ep[p.ID]]
		e.Windows += ev[i].Windows
		e.Same += ev[i].Same
		e.Wide += ev[i].Wide
		e.Differ += ev[i].Differ
		out[ep[p.ID]] = e
	}
	return out, nil
}

// ResponseWindows is the SQL of the URL windows the evidence weighs: per
// key (a column expression: r.path_id, or a route of a joined table), URL
// (path and query) and 10 seconds, the distinct clients (an address with
// its user agent) and the distinct responses they got (by ETag, else by
// size), among GET requests with a body (status 200 and a size) that
// reached the origin (origin logs, or edge lines not served from the
// cache), in windows with two clients or more. join adds joins, where
// adds conditions (" AND ..."); the columns are k, clients, answers.
func ResponseWindows(key, join, where string) string {
	return `SELECT ` + key + ` AS k, count(DISTINCT hash(r.client_hash, r.client_id, r.ua_id)) AS clients,
			count(DISTINCT CASE WHEN r.etag_id IS NOT NULL THEN -1 - r.etag_id ELSE r.bytes END) AS answers
		FROM requests_raw r JOIN files f USING (file_id) ` + join + `
		WHERE r.status = 200 AND r.bytes > 0 AND r.ts IS NOT NULL
			AND coalesce(r.method_id IN (SELECT id FROM d_misc WHERE value = 'GET'), true)
			AND (f.tier = 'origin' OR r.cache_status IS NULL OR r.cache_status IN ('MISS', 'EXPIRED', 'BYPASS'))
			AND (r.client_hash IS NOT NULL OR r.client_id IS NOT NULL)` + where + `
		GROUP BY k, r.path_id, r.query_id, epoch(r.ts)::BIGINT // 10
		HAVING count(DISTINCT hash(r.client_hash, r.client_id, r.ua_id)) >= 2`
}

// Endpoints maps every requested path id onto the endpoint the analysis
// uses: the router's, or a template inferred from all requested paths (the
// inference depends on the whole set). It reads the paths once, when
// first asked, for all the evidence that needs them.
type Endpoints struct {
	st     *store.Store
	router Router
	ep     map[int32]string
}

// NewEndpoints prepares the mapping of the store's paths (router nil:
// inferred templates).
func NewEndpoints(st *store.Store, router Router) *Endpoints {
	return &Endpoints{st: st, router: router}
}

func (e *Endpoints) of(ctx context.Context) (map[int32]string, error) {
	if e.ep != nil {
		return e.ep, nil
	}
	all, err := allPaths(ctx, e.st)
	if err != nil {
		return nil, err
	}
	tpl := InferTemplates(all, e.router, TemplateOptions{})
	e.ep = make(map[int32]string, len(all))
	for i, p := range all {
		e.ep[p.ID] = tpl[i].Endpoint
	}
	return e.ep, nil
}

// LoggedVary reads the Vary headers the logs record, per endpoint: the
// header names, canonical and sorted.
func LoggedVary(ctx context.Context, st *store.Store, eps *Endpoints) (map[string][]string, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT DISTINCT r.path_id, v.value FROM requests_raw r JOIN d_misc v ON v.id = r.vary_id ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("logged Vary: %w", err)
	}
	defer rows.Close()
	byPath := map[int32][]string{}
	for rows.Next() {
		var id int32
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		byPath[id] = append(byPath[id], v)
	}
	if err := rows.Err(); err != nil || len(byPath) == 0 {
		return nil, err
	}
	ep, err := eps.of(ctx)
	if err != nil {
		return nil, err
	}
	sets := map[string]map[string]bool{}
	for id, vs := range byPath {
		e := ep[id]
		if sets[e] == nil {
			sets[e] = map[string]bool{}
		}
		for _, v := range vs {
			for _, h := range strings.Split(v, ",") {
				if h = strings.TrimSpace(h); h != "" && h != "*" {
					sets[e][httpheader.Canonical(h)] = true
				}
			}
		}
	}
	out := map[string][]string{}
	for e, set := range sets {
		for h := range set {
			out[e] = append(out[e], h)
		}
		sort.Strings(out[e])
	}
	return out, nil
}

// allPaths lists every requested path with its request count.
func allPaths(ctx context.Context, st *store.Store) ([]PathStat, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT p.id, p.value, count(*) FROM requests_raw r JOIN d_path p ON p.id = r.path_id GROUP BY ALL ORDER BY p.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PathStat
	for rows.Next() {
		var p PathStat
		if err := rows.Scan(&p.ID, &p.Path, &p.Requests); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UnmatchedPaths lists the requested paths that match does not take, the
// most requested first (at most max).
func UnmatchedPaths(ctx context.Context, st *store.Store, match func(path string) bool, max int) ([]PathStat, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT p.value, count(*) FROM requests_raw r JOIN d_path p ON p.id = r.path_id GROUP BY 1 ORDER BY 2 DESC, 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PathStat
	for rows.Next() {
		var u PathStat
		if err := rows.Scan(&u.Path, &u.Requests); err != nil {
			return nil, err
		}
		if !match(u.Path) && len(out) < max {
			out = append(out, u)
		}
	}
	return out, rows.Err()
}

// CookieLines counts the log lines that record the Cookie header, and all.
func CookieLines(ctx context.Context, st *store.Store) (logged, all int64, err error) {
	err = st.DB.QueryRowContext(ctx, `SELECT count(has_cookie), count(*) FROM requests_raw`).Scan(&logged, &all)
	return logged, all, err
}

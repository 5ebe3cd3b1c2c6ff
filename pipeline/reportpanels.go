package pipeline

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/internal/useragent"
)

// panelRows is how many rows each list of the status and clients panels keeps.
const panelRows = 20

// mainTier is the tier the report counts requests on: the edge when there
// are edge logs, else the origin.
func mainTier(d *charts.Data) string {
	if d.Analysis != nil && d.Analysis.Mode == "origin" {
		return "origin"
	}
	return "edge"
}

// statusLists fills the 4xx and 5xx lists: the paths answered with each
// error status most often.
func statusLists(ctx context.Context, st *store.Store, d *charts.Data) error {
	rows, err := st.DB.QueryContext(ctx, `SELECT coalesce(p.value, ''), r.status, count(*) AS n
		FROM requests_raw r JOIN files f USING (file_id) LEFT JOIN d_path p ON p.id = r.path_id
		WHERE f.tier = ? AND r.status >= 400 AND r.status < 600
		GROUP BY ALL ORDER BY n DESC, 1, 2`, mainTier(d))
	if err != nil {
		return fmt.Errorf("status lists: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pc charts.PathCount
		if err := rows.Scan(&pc.Path, &pc.Status, &pc.Requests); err != nil {
			return err
		}
		list := &d.Errors4xx
		if pc.Status >= 500 {
			list = &d.Errors5xx
		}
		if len(*list) < panelRows {
			*list = append(*list, pc)
		}
	}
	return rows.Err()
}

// clients fills the clients panel: requests by kind of client (from the
// User-Agent), the busiest user agents of each kind, and the top referrers
// by site.
func clients(ctx context.Context, st *store.Store, d *charts.Data) error {
	tier := mainTier(d)
	kinds := map[string]*charts.ClientKind{}
	err := eachCount(ctx, st, `SELECT coalesce(ua.value, ''), count(*) AS n
		FROM requests_raw r JOIN files f USING (file_id) LEFT JOIN d_ua ua ON ua.id = r.ua_id
		WHERE f.tier = ? GROUP BY ALL ORDER BY n DESC, 1`, tier, func(ua string, n int64) {
		k := useragent.Kind(ua)
		ck := kinds[k]
		if ck == nil {
			ck = &charts.ClientKind{Kind: k}
			kinds[k] = ck
		}
		ck.Requests += n
		if len(ck.Top) < 5 && k != useragent.None {
			ck.Top = append(ck.Top, charts.NameCount{Name: ua, Requests: n})
		}
	})
	if err != nil {
		return fmt.Errorf("clients: %w", err)
	}
	for _, k := range []string{useragent.Browser, useragent.Bot, useragent.Tool, useragent.Other, useragent.None} {
		if ck := kinds[k]; ck != nil {
			d.Clients = append(d.Clients, *ck)
		}
	}
	sites := map[string]int64{}
	err = eachCount(ctx, st, `SELECT coalesce(rf.value, ''), count(*) AS n
		FROM requests_raw r JOIN files f USING (file_id) LEFT JOIN d_referer rf ON rf.id = r.referer_id
		WHERE f.tier = ? GROUP BY ALL ORDER BY n DESC, 1`, tier, func(ref string, n int64) { sites[referrerSite(ref)] += n })
	if err != nil {
		return fmt.Errorf("referrers: %w", err)
	}
	for s, n := range sites {
		d.Referrers = append(d.Referrers, charts.NameCount{Name: s, Requests: n})
	}
	sort.Slice(d.Referrers, func(i, j int) bool {
		a, b := d.Referrers[i], d.Referrers[j]
		if a.Requests != b.Requests {
			return a.Requests > b.Requests
		}
		return a.Name < b.Name
	})
	if len(d.Referrers) > panelRows {
		d.Referrers = d.Referrers[:panelRows]
	}
	return nil
}

// eachCount runs a query of (name, count) rows on one tier and hands each
// row to f.
func eachCount(ctx context.Context, st *store.Store, query, tier string, f func(string, int64)) error {
	rows, err := st.DB.QueryContext(ctx, query, tier)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return err
		}
		f(name, n)
	}
	return rows.Err()
}

// referrerSite is the site a Referer names (scheme and host), or
// "(none)" when the request had none.
func referrerSite(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || ref == "-" {
		return "(none)"
	}
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		if len(ref) > 80 {
			ref = ref[:80] + "…"
		}
		return ref
	}
	return u.Scheme + "://" + u.Host
}

package edge_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/replay"
)

// The header the origin of TestNginxStockModel sends: a 2 s shared TTL and
// a long stale-while-revalidate, the shape of the advice's headers.
const (
	stockTTL = 2 * time.Second
	stockSWR = 30 * time.Second
)

// stockSchedule is when each path is requested, from the start: dense
// paths ten times a second, sparse ones at gaps of 0.3 to 5 s (seeded), for
// span.
func stockSchedule(span time.Duration) map[string][]time.Duration {
	rng := rand.New(rand.NewPCG(25, 1))
	out := map[string][]time.Duration{}
	for i := range 3 {
		p := fmt.Sprintf("/dense/%d", i)
		for at := time.Duration(i) * 30 * time.Millisecond; at < span; at += 100 * time.Millisecond {
			out[p] = append(out[p], at)
		}
	}
	gaps := []time.Duration{300, 700, 1200, 1800, 2600, 3500, 5000}
	for i := range 12 {
		p := fmt.Sprintf("/sparse/%d", i)
		for at := time.Duration(rng.IntN(1000)) * time.Millisecond; at < span; at += gaps[rng.IntN(len(gaps))] * time.Millisecond {
			out[p] = append(out[p], at)
		}
	}
	return out
}

// TestNginxStockModel: the same traffic through real nginx as it comes (no
// proxy_cache_background_update: the header's stale-while-revalidate serves
// only requests that arrive during an update) and with background updates
// (as cdnadvise edge configures it), the origin sending s-maxage with
// stale-while-revalidate; dense and sparse paths. Each path group's
// measured hit ratio is within 1 point of the replay with the nginx
// profile as it comes, and with background updates.
func TestNginxStockModel(t *testing.T) {
	lab.Need(t, []string{"nginx"}, nil)
	appPort := lab.Origin(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=0, s-maxage=%d, stale-while-revalidate=%d", int(stockTTL.Seconds()), int(stockSWR.Seconds())))
		io.WriteString(w, strings.Repeat("x", 200))
	}))
	ports := lab.NewPorts()
	type cache struct {
		name   string
		port   int
		log    string
		config []string
	}
	caches := []*cache{{name: "stock"}, {name: "background", config: lab.NginxBackgroundUpdate}}
	for _, c := range caches {
		dir := t.TempDir()
		var err error
		if c.port, err = ports.Next(); err != nil {
			t.Fatal(err)
		}
		c.log = filepath.Join(dir, "edge.log")
		conf, err := lab.NginxConfigWith(dir, c.port, appPort, c.log, c.config...)
		if err != nil {
			t.Fatal(err)
		}
		lab.Serve(t, dir, nil, c.port, "nginx", "-p", dir, "-c", conf)
	}
	// The traffic: every scheduled request to both caches at once.
	const span = 24 * time.Second
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	start := time.Now().Add(500 * time.Millisecond)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for path, ats := range stockSchedule(span) {
		for _, at := range ats {
			for _, c := range caches {
				wg.Add(1)
				go func() {
					defer wg.Done()
					time.Sleep(time.Until(start.Add(at)))
					resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d%s", c.port, path))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
					if err != nil || resp.StatusCode != 200 {
						mu.Lock()
						failures = append(failures, fmt.Sprintf("%s %s: %v", c.name, path, err))
						mu.Unlock()
					}
				}()
			}
		}
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed: %v", len(failures), failures[:min(5, len(failures))])
	}
	time.Sleep(300 * time.Millisecond) // nginx writes its log line after the response
	prof, err := replay.LookupProfile("nginx", "")
	if err != nil {
		t.Fatal(err)
	}
	if !prof.SWRNeedsBackgroundUpdate {
		t.Fatal("the nginx profile says stale-while-revalidate is served without background updates")
	}
	for _, c := range caches {
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: c.log, Tier: ingest.TierEdge}}, MaxRejectRatio: 0.001}); err != nil {
			t.Fatal(err)
		}
		p := prof
		if c.name == "background" {
			p.SWRNeedsBackgroundUpdate = false
		}
		res, _, _, err := replay.Replay(context.Background(), st, replay.LoadOptions{}, replay.SweepOptions{Profile: p, TTLs: []time.Duration{stockTTL}, SWR: stockSWR})
		if err != nil {
			t.Fatal(err)
		}
		predicted := map[string][2]int64{} // group -> hits, requests
		for _, row := range res.Endpoints {
			g := strings.Split(row[0].Endpoint, "/")[1]
			x := predicted[g]
			predicted[g] = [2]int64{x[0] + row[0].Hits, x[1] + row[0].Requests}
		}
		rows, err := st.DB.Query(`SELECT split_part(path, '/', 2), count(*) FILTER (WHERE cache_status IN ('HIT', 'STALE', 'UPDATING', 'REVALIDATED')), count(*),
				count(*) FILTER (WHERE cache_status = 'UPDATING'), count(*) FILTER (WHERE cache_status = 'STALE'),
				coalesce(avg(duration_ms) FILTER (WHERE cache_status = 'HIT'), -1)
			FROM requests GROUP BY 1 ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var g string
			var hits, n, updating, stale int64
			var hitMS float64
			if err := rows.Scan(&g, &hits, &n, &updating, &stale, &hitMS); err != nil {
				t.Fatal(err)
			}
			pr := predicted[g]
			if pr[1] != n {
				t.Errorf("%s %s: the replay read %d requests, the log has %d", c.name, g, pr[1], n)
				continue
			}
			pv, mv := float64(pr[0])/float64(n), float64(hits)/float64(n)
			t.Logf("nginx %-10s /%s/*: %4d requests, predicted %5.1f%%, measured %5.1f%% (UPDATING %d, STALE %d; hits took %.3f ms on average)", c.name, g, n, 100*pv, 100*mv, updating, stale, hitMS)
			if math.Abs(pv-mv) > 0.01 {
				t.Errorf("nginx %s, /%s/*: predicted %.1f%%, measured %.1f%%: more than 1 point apart", c.name, g, 100*pv, 100*mv)
			}
		}
		rows.Close()
	}
}

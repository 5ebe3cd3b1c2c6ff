package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/replay"
)

// TestStockEdgePrediction: on stock Varnish (the builtin VCL passes every
// request with a Cookie header) the prediction follows the cookies the log
// records, request by request; a log that does not record them is assumed
// to come from browsers that always send some (stock prediction 0), and
// the advice says what the edge needs. Cloudflare as it comes caches only
// static file extensions.
func TestStockEdgePrediction(t *testing.T) {
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_cookie"`
	build := func(cookieEvery int, logCookies bool) *store.Store {
		var b strings.Builder
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 4000; i++ {
			cookie := "-"
			if cookieEvery > 0 && i%cookieEvery == 0 {
				cookie = "_ga=GA1.1.7.1"
			}
			ts := start.Add(time.Duration(i) * 150 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
			path := fmt.Sprintf("/api/items/%d", i%20)
			if i%10 == 0 {
				path = "/static/app.3f2a9c1b.js"
			}
			line := fmt.Sprintf("10.2.0.%d - - [%s] \"GET %s HTTP/1.1\" 200 700 \"-\" \"ua%d\"", i%9, ts, path, i%3)
			if logCookies {
				line += fmt.Sprintf(" %q", cookie)
			}
			b.WriteString(line + "\n")
		}
		if logCookies {
			return logStore(t, b.String(), format)
		}
		return logStore(t, b.String(), "")
	}
	advise := func(st *store.Store, edge string) *advisor.Advice {
		adv, err := Advise(context.Background(), st, advisor.Options{Sweep: replay.SweepOptions{Profile: replay.Profiles()[edge]}})
		if err != nil {
			t.Fatal(err)
		}
		return adv
	}
	// Half of the requests carry a cookie, as the log says.
	half := recFor(t, advise(build(2, true), "varnish"), "/api/items/{int}")
	if half.StockPredictedHitRatio == nil || half.PredictedHitRatio == nil || *half.StockPredictedHitRatio <= 0.2 || *half.StockPredictedHitRatio >= *half.PredictedHitRatio-0.2 {
		t.Errorf("varnish, cookies on half the requests: predicted %v, stock %v", deref(half.PredictedHitRatio), deref(half.StockPredictedHitRatio))
	}
	// The log does not say: browsers are assumed to send cookies.
	adv := advise(build(0, false), "varnish")
	items := recFor(t, adv, "/api/items/{int}")
	if items.StockPredictedHitRatio == nil || *items.StockPredictedHitRatio != 0 || len(items.EdgeNeeds) == 0 || !strings.Contains(items.EdgeNeeds[0], "Cookie") {
		t.Errorf("varnish, cookies not logged: %+v", items)
	}
	if !strings.Contains(strings.Join(adv.Notes, " "), "assumed: requests come from browsers") {
		t.Errorf("the assumption is not said: %q", adv.Notes)
	}
	// No cookie at all, logged: stock Varnish caches as well as configured.
	none := recFor(t, advise(build(0, true), "varnish"), "/api/items/{int}")
	if none.StockPredictedHitRatio == nil || *none.StockPredictedHitRatio != *none.PredictedHitRatio {
		t.Errorf("varnish, no cookies logged: predicted %v, stock %v", deref(none.PredictedHitRatio), deref(none.StockPredictedHitRatio))
	}
	// Cloudflare: JSON routes are not eligible as it comes, the static file is.
	cf := advise(build(0, false), "cloudflare")
	if r := recFor(t, cf, "/api/items/{int}"); r.StockPredictedHitRatio == nil || *r.StockPredictedHitRatio != 0 || !strings.Contains(strings.Join(r.EdgeNeeds, " "), "Cache Rule") {
		t.Errorf("cloudflare, JSON route: %+v", r)
	}
	if r := recFor(t, cf, "/static/app.{fp}.js"); r.StockPredictedHitRatio == nil || *r.StockPredictedHitRatio <= 0.9 {
		t.Errorf("cloudflare, static file: %+v", r)
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

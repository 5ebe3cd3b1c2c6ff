package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/routes"

	"github.com/cdnadvise/cdnadvise/replay"
)

// TestVaryFromSource: the Django fixture runs LocaleMiddleware, so its
// responses vary on Accept-Language except under i18n_patterns; on an edge
// that keeps one copy per value (nginx) and with logs that do not record
// the header, each client is taken to send its own value, which the
// prediction shows (lower than on an edge that ignores Vary), and the
// advice says so.
func TestVaryFromSource(t *testing.T) {
	rt, err := routes.ExtractRoutes("../framework/django/testdata/djangoproj")
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	for _, r := range rt.Routes {
		want := !strings.Contains(r.Pattern, "<lang>")
		if got := strings.Contains(strings.Join(r.Vary, ","), "Accept-Language"); got != want {
			t.Errorf("%s %s: vary %v", r.Method, r.Pattern, r.Vary)
		}
	}
	paths := []string{"/fr/about/"}
	for i := 1; i <= 30; i++ {
		paths = append(paths, fmt.Sprintf("/items/%d/", i))
	}
	st := trafficStore(t, paths, 6000)
	nginx := replay.Profiles()["nginx"]
	ignoring := nginx
	ignoring.Vary = "ignore"
	split, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: replay.SweepOptions{Profile: nginx}})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: replay.SweepOptions{Profile: ignoring}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := recFor(t, split, "/items/<int:pk>/"), recFor(t, whole, "/items/<int:pk>/")
	if a.PredictedHitRatio == nil || b.PredictedHitRatio == nil || *a.PredictedHitRatio >= *b.PredictedHitRatio-0.1 {
		t.Errorf("per client %v, shared %v", deref(a.PredictedHitRatio), deref(b.PredictedHitRatio))
	}
	if !strings.Contains(strings.Join(a.Reasons, " "), "vary on Accept-Language") || len(a.Vary) == 0 {
		t.Errorf("the advice does not say why: %+v", a)
	}
	// Under i18n_patterns the language is in the URL: no Vary, no split.
	c, d := recFor(t, split, "/<lang>/about/"), recFor(t, whole, "/<lang>/about/")
	if c.PredictedHitRatio == nil || d.PredictedHitRatio == nil || *c.PredictedHitRatio != *d.PredictedHitRatio {
		t.Errorf("i18n route: %v vs %v", deref(c.PredictedHitRatio), deref(d.PredictedHitRatio))
	}
}

// TestVaryFromLogs: without --src, a log that records the response's Vary
// (nginx $sent_http_vary) tells which routes vary on Accept-Language; on
// nginx they are predicted per client (the log does not record the
// request's Accept-Language), the others are not.
func TestVaryFromLogs(t *testing.T) {
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$sent_http_vary"`
	var b strings.Builder
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6000; i++ {
		ts := start.Add(time.Duration(i) * 100 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		path, vary := fmt.Sprintf("/news/%d", i/2%10), "Accept-Language, Accept-Encoding"
		if i%2 == 1 {
			path, vary = fmt.Sprintf("/api/items/%d", i/2%10), "-"
		}
		fmt.Fprintf(&b, "10.3.%d.%d - - [%s] \"GET %s HTTP/1.1\" 200 900 \"-\" \"ua\" %q\n", i%7, i%43, ts, path, vary)
	}
	st := logStore(t, b.String(), format)
	adv, err := Advise(context.Background(), st, advisor.Options{Sweep: replay.SweepOptions{Profile: replay.Profiles()["nginx"]}})
	if err != nil {
		t.Fatal(err)
	}
	news, items := recFor(t, adv, "/news/{int}"), recFor(t, adv, "/api/items/{int}")
	if strings.Join(news.Vary, ",") != "Accept-Encoding,Accept-Language" || len(items.Vary) != 0 {
		t.Fatalf("vary: news %v, items %v", news.Vary, items.Vary)
	}
	if news.PredictedHitRatio == nil || items.PredictedHitRatio == nil || *news.PredictedHitRatio >= *items.PredictedHitRatio-0.2 {
		t.Errorf("per client %v, shared %v", deref(news.PredictedHitRatio), deref(items.PredictedHitRatio))
	}
	if !strings.Contains(strings.Join(news.Reasons, " "), "vary on Accept-Language") {
		t.Errorf("reasons: %q", news.Reasons)
	}
}

// TestVaryByLoggedValue: when the log records the request's
// Accept-Language ($http_accept_language), a route whose responses vary
// on it is keyed by the logged value: three languages over 43 clients give
// a hit ratio between the per-client worst case and a cache that ignores
// Vary, and the advice says which it used.
func TestVaryByLoggedValue(t *testing.T) {
	langs := []string{"en-US,en;q=0.9", "fr-FR,fr;q=0.9", "de"}
	lines := func(logLang bool) (string, string) {
		format := `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$sent_http_vary"`
		if logLang {
			format += ` "$http_accept_language"`
		}
		var b strings.Builder
		start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 12000; i++ {
			ts := start.Add(time.Duration(i) * 250 * time.Millisecond).Format("02/Jan/2006:15:04:05.000 -0700")
			client := i * 7 % 43
			fmt.Fprintf(&b, "10.3.0.%d - - [%s] \"GET /news/%d HTTP/1.1\" 200 900 \"-\" \"ua\" \"Accept-Language\"", client, ts, i%20)
			if logLang {
				fmt.Fprintf(&b, " %q", langs[client%3])
			}
			b.WriteString("\n")
		}
		return b.String(), format
	}
	nginx := replay.Profiles()["nginx"]
	ignoring := nginx
	ignoring.Vary = "ignore"
	predict := func(logLang bool, prof replay.Profile) *advisor.Recommendation {
		text, format := lines(logLang)
		adv, err := Advise(context.Background(), logStore(t, text, format), advisor.Options{Sweep: replay.SweepOptions{Profile: prof}, TTLs: []time.Duration{10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		return recFor(t, adv, "/news/{int}")
	}
	perClient, byValue, whole := predict(false, nginx), predict(true, nginx), predict(true, ignoring)
	pc, bv, wh := deref(perClient.PredictedHitRatio), deref(byValue.PredictedHitRatio), deref(whole.PredictedHitRatio)
	t.Logf("per client %.3f (%s), by logged value %.3f (%s), ignoring Vary %.3f (%s)", pc, perClient.Class, bv, byValue.Class, wh, whole.Class)
	if !(pc < bv-0.05 && bv < wh-0.01) {
		t.Errorf("per client %.3f, by logged value %.3f, ignoring Vary %.3f", pc, bv, wh)
	}
	if r := strings.Join(byValue.Reasons, " "); !strings.Contains(r, "one copy per Accept-Language value the logs record") || strings.Contains(r, "per client") {
		t.Errorf("reasons: %q", byValue.Reasons)
	}
	if r := strings.Join(perClient.Reasons, " "); !strings.Contains(r, "the logs do not record Accept-Language") {
		t.Errorf("reasons: %q", perClient.Reasons)
	}
}

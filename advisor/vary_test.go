package advisor

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/replay"
)

// TestVaryFromSource: the Django fixture runs LocaleMiddleware, so its
// responses vary on Accept-Language except under i18n_patterns; on an edge
// that keeps one copy per value (nginx) and with logs that do not record
// the header, each client is taken to send its own value, which the
// prediction shows (lower than on an edge that ignores Vary), and the
// advice says so.
func TestVaryFromSource(t *testing.T) {
	rt, err := ExtractRoutes("testdata/djangoproj")
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
	split, err := Advise(context.Background(), st, Options{Routes: rt, Sweep: replay.SweepOptions{Profile: nginx}})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Advise(context.Background(), st, Options{Routes: rt, Sweep: replay.SweepOptions{Profile: ignoring}})
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

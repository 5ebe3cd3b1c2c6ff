package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/routes"

	"github.com/cdnadvise/cdnadvise/lab"
)

// TestExactPatch: the exact table stays patchable after the static table is
// closed, including a view the static pass could not resolve (the nested
// function /api/dynamic/ is made by).
func TestExactPatch(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	dir := lab.CopyTree(t, "../framework/django/testdata/djangoproj")
	st, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	rt, _, err := routes.ExactRoutes(context.Background(), lab.TestPython, dir, st, time.Minute)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	var recs []*advisor.Recommendation
	for _, r := range rt.Routes {
		if r.Pattern == "/api/dynamic/" || r.Pattern == "/items/<int:pk>/" {
			recs = append(recs, &advisor.Recommendation{Endpoint: r.Pattern, Class: advisor.ClassCacheable, CacheControl: "public, max-age=60", Route: r})
		}
	}
	if len(recs) != 2 {
		t.Fatalf("%d routes found", len(recs))
	}
	res, err := Patch(dir, rt, recs, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"+    @cache_control_safe(public=True, max_age=60)\n     def dynamic(request):", `+@method_decorator(cache_control(public=True, max_age=60), name="get")` + "\n class ItemDetail(View):"} {
		if !strings.Contains(res.Diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, res.Diff)
		}
	}
	applyAndCompile(t, dir, res)
}

package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// loginOnlyLogs are two days of an nginx cache's log of a login-only
// family site (framework/django/testdata/djangologin): families browse
// with a session cookie and get their own data (sizes per family), token
// clients call the API with Authorization, scanners probe paths that do
// not exist (404). Only the school holidays and open days are the same for
// everyone. Nothing is cached today (MISS), as on a first deployment.
// Sparse: the combined format (no Cookie, no Authorization) and so little
// traffic that two clients rarely fetch one URL within 10 seconds: the
// logs say nothing of personalization, only the source can.
func loginOnlyLogs(sparse bool) string {
	rng := rand.New(rand.NewPCG(7, 21))
	var b strings.Builder
	start := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	family := []string{"/", "/calendar/", "/photos/", "/api/members/", "/api/chores/", "/api/allowances/", "/api/stats/", "/api/chores/3/", "/api/"}
	public := []string{"/about/", "/api/holidays/", "/api/open-days/"}
	scans := []string{"/.env", "/wp-login.php", "/admin/login/", "/accounts/login/", "/phpmyadmin/"}
	n, step := 40000, 4*time.Second
	if sparse {
		n, step = 4000, 43*time.Second
	}
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i) * step).Format("02/Jan/2006:15:04:05 -0700")
		fam := rng.IntN(30)
		ip := fmt.Sprintf("10.%d.0.%d", fam/10, fam)
		cookie, auth, ua := fmt.Sprintf("sessionid=s%03d; csrftoken=c%03d", fam, fam), "-", "Mozilla/5.0 (family browser)"
		method, status := "GET", 200
		var path string
		var size int
		switch k := rng.IntN(20); {
		case k < 12: // a family's own pages and API, in the browser or with its token
			path = family[rng.IntN(len(family))]
			size = 900 + 37*fam + len(path)
			if k%3 == 0 {
				cookie, auth, ua = "-", "Token t"+fmt.Sprint(fam), "family-app/2.1"
			}
			if k == 1 && strings.HasPrefix(path, "/api/chores/") {
				method, size = "POST", 120
			}
		case k < 17: // the same for everyone
			path = public[rng.IntN(len(public))]
			size = 2000 + len(path)
		default: // scanners, no cookie
			path, status, size = scans[rng.IntN(len(scans))], 404, 180
			cookie, ip, ua = "-", fmt.Sprintf("203.0.113.%d", rng.IntN(200)), "zgrab/0.x"
		}
		if sparse {
			// The combined format with the cache status: no Cookie, no
			// Authorization recorded.
			fmt.Fprintf(&b, "%s - - [%s] \"%s %s HTTP/1.1\" %d %d \"-\" \"%s\" 0.040 MISS\n", ip, ts, method, path, status, size, ua)
			continue
		}
		fmt.Fprintf(&b, "%s - - [%s] \"%s %s HTTP/1.1\" %d %d \"-\" \"%s\" 0.040 MISS \"%s\" \"%s\"\n", ip, ts, method, path, status, size, ua, cookie, auth)
	}
	return b.String()
}

// TestLoginOnlyNeverShared is the safety promise on the shape that leaked
// before: a login-only Django project whose DRF authentication and
// permissions are set once, in settings, with viewsets that declare none,
// pages behind login_required, a project mixin and a project decorator.
// With --src and without it, no route that needs a user is advised for a
// shared cache.
func TestLoginOnlyNeverShared(t *testing.T) {
	rt := routestest.Static(t, "../framework/django/testdata/djangologin")
	authenticated := []string{"/", "/calendar/", "/photos/", "/api/members/", "/api/chores/", "/api/allowances/", "/api/stats/", "/api/chores/<pk>/", "/api/", "/admin/…", "/accounts/…"}
	public := map[string]bool{"/about/": true, "/api/holidays/": true, "/api/open-days/": true}
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_cache_status "$http_cookie" "$http_authorization"`
	stores := map[string]*store.Store{
		"cookies and tokens logged": logStore(t, loginOnlyLogs(false), format),
		"combined format, sparse":   logStore(t, loginOnlyLogs(true), `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time $upstream_cache_status`),
	}
	for _, logs := range []string{"cookies and tokens logged", "combined format, sparse"} {
		st := stores[logs]
		for _, withSrc := range []bool{true, false} {
			o := advisor.Options{Sweep: sweepGeneric()}
			if withSrc {
				o.Routes = rt
			}
			adv, err := Advise(context.Background(), st, o)
			if err != nil {
				t.Fatal(err)
			}
			shared := 0
			for _, r := range adv.Recommendations {
				isShared := strings.Contains(r.CacheControl, "public") || strings.Contains(r.CacheControl, "s-maxage")
				if !isShared {
					continue
				}
				shared++
				if public[r.Endpoint] || r.Class == advisor.ClassImmutable {
					continue
				}
				t.Errorf("%s, with --src %v: %s %s advised %q (%s): %s", logs, withSrc, r.Method, r.Endpoint, r.CacheControl, r.Class, strings.Join(r.Reasons, "; "))
			}
			if withSrc {
				for _, p := range authenticated {
					r := recForMethod(t, adv, "GET", p)
					if r.Class != advisor.ClassPrivate || r.CacheControl != "private, no-store" {
						t.Errorf("%s: %s needs a user: advised %q (%s): %s", logs, p, r.CacheControl, r.Class, strings.Join(r.Reasons, "; "))
					}
				}
				// Positive evidence makes the public routes shareable.
				for p := range public {
					if logs != "cookies and tokens logged" {
						break
					}
					if r := recForMethod(t, adv, "GET", p); !strings.Contains(r.CacheControl, "s-maxage") {
						t.Errorf("%s answers everyone alike (the source says so and the logs agree): advised %q (%s): %s", p, r.CacheControl, r.Class, strings.Join(r.Reasons, "; "))
					}
				}
			}
			t.Logf("%s, with --src %v: %d rows, %d shared", logs, withSrc, len(adv.Recommendations), shared)
		}
	}
}

// TestReplaceNeverWeakens: a login-only view that sends a shared header of
// its own (a cache_page left from before the login) is advised private,
// with and without --replace, and the patch with --replace writes
// private, no-store in place of the view's header; a public view that
// sets its own header is still given the shared one with --replace.
func TestReplaceNeverWeakens(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site.settings\")\n",
		"site/__init__.py": "",
		"site/settings.py": "ROOT_URLCONF = \"site.urls\"\n",
		"site/urls.py":     "from django.urls import path\n\nfrom site import views\n\nurlpatterns = [\n    path(\"dashboard/\", views.dashboard),\n    path(\"news/\", views.news),\n]\n",
		"site/views.py": "from django.contrib.auth.decorators import login_required\nfrom django.http import HttpResponse\nfrom django.views.decorators.cache import cache_control\n\n\n" +
			"@cache_control(public=True, max_age=300)\n@login_required\ndef dashboard(request):\n    return HttpResponse(\"\")\n\n\n" +
			"@cache_control(public=True, max_age=5)\ndef news(request):\n    return HttpResponse(\"\")\n",
	})
	rt := routestest.Static(t, dir)
	st := trafficStore(t, []string{"/news/", "/dashboard/"}, 3000)
	for _, replace := range []bool{false, true} {
		adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Replace: replace, Sweep: sweepGeneric()})
		if err != nil {
			t.Fatal(err)
		}
		d := recForMethod(t, adv, "GET", "/dashboard/")
		if d.Class != advisor.ClassPrivate || d.CacheControl != "private, no-store" || d.Kept {
			t.Errorf("--replace %v: the login-only dashboard advised %q (%s, kept %v): %s", replace, d.CacheControl, d.Class, d.Kept, strings.Join(d.Reasons, "; "))
		}
		if !replace {
			if !strings.Contains(strings.Join(d.Reasons, "; "), `the view sends "public, max-age=300"`) {
				t.Errorf("the reasons do not say the view's own shared header: %s", strings.Join(d.Reasons, "; "))
			}
			continue
		}
		res, err := Patch(dir, rt, adv.Recommendations, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Diff, "-@cache_control(public=True, max_age=300)") || !strings.Contains(res.Diff, "+@cache_control_safe(private=True, no_store=True)") {
			t.Errorf("the patch does not replace the dashboard's shared header with private, no-store:\n%s", res.Diff)
		}
		if n := recForMethod(t, adv, "GET", "/news/"); !strings.Contains(n.CacheControl, "s-maxage") {
			t.Errorf("--replace: the public news view advised %q (%s)", n.CacheControl, n.Class)
		}
	}
}

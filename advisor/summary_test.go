package advisor

import (
	"strings"
	"testing"
)

func fp(v float64) *float64 { return &v }

// TestSummarize: changes ranked by origin requests saved a day, safety
// findings for per-user routes a cache serves or may serve, every row in
// one group, and reasons two rows share said once.
func TestSummarize(t *testing.T) {
	shared := "per-user responses must never be stored by a shared cache (RFC 9111 3.5)"
	recs := []*Recommendation{
		{Method: "GET", Endpoint: "/small", Class: ClassCacheable, CacheControl: "public, max-age=0, s-maxage=30", Requests: 900, OriginPerMinNow: 2, OriginPerMinAt: fp(1.5)},
		{Method: "GET", Endpoint: "/big", Class: ClassCacheable, CacheControl: "public, max-age=0, s-maxage=60", Requests: 100, OriginPerMinNow: 10, OriginPerMinAt: fp(1)},
		{Method: "GET", Endpoint: "/static/{p}", Class: ClassImmutable, CacheControl: "public, max-age=31536000, immutable", Requests: 50, OriginPerMinNow: 1, OriginPerMinAt: fp(0)},
		{Method: "GET", Endpoint: "/kept", Class: ClassCacheable, CacheControl: "public, max-age=600", Kept: true},
		{Method: "GET", Endpoint: "/me", Class: ClassPrivate, CacheControl: "private, no-store", Requests: 40, CurrentHitRatio: fp(0.25), Reasons: []string{shared, "the view depends on the user"}},
		{Method: "GET", Endpoint: "/profile", Class: ClassPrivate, CacheControl: "private, no-store", Requests: 30, SharedHeaderSent: `"public, max-age=60" (views.py:3)`, Reasons: []string{shared}},
		{Method: "GET", Endpoint: "/cart", Class: ClassPrivate, CacheControl: "private, no-store", Requests: 20, CurrentHitRatio: fp(0), Reasons: []string{shared}},
		{Method: "POST", Endpoint: "/small", Class: ClassUnsafe},
		{Method: "GET", Endpoint: "/ext", Class: ClassUnverified, CurrentHitRatio: fp(0.5), Requests: 10},
		{Method: "GET", Endpoint: "/none", Class: ClassNoTraffic},
		{Method: "GET", Endpoint: "/policy", Class: ClassPolicy, CacheControl: "no-store"},
	}
	s := Summarize(&Advice{Recommendations: recs})
	var order []string
	for _, c := range s.Changes {
		order = append(order, c.Rec.Endpoint)
	}
	if got := strings.Join(order, " "); got != "/big /static/{p} /small" {
		t.Errorf("changes ranked %q, want /big /static/{p} /small", got)
	}
	if got := s.Changes[0].SavedPerDay; got != 9*1440 {
		t.Errorf("/big saves %v a day, want %v", got, 9*1440)
	}
	var found []string
	for _, f := range s.Safety {
		found = append(found, f.Endpoint)
	}
	if got := strings.Join(found, " "); got != "/me /profile /ext" {
		t.Errorf("safety findings %q, want /me /profile /ext (not /cart: no hit, no shared header)", got)
	}
	count := map[string]int{}
	n := 0
	for _, g := range s.Groups {
		count[g.Name] = len(g.Recs)
		n += len(g.Recs)
		if g.Name == GroupNotCacheable {
			if len(g.Shared) != 1 || g.Shared[0].Text != shared || g.Shared[0].Rows != 3 {
				t.Errorf("not cacheable shares %+v, want the RFC reason once for 3 rows", g.Shared)
			}
			for _, r := range g.Recs {
				for _, own := range g.Own[r] {
					if own == shared {
						t.Errorf("%s repeats the shared reason", r.Endpoint)
					}
				}
			}
		}
	}
	if n != len(recs) {
		t.Errorf("%d rows in groups, want %d", n, len(recs))
	}
	want := map[string]int{GroupChange: 3, GroupKeep: 2, GroupNotCacheable: 5, GroupUnverified: 1}
	for g, w := range want {
		if count[g] != w {
			t.Errorf("group %s has %d rows, want %d", g, count[g], w)
		}
	}
}

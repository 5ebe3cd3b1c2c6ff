package advisor

import (
	"fmt"
	"math"
	"sort"

	"github.com/cdnadvise/cdnadvise/internal/httpheader"
)

// Groups of recommendations, in the order a report shows them.
const (
	// GroupChange: a shared-cache header the app does not send today.
	GroupChange = "change"
	// GroupKeep: no change advised (the view's own header is kept, today's
	// cache does better, or there is no traffic to base a TTL on).
	GroupKeep = "keep"
	// GroupNotCacheable: per-user, no-store, unsafe methods, error-only
	// routes: never in a shared cache.
	GroupNotCacheable = "not cacheable"
	// GroupUnverified: nothing shows that the route answers everyone alike,
	// so no header is advised.
	GroupUnverified = "unverified"
)

// GroupWhy says what a group holds, for the head of its list.
func GroupWhy(name string) string {
	switch name {
	case GroupChange:
		return "a shared-cache header these routes do not send today, ranked by origin requests saved a day"
	case GroupKeep:
		return "no change: the view's own header is kept, today's cache already does better, or no traffic to base a TTL on"
	case GroupNotCacheable:
		return "per-user, no-store, unsafe methods or error-only: never stored by a shared cache (per-user views get private, no-store)"
	case GroupUnverified:
		return "nothing shows that these answer everyone alike, so no header is advised (give --src with their views, or more traffic)"
	}
	return ""
}

// GroupOf says which group a recommendation belongs to.
func GroupOf(r *Recommendation) string {
	switch r.Class {
	case ClassUnverified:
		return GroupUnverified
	case ClassPrivate, ClassNoStore, ClassUnsafe, ClassErrors:
		return GroupNotCacheable
	case ClassCacheable, ClassImmutable, ClassLowReuse, ClassPolicy:
		switch {
		case r.Kept:
			return GroupKeep
		case SharedHeader(r.CacheControl):
			return GroupChange
		case r.CacheControl != "": // a policy's no-store, say
			return GroupNotCacheable
		}
	}
	return GroupKeep
}

// SharedHeader says whether a Cache-Control value lets a shared cache store
// the response (public, s-maxage or max-age, without private or no-store).
func SharedHeader(cc string) bool {
	return cc != "" && httpheader.ParseCacheMeaning(cc).SharedMayStore()
}

// Finding is a safety problem the advice found: a response that may
// differ per user and that a shared cache stores, or may store, today.
type Finding struct {
	Method   string `json:"method"`
	Endpoint string `json:"endpoint"`
	Requests int64  `json:"requests"`
	What     string `json:"what"`
	Fix      string `json:"fix"`
}

// Change is one advised change, with what it saves.
type Change struct {
	Rec *Recommendation `json:"-"`
	// SavedPerDay is the origin requests a day the change saves: the
	// origin request rate now less the one predicted at the advised TTL,
	// over the period of the logs, per day.
	SavedPerDay float64 `json:"origin_requests_saved_per_day"`
}

// Group is the recommendations of one group, with the reasons and edge
// needs that two rows or more of it share, said once.
type Group struct {
	Name string
	Recs []*Recommendation
	// Shared are the reasons (and "edge: ..." needs) found on two rows or
	// more, with how many rows carry each; Own gives each row the rest.
	Shared []SharedReason
	Own    map[*Recommendation][]string
}

// SharedReason is a reason several rows of a group give.
type SharedReason struct {
	Text string
	Rows int
}

// Summary is what a team acts on first: the safety findings, the changes
// ranked by origin requests saved a day, and every recommendation in its
// group.
type Summary struct {
	Safety  []Finding
	Changes []Change
	Groups  []Group
}

// Summarize ranks the changes and groups the recommendations.
func Summarize(adv *Advice) Summary {
	var s Summary
	if adv == nil {
		return s
	}
	by := map[string][]*Recommendation{}
	for _, r := range adv.Recommendations {
		g := GroupOf(r)
		by[g] = append(by[g], r)
		if f, ok := finding(r); ok {
			s.Safety = append(s.Safety, f)
		}
		if g == GroupChange {
			c := Change{Rec: r}
			if r.OriginPerMinAt != nil {
				c.SavedPerDay = max(0, (r.OriginPerMinNow-*r.OriginPerMinAt)*24*60)
			}
			s.Changes = append(s.Changes, c)
		}
	}
	sort.SliceStable(s.Changes, func(i, j int) bool {
		a, b := s.Changes[i], s.Changes[j]
		if a.SavedPerDay != b.SavedPerDay {
			return a.SavedPerDay > b.SavedPerDay
		}
		return a.Rec.Requests > b.Rec.Requests
	})
	sort.SliceStable(s.Safety, func(i, j int) bool { return s.Safety[i].Requests > s.Safety[j].Requests })
	for _, name := range []string{GroupChange, GroupKeep, GroupNotCacheable, GroupUnverified} {
		recs := by[name]
		if name == GroupChange {
			recs = nil
			for _, c := range s.Changes {
				recs = append(recs, c.Rec)
			}
		}
		s.Groups = append(s.Groups, group(name, recs))
	}
	return s
}

// group says the reasons two rows or more share once.
func group(name string, recs []*Recommendation) Group {
	g := Group{Name: name, Recs: recs, Own: map[*Recommendation][]string{}}
	lines := func(r *Recommendation) []string {
		out := append([]string(nil), r.Reasons...)
		for _, e := range r.EdgeNeeds {
			out = append(out, "edge: "+e)
		}
		return out
	}
	count := map[string]int{}
	var order []string
	for _, r := range recs {
		seen := map[string]bool{}
		for _, l := range lines(r) {
			if seen[l] {
				continue
			}
			seen[l] = true
			if count[l] == 0 {
				order = append(order, l)
			}
			count[l]++
		}
	}
	for _, l := range order {
		if count[l] >= 2 {
			g.Shared = append(g.Shared, SharedReason{Text: l, Rows: count[l]})
		}
	}
	sort.SliceStable(g.Shared, func(i, j int) bool { return g.Shared[i].Rows > g.Shared[j].Rows })
	for _, r := range recs {
		var own []string
		for _, l := range lines(r) {
			if count[l] < 2 {
				own = append(own, l)
			}
		}
		g.Own[r] = own
	}
	return g
}

// finding reports a route that may differ per user and that a shared cache
// stores today (hits measured) or may store (the view's own header lets it).
func finding(r *Recommendation) (Finding, bool) {
	if r.Class != ClassPrivate && r.Class != ClassUnverified {
		return Finding{}, false
	}
	f := Finding{Method: r.Method, Endpoint: r.Endpoint, Requests: r.Requests}
	switch {
	case r.Class == ClassPrivate && r.SharedHeaderSent != "":
		f.What = fmt.Sprintf("the view sends %s, which a shared cache may store, but the route differs per user", r.SharedHeaderSent)
		f.Fix = "send private, no-store (cdnadvise patch --replace writes it)"
	case r.Class == ClassPrivate && r.CurrentHitRatio != nil && *r.CurrentHitRatio > 0:
		f.What = fmt.Sprintf("the cache served %.1f%% of its requests today, but the route differs per user: one user's response can reach another", 100**r.CurrentHitRatio)
		f.Fix = "send private, no-store (cdnadvise patch writes it) and purge the cache"
	case r.Class == ClassUnverified && r.CurrentHitRatio != nil && *r.CurrentHitRatio > 0:
		f.What = fmt.Sprintf("the cache served %.1f%% of its requests today, but nothing shows the route answers everyone alike", 100**r.CurrentHitRatio)
		f.Fix = "check that its view is the same for every user (give --src with its view), or send private"
	default:
		return Finding{}, false
	}
	return f, true
}

// StockDiffers says whether the edge as it comes is predicted otherwise
// than with cdnadvise edge's configuration (by a twentieth of a point or
// more): then both predictions are shown.
func (r *Recommendation) StockDiffers() bool {
	if r.StockPredictedHitRatio == nil {
		return false
	}
	return r.PredictedHitRatio == nil || math.Abs(*r.StockPredictedHitRatio-*r.PredictedHitRatio) >= 0.0005
}

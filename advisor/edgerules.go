package advisor

import (
	"sort"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/replay"
)

// EdgeRules turns the advice's GET rows into the rules of an edge
// configuration: routes advised for a shared cache (their cookies dropped
// at the edge) and per-user routes (passed, never stored), each with a
// regex over request paths: the route's own matcher with --src, else one
// built from the inferred template.
func EdgeRules(adv *Advice, key replay.KeyPolicy) []edge.Rule {
	query := "all"
	switch key {
	case replay.KeyNoTracking, replay.KeySorted:
		query = "no-tracking"
	case replay.KeyNoQuery:
		query = "none"
	}
	// The other methods each endpoint takes: from the route (--src), or
	// seen in the logs.
	writes := map[string][]string{}
	for _, r := range adv.Recommendations {
		if !framework.SafeMethod(r.Method) {
			writes[r.Endpoint] = append(writes[r.Endpoint], r.Method)
		}
		if r.Route != nil {
			for _, m := range r.Route.Methods {
				if !framework.SafeMethod(m) {
					writes[r.Endpoint] = append(writes[r.Endpoint], m)
				}
			}
		}
	}
	var out []edge.Rule
	for _, r := range adv.Recommendations {
		if !framework.SafeMethod(r.Method) {
			continue
		}
		shared := r.TTLSeconds > 0 && !strings.Contains(r.CacheControl, "private") && !strings.Contains(r.CacheControl, "no-store")
		perUser := r.Class == ClassPrivate && (strings.Contains(r.CacheControl, "private") || r.Kept)
		if !shared && !perUser {
			continue
		}
		re := ""
		if r.Route != nil && r.Route.Regex != nil {
			re = r.Route.Regex.String()
		} else {
			re = TemplateRegex(r.Endpoint)
		}
		out = append(out, edge.Rule{Method: r.Method, Pattern: r.Endpoint, Regex: re, Prefix: LiteralPrefix(r.Endpoint), Class: r.Class,
			CacheControl: r.CacheControl, TTL: time.Duration(r.TTLSeconds) * time.Second, Shared: shared, PerUser: perUser, Query: query, Params: r.QueryParams,
			Writes: sortedUnique(writes[r.Endpoint])})
	}
	edge.SortRules(out)
	return out
}

// TemplateRegex is the regex of an inferred endpoint template: each
// placeholder stands for one path segment (or part of one).
func TemplateRegex(t string) string {
	return framework.BraceRegex(t, func(param string) string {
		if "{"+param+"}" == analyze.PhInt {
			return `[0-9]+`
		}
		return `[^/]+`
	})
}

// LiteralPrefix is the part of a pattern before its first parameter or
// regex syntax.
func LiteralPrefix(p string) string {
	p = strings.TrimPrefix(p, "^")
	if i := strings.IndexAny(p, "{<([?*+\\$.|"); i >= 0 {
		p = p[:i]
	}
	return p
}

// sortedUnique sorts and dedupes method names.
func sortedUnique(ms []string) []string {
	if len(ms) == 0 {
		return nil
	}
	ms = append([]string(nil), ms...)
	sort.Strings(ms)
	out := ms[:1]
	for _, m := range ms[1:] {
		if m != out[len(out)-1] {
			out = append(out, m)
		}
	}
	return out
}

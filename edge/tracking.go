package edge

import (
	"sort"
	"strings"
)

// Tracking parameters as each edge matches them. Config.TrackingParams
// holds names and prefixes ("utm_*"); the edges differ in what they take:
//
//   - Fastly: querystring.filter removes exact names; a glob needs
//     querystring.globfilter ("Returns the given URL without the parameters
//     matching a glob", e.g. querystring.globfilter(req.url, "utm_*")).
//     https://www.fastly.com/documentation/reference/vcl/functions/query-string/querystring-globfilter/
//   - Cloudflare: the cache key's query string include/exclude lists take
//     parameter names; no wildcard is documented, so a prefix is written as
//     the names it stands for. https://developers.cloudflare.com/cache/how-to/cache-keys/
//   - CloudFront: QueryStringNames are names too, at most 10 per cache
//     policy by default ("Query strings per cache policy: 10").
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
//   - nginx and Varnish: a regex over the URL, prefixes included.

// wellKnownExpansions are the names a tracking prefix stands for when the
// logs show none of its own: Google Analytics' campaign parameters
// (https://support.google.com/analytics/answer/10917952).
var wellKnownExpansions = map[string][]string{
	"utm_*": {"utm_campaign", "utm_content", "utm_id", "utm_medium", "utm_source", "utm_source_platform", "utm_term"},
}

// isPrefixParam reports whether a tracking entry is a prefix (utm_*).
func isPrefixParam(p string) bool { return strings.HasSuffix(p, "*") }

// trackingMatch reports whether a query parameter name is one of the
// tracking parameters (names or prefixes), case-insensitively.
func trackingMatch(tracking []string, name string) bool {
	n := strings.ToLower(name)
	for _, t := range tracking {
		t = strings.ToLower(t)
		if isPrefixParam(t) && strings.HasPrefix(n, strings.TrimSuffix(t, "*")) || n == t {
			return true
		}
	}
	return false
}

// literalTracking writes the tracking parameters as names only, for edges
// without wildcards: the names as they are, each prefix as the names the
// logs show for it (observed), else its well-known names.
func literalTracking(tracking, observed []string) []string {
	var out []string
	for _, t := range tracking {
		if !isPrefixParam(t) {
			out = append(out, t)
			continue
		}
		p := strings.ToLower(strings.TrimSuffix(t, "*"))
		seen := false
		for _, o := range observed {
			if strings.HasPrefix(strings.ToLower(o), p) {
				out, seen = append(out, o), true
			}
		}
		if !seen {
			out = append(out, wellKnownExpansions[t]...)
		}
	}
	return sortedParams(out)
}

// observedParams are the query parameter names the rules' routes were seen
// with in the logs (every rule, or those whose query policy is q).
func observedParams(rules []Rule, tracking []string, q string) (tracked, others []string) {
	for _, r := range rules {
		if q != "" && (!r.Shared || queryPolicy(r, tracking) != q) {
			continue
		}
		for _, p := range r.Params {
			if trackingMatch(tracking, p) {
				tracked = append(tracked, p)
			} else {
				others = append(others, p)
			}
		}
	}
	return sortedParams(tracked), sortedParams(others)
}

// globOrName splits the tracking parameters into exact names and globs.
func globOrName(tracking []string) (names, globs []string) {
	for _, t := range tracking {
		if isPrefixParam(t) {
			globs = append(globs, t)
		} else {
			names = append(names, t)
		}
	}
	sort.Strings(names)
	sort.Strings(globs)
	return names, globs
}

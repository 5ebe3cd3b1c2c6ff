package edge

import "strings"

// Row is what Needs knows of an advised route row.
type Row struct {
	Path    string // the route's pattern or a path of it
	Shared  bool   // advised for a shared cache
	PerUser bool   // advised private, no-store
	Query   bool   // requests of the route carry query strings the key needs
	Static  bool   // static files (their paths carry file extensions)
}

// Needs says what the edge needs besides the Cache-Control header for the
// advice on a row to hold, from the profile's storage defaults (each fact
// cited in the profile's Docs); nil when the header is enough.
func (p Profile) Needs(r Row) []string {
	var out []string
	artifact := "(cdnadvise edge --edge " + p.Name + ")"
	if r.Shared {
		if p.RequestCookie == "pass" {
			out = append(out, p.Name+" passes every request that carries a Cookie header, and browsers send the site's cookies with every request: strip cookies on this route before the cache lookup "+artifact)
		}
		if !r.Static && !p.Eligible(r.Path) {
			out = append(out, p.Name+" caches only static file extensions by default (not HTML or JSON): a Cache Rule must make this route eligible for cache "+artifact)
		}
		if p.Name == "cloudfront" && r.Query {
			out = append(out, "a cache policy that keys the query string: the managed CachingOptimized policy leaves it out and would answer every query with the first one's response "+artifact)
		}
	}
	if r.PerUser {
		if p.MinTTLOverridesPrivate {
			out = append(out, "a cache behavior whose policy has minimum TTL 0 (the managed CachingDisabled): with a minimum TTL above 0 (CachingOptimized: 1 s) CloudFront caches the response despite private/no-store "+artifact)
		}
		if p.RequestCookie == "ignore" && p.Name != "cloudfront" {
			out = append(out, p.Name+" does not key on cookies: the route is kept out of the cache by its private, no-store header alone; pass it explicitly to be safe "+artifact)
		}
	}
	return out
}

// Eligible reports whether the edge caches a path by default: always, or,
// when the profile lists eligible extensions, when the path ends in one.
func (p Profile) Eligible(path string) bool {
	if len(p.Extensions) == 0 {
		return true
	}
	i := strings.LastIndexByte(path, '.')
	if i < 0 || strings.Contains(path[i:], "/") {
		return false
	}
	ext := strings.ToLower(path[i+1:])
	for _, e := range p.Extensions {
		if e == ext {
			return true
		}
	}
	return false
}

// Package edge knows the caches cdnadvise advises for: for each edge (nginx,
// Varnish, CloudFront, Cloudflare, Fastly, Akamai) what it stores by default
// and the configuration that makes the advice true there. One file per
// edge; every default cites the vendor's documentation.
package edge

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Rule is what an edge artifact needs to know of one advised route row.
type Rule struct {
	// Method is the row's method (GET stands for GET and HEAD).
	Method string
	// Pattern is the route as cdnadvise shows it (/api/items/{item_id},
	// /blog/<slug:slug>/, or an inferred template /api/items/{int}).
	Pattern string
	// Regex matches the request paths of the route (anchored, RE2 and PCRE
	// compatible: no lookarounds).
	Regex string
	// Prefix is the longest literal path prefix of the route ("/api/items/"),
	// for edges whose rules match prefixes or wildcards.
	Prefix string
	// Class is the advice's class (cacheable, static-immutable, private, ...).
	Class string
	// CacheControl is the header the origin will send after the patch.
	CacheControl string
	// TTL is the shared-cache TTL (s-maxage) of the advice; 0 when the row
	// must not be stored.
	TTL time.Duration
	// Shared: the advice lets shared caches store the response. The edge
	// must then ignore the request's cookies for it (strip them before the
	// cache lookup) so that browser cookies do not make every request a miss.
	Shared bool
	// PerUser: the response depends on the user; the edge must pass it to the
	// origin with its cookies and Authorization, and never store it.
	PerUser bool
	// Query says which query parameters belong to the cache key: "all",
	// "none", or "no-tracking" (all but TrackingParams).
	Query string
	// Params are the query parameter names the route was seen with in the
	// logs (tracking ones included), for edges that need names.
	Params []string
	// Writes are the other methods the route takes on the same path (POST,
	// PUT, PATCH, DELETE): an edge that decides per path must let them
	// reach the origin with their cookies.
	Writes []string
}

// Config is the input of an artifact writer.
type Config struct {
	// Upstream is the origin the edge proxies to (http://127.0.0.1:8000).
	Upstream string
	// Listen is the address the edge listens on (nginx, Varnish).
	Listen string
	// CacheDir is where a self-hosted cache keeps its files (nginx).
	CacheDir string
	// AccessLog, when set, is where the edge logs each request with its
	// cache status (nginx: combined + $request_time
	// $upstream_response_time $upstream_cache_status).
	AccessLog string
	// Rules are the advised rows (only safe methods need rules).
	Rules []Rule
	// TrackingParams are query parameters left out of cache keys.
	TrackingParams []string
	// Source names what the configuration was generated from (a comment).
	Source string
}

// Writer writes one edge's configuration artifact.
type Writer interface {
	// Name is the edge's name (varnish, nginx, cloudflare, ...).
	Name() string
	// Files lists the files Write produces, by suffix (".vcl", ".conf",
	// ".json", ".tf"), in the order Write produces them.
	Files() []string
	// Write writes the artifact with the given suffix.
	Write(w io.Writer, suffix string, c Config) error
}

// Writers returns the artifact writers by edge name: one table, one entry
// per edge file.
func Writers() map[string]Writer {
	ws := map[string]Writer{}
	for _, w := range []Writer{Varnish{}, Nginx{}, NginxInclude{}, Cloudflare{}, CloudFront{}, Fastly{}} {
		ws[w.Name()] = w
	}
	return ws
}

// Lookup returns the writer of an edge, or an error listing the known ones.
func Lookup(name string) (Writer, error) {
	ws := Writers()
	if w, ok := ws[name]; ok {
		return w, nil
	}
	var names []string
	for n := range ws {
		names = append(names, n)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("no edge configuration for %q (known: %s)", name, strings.Join(names, ", "))
}

// SortRules orders rules so that the most specific (longest literal prefix,
// then pattern) comes first: edges that take the first matching rule then
// apply the right one.
func SortRules(rs []Rule) {
	sort.SliceStable(rs, func(i, j int) bool {
		if len(rs[i].Prefix) != len(rs[j].Prefix) {
			return len(rs[i].Prefix) > len(rs[j].Prefix)
		}
		return rs[i].Pattern < rs[j].Pattern
	})
}

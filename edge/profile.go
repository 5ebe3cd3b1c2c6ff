package edge

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Profile is how one kind of cache treats the same traffic: what it stores
// at all (file extensions, cookies, Authorization, Set-Cookie, Vary), its
// defaults when the origin sends no Cache-Control, which freshness
// extensions it honours, how it serves stale content and how fine its clock
// is. Every default cites the vendor's documentation; a profile file (JSON
// with these field names) overrides any of them.
type Profile struct {
	Name string `json:"name"`
	// DefaultTTL is the freshness lifetime given to a cacheable response that
	// carries no Cache-Control/Expires (0: not cached).
	DefaultTTL Duration `json:"default_ttl"`
	// DefaultGrace is how long an expired object is still served (stale,
	// refreshed in the background) when the response says nothing.
	DefaultGrace Duration `json:"default_grace"`
	// MinTTL and MaxTTL clamp the TTL the origin asks for (MaxTTL 0: none).
	MinTTL Duration `json:"min_ttl"`
	MaxTTL Duration `json:"max_ttl"`
	// HonorsSMaxAge: s-maxage sets the shared cache's TTL.
	HonorsSMaxAge bool `json:"honors_s_maxage"`
	// HonorsSWR / HonorsSIE: stale-while-revalidate / stale-if-error (RFC 5861).
	HonorsSWR bool `json:"honors_stale_while_revalidate"`
	HonorsSIE bool `json:"honors_stale_if_error"`
	// StaleWhileUpdating: an expired object is served stale while one request
	// refreshes it, without a time limit (nginx proxy_cache_use_stale updating
	// with proxy_cache_background_update on).
	StaleWhileUpdating bool `json:"stale_while_updating"`
	// SWRNeedsBackgroundUpdate: the header's stale-while-revalidate serves
	// stale only to requests that arrive while another request is updating
	// the entry; the request that finds the entry expired waits for the
	// origin (nginx as it comes, without proxy_cache_background_update).
	// cdnadvise edge's configuration turns background updates on, so the
	// advice's own prediction never assumes it; the stock prediction does.
	// The replay counts the request that finds the entry expired as a miss
	// and leaves out the few requests that arrive during that fetch.
	SWRNeedsBackgroundUpdate bool `json:"stale_while_revalidate_needs_background_update,omitempty"`
	// ConcurrentMissesReachOrigin: requests for an entry that arrive while
	// its first fetch is under way are sent to the origin too, each one
	// (nginx without proxy_cache_lock, off by default and in cdnadvise
	// edge's file); other caches make them wait for that fetch (request
	// collapsing). The replay fills an entry the moment it is missed, so
	// its origin requests a minute leave out that burst, which comes once
	// per entry after a start or a purge: the advice says so.
	ConcurrentMissesReachOrigin bool `json:"concurrent_misses_reach_origin,omitempty"`
	// UncachedStatuses are the statuses the edge does not store even when
	// the response gives a TTL (the replay stores the statuses RFC 9111
	// 4.2.2 lets a cache store, but these).
	UncachedStatuses []int `json:"uncached_statuses,omitempty"`
	// HitMS is the time a hit takes at this edge, stated for logs that show
	// no hit and no upstream time to tell it (nil: none stated); the
	// replay prefers what the logs measure.
	HitMS *float64 `json:"hit_ms,omitempty"`
	// ClockSeconds: freshness is decided on whole seconds (an object filled
	// during second S with TTL T is fresh through second S+T).
	ClockSeconds bool `json:"clock_seconds"`
	// GraceFromSWR: the response's stale-while-revalidate becomes the
	// object's grace (Varnish 6+), so the stale window is the header's.
	GraceFromSWR bool `json:"grace_from_stale_while_revalidate"`

	// What the edge stores at all as configured by default, without the
	// configuration cdnadvise edge writes:

	// Extensions, when set, are the only file extensions eligible for the
	// cache (Cloudflare's default: HTML and JSON are not).
	Extensions []string `json:"eligible_extensions,omitempty"`
	// RequestCookie is what a request carrying Cookie does: "pass" (never
	// served from nor stored in the cache) or "ignore" (not in the key).
	RequestCookie string `json:"request_cookie"`
	// Authorization: "pass" or "ignore" (as RequestCookie).
	Authorization string `json:"authorization"`
	// SetCookie is what a response with Set-Cookie does: "pass" (not
	// stored), "strip" (stored without it) or "store" (stored with it, sent
	// on every hit).
	SetCookie string `json:"set_cookie"`
	// VaryCookie is what Vary: Cookie does: "split" (one variant per Cookie
	// value: per browser), "ignore" or "pass".
	VaryCookie string `json:"vary_cookie"`
	// Vary is what Vary on another request header (Accept-Language, ...)
	// does: "split" (one copy per value of the header) or "ignore".
	Vary string `json:"vary"`
	// MinTTLOverridesPrivate: a minimum TTL above 0 caches responses even
	// when they say private, no-store or no-cache (CloudFront).
	MinTTLOverridesPrivate bool `json:"min_ttl_overrides_private,omitempty"`
	// Docs cites where each default comes from.
	Docs []string `json:"docs,omitempty"`
}

// Duration reads "120s", "5m" or a number of seconds from JSON.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case float64:
		*d = Duration(time.Duration(x * float64(time.Second)))
	case string:
		p, err := ParseTTL(x)
		if err != nil {
			return err
		}
		*d = Duration(p)
	default:
		return fmt.Errorf("duration: want a number of seconds or a string like \"5m\", got %s", b)
	}
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Profiles returns the built-in edge profiles by name.
func Profiles() map[string]Profile {
	return map[string]Profile{
		"generic": {
			Name: "generic", HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			RequestCookie: "ignore", Authorization: "pass", SetCookie: "pass", VaryCookie: "split", Vary: "split",
			Docs: []string{
				"RFC 9111 (HTTP caching), RFC 5861 (stale-while-revalidate, stale-if-error): a cache that stores only what the origin allows",
				"RFC 9111 3.5: a shared cache must not use a response to a request with Authorization unless it says public, s-maxage or must-revalidate",
			},
		},
		"nginx": {
			Name: "nginx", HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true, ClockSeconds: true, SWRNeedsBackgroundUpdate: true, HitMS: msPtr(0),
			ConcurrentMissesReachOrigin: true, RequestCookie: "ignore", Authorization: "ignore", SetCookie: "pass", VaryCookie: "split", Vary: "split",
			Docs: []string{
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_valid: without proxy_cache_valid only responses with Cache-Control/Expires are cached (default_ttl 0); \"If the header includes the Set-Cookie field, such a response will not be cached\"; \"If the header includes the Vary field with another value, such a response will be cached taking into account the corresponding request header fields (1.7.7)\"",
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_key: default $scheme$proxy_host$request_uri: request cookies and Authorization are neither in the key nor a reason to bypass (the examples bypass explicitly with proxy_cache_bypass)",
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_use_stale: stale-while-revalidate and stale-if-error extensions are honoured (since 1.11.10); 'updating' with proxy_cache_background_update serves stale while one request updates (stale_while_updating, off by default)",
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_use_stale: \"The 'stale-while-revalidate' extension of the 'Cache-Control' header field permits using a stale cached response if it is currently being updated\"; #proxy_cache_background_update (default off): \"Allows starting a background subrequest to update an expired cache item, while a stale cached response is returned to the client\": without it the request that finds the entry expired waits for the origin (stale_while_revalidate_needs_background_update; cache-tests.fyi's nginx result for stale-while-revalidate: the second response does not come from the cache)",
				"whole-second clock: measured in the lab, an entry filled during second S with s-maxage T answers HIT through second S+T",
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_lock (default off): only with it on does \"only one request at a time\" populate a new cache element (concurrent_misses_reach_origin); measured in the lab (session 17), a Django app whose first responses took 0.3-0.65 s had its leaderboard fetched 7 times in the first 0.4 s, then once every 11 s. cdnadvise edge leaves the lock off: the waiting requests poll it every 500 ms (https://github.com/nginx/nginx/pull/1189, which would make that interval a setting), and a URL the cache does not store would be fetched one request at a time",
				"hit_ms 0: measured (TestNginxStockModel logs it), nginx's $request_time for a cache hit on loopback is 0.000 s: the time to the client is the network's",
			},
		},
		"varnish": {
			Name: "varnish", DefaultTTL: Duration(120 * time.Second), DefaultGrace: Duration(10 * time.Second),
			HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: false, GraceFromSWR: true, UncachedStatuses: []int{308}, HitMS: msPtr(0.1),
			RequestCookie: "pass", Authorization: "pass", SetCookie: "pass", VaryCookie: "split", Vary: "split",
			Docs: []string{
				"concurrent_misses_reach_origin false: requests for an object being fetched wait on it (Varnish's waiting list); measured by TestConcurrentMissesClaim on Varnish 7.1 as it comes: five requests at once, one fetch",
				"varnishd -x builtin (7.1): vcl_req_cookie 'if (req.http.Cookie) { return (pass); }', vcl_req_authorization 'if (req.http.Authorization) { return (pass); }', vcl_beresp_cookie: Set-Cookie makes the object hit-for-miss; vcl_beresp_vary: Vary: * too",
				"https://varnish-cache.org/docs/7.1/reference/vcl-var.html#beresp-ttl: default_ttl 120 s when the backend sends no TTL; s-maxage, else max-age",
				"https://varnish-cache.org/docs/7.1/reference/vcl-var.html#beresp-grace: \"Default: Cache-Control stale-while-revalidate directive, or default_grace parameter\" (default_grace 10 s); stale-if-error is not read",
				"hit_ms 0.1: measured in the lab, varnishncsa's %D of a cache hit on loopback is 0.08-0.11 ms at the median (the time to the client is the network's)",
				"cache-tests (http-cache-tests 0.4.5, run live against Varnish 7.1 by TestProfilesAgainstCacheTests): status-308-fresh \"Response 2 does not come from cache\": a 308 is not stored (uncached_statuses); freshness-none comes from cache (default_ttl); stale-sie-503 passes through the default grace, not stale-if-error",
			},
		},
		"cloudfront": {
			Name: "cloudfront", DefaultTTL: Duration(24 * time.Hour), MinTTL: 0, MaxTTL: Duration(365 * 24 * time.Hour),
			HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			RequestCookie: "ignore", Authorization: "ignore", SetCookie: "strip", VaryCookie: "ignore", Vary: "ignore", MinTTLOverridesPrivate: true,
			Docs: []string{
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#request-custom-traffic-spikes: simultaneous requests for the same object are collapsed into one request to the origin (concurrent_misses_reach_origin false)",
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html: default TTL 86,400 s when the origin sends no Cache-Control, maximum TTL 31,536,000 s; s-maxage overrides max-age for CloudFront; stale-while-revalidate and stale-if-error are honoured (since 2023-05)",
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Cookies.html: \"By default, CloudFront doesn't consider cookies when processing requests and responses, or when caching your objects\"; without cookie forwarding it removes Set-Cookie from responses",
				"https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html: \"If your minimum TTL is greater than 0, CloudFront will cache content for at least the duration specified in the cache policy's minimum TTL, even if the Cache-Control: no-cache, no-store, or private directives are present\" (the managed CachingOptimized policy has MinTTL 1 s and no query string in its key)",
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html: the origin's Vary does not create variants; only headers in the cache policy are in the key",
			},
		},
		"cloudflare": {
			Name: "cloudflare", DefaultTTL: Duration(120 * time.Minute), HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			Extensions:    cloudflareExtensions(),
			RequestCookie: "ignore", Authorization: "pass", SetCookie: "pass", VaryCookie: "ignore", Vary: "ignore",
			Docs: []string{
				"https://developers.cloudflare.com/cache/concepts/revalidation/ (Revalidation and request collapsing): simultaneous requests for one resource send one request to the origin (concurrent_misses_reach_origin false)",
				"https://developers.cloudflare.com/cache/concepts/default-cache-behavior/: by default Cloudflare caches only files with the listed static extensions; HTML and JSON are cached only when a Cache Rule makes them eligible",
				"https://developers.cloudflare.com/cache/how-to/configure-cache-status-code/#edge-ttl: without Cache-Control, eligible responses get an edge TTL of 120 minutes for 200, 206 and 301",
				"https://developers.cloudflare.com/cache/concepts/cache-behavior/: with origin cache control on (the default below Enterprise) a response with Set-Cookie is not cached and the cookie is kept",
				"https://developers.cloudflare.com/cache/concepts/cache-control/: s-maxage, stale-while-revalidate and stale-if-error are honoured; Vary is not considered except Accept-Encoding (and images)",
			},
		},
		"fastly": {
			Name: "fastly", DefaultTTL: 0, HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: false, UncachedStatuses: []int{204, 308},
			RequestCookie: "ignore", Authorization: "ignore", SetCookie: "pass", VaryCookie: "split", Vary: "split",
			Docs: []string{
				"https://www.fastly.com/documentation/guides/concepts/cache/request-collapsing: \"By default, cache misses will qualify for request collapsing\" (concurrent_misses_reach_origin false)",
				"https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/: Surrogate-Control and s-maxage take precedence over max-age; the docs give a service fallback TTL of 3,600 s for responses without freshness information, but cache-tests.fyi's published Fastly run stores none of them (freshness-none passes, heuristic-200-cached \"Response 2 does not come from cache\"): default_ttl is 0 as measured, and --profile-file with {\"default_ttl\": \"1h\"} assumes the documented fallback",
				"https://www.fastly.com/documentation/reference/http/http-headers/Cookie/: the request's Cookie is forwarded but not part of the key; https://www.fastly.com/blog/cache-recipe-success: \"By default, Fastly will pass requests that have the headers Set-Cookie or Cache-Control: private\"",
				"https://www.fastly.com/documentation/reference/http/http-headers/Vary/: Vary is supported per spec (Vary: Cookie: one variant per Cookie value)",
				"https://www.fastly.com/documentation/reference/vcl/variables/backend-response/beresp-stale-while-revalidate/: stale-while-revalidate and stale-if-error are parsed from the response",
				"cache-tests.fyi's published Fastly results (results/fastly.json in http-cache-tests 0.4.5, checked by TestProfilesAgainstCacheTests): stale-sie-503 \"Response 2 does not come from cache\" (stale-if-error alone does not serve stale: that takes VCL, so honors_stale_if_error is false); status-204-fresh and status-308-fresh are not stored (uncached_statuses)",
			},
		},
	}
}

// msPtr is a stated number of milliseconds.
func msPtr(v float64) *float64 { return &v }

// cloudflareExtensions are the file extensions Cloudflare caches by default
// (https://developers.cloudflare.com/cache/concepts/default-cache-behavior/#default-cached-file-extensions).
func cloudflareExtensions() []string {
	return []string{
		"7z", "apk", "avi", "avif", "bin", "bmp", "bz2", "class", "css", "csv", "dmg", "doc", "docx", "ejs", "eot",
		"eps", "exe", "flac", "gif", "gz", "ico", "iso", "jar", "jpeg", "jpg", "js", "mid", "midi", "mkv", "mp3",
		"mp4", "ogg", "otf", "pdf", "pict", "pls", "png", "ppt", "pptx", "ps", "rar", "svg", "svgz", "swf", "tar",
		"tif", "tiff", "ttf", "webm", "webp", "woff", "woff2", "xls", "xlsx", "zip", "zst",
	}
}

// LookupProfile returns a built-in profile, optionally overridden by a JSON
// file whose fields replace the built-in ones.
func LookupProfile(name, file string) (Profile, error) {
	ps := Profiles()
	if name == (NginxInclude{}).Name() {
		name = (Nginx{}).Name() // the same cache, written for a server of the user's
	}
	p, ok := ps[name]
	if !ok {
		var names []string
		for n := range ps {
			names = append(names, n)
		}
		sort.Strings(names)
		return Profile{}, fmt.Errorf("unknown edge %q (known: %s)", name, strings.Join(names, ", "))
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return Profile{}, err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return Profile{}, fmt.Errorf("profile %s: %w", file, err)
		}
	}
	return p, nil
}

// ParseTTL reads a TTL: "0", "30", "30s", "5m", "1h", "6h", "1d", "1w", "inf".
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch {
	case s == "inf" || s == "infinite" || s == "forever":
		return Infinite, nil
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w"):
		unit := 24 * time.Hour
		if strings.HasSuffix(s, "w") {
			unit *= 7
		}
		var n float64
		if _, err := fmt.Sscanf(s[:len(s)-1], "%g", &n); err != nil || n < 0 {
			return 0, fmt.Errorf("bad TTL %q", s)
		}
		return time.Duration(n * float64(unit)), nil
	}
	var n float64
	if _, err := fmt.Sscanf(s, "%g", &n); err == nil && fmt.Sprint(n) == s {
		if n < 0 {
			return 0, fmt.Errorf("bad TTL %q", s)
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad TTL %q (use 0, 30s, 5m, 1h, 1d, inf)", s)
	}
	return d, nil
}

// Infinite is a TTL that never expires.
const Infinite = time.Duration(1<<62 - 1)

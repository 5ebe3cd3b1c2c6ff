package replay

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Profile is how one kind of cache treats the same traffic: its defaults
// when the origin sends no Cache-Control, which freshness extensions it
// honours, how it serves stale content and how fine its clock is. Every
// default cites the vendor's documentation; a profile file (JSON with these
// field names) overrides any of them.
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
	// ClockSeconds: freshness is decided on whole seconds (an object filled
	// during second S with TTL T is fresh through second S+T).
	ClockSeconds bool `json:"clock_seconds"`
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
			Docs: []string{"RFC 9111 (HTTP caching), RFC 5861 (stale-while-revalidate, stale-if-error): a cache that stores only what the origin allows"},
		},
		"nginx": {
			Name: "nginx", HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true, ClockSeconds: true,
			Docs: []string{
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_valid: without proxy_cache_valid only responses with Cache-Control/Expires are cached (default_ttl 0)",
				"https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_cache_use_stale: stale-while-revalidate and stale-if-error extensions are honoured (since 1.11.10); 'updating' with proxy_cache_background_update serves stale while one request updates (stale_while_updating, off by default)",
				"whole-second clock: measured in the lab, an entry filled during second S with s-maxage T answers HIT through second S+T",
			},
		},
		"varnish": {
			Name: "varnish", DefaultTTL: Duration(120 * time.Second), DefaultGrace: Duration(10 * time.Second),
			HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: false,
			Docs: []string{
				"https://varnish-cache.org/docs/trunk/reference/varnishd.html#default-ttl: default_ttl 120 s when the backend sends no TTL",
				"https://varnish-cache.org/docs/trunk/reference/varnishd.html#default-grace: default_grace 10 s, an expired object is delivered while a background fetch refreshes it",
				"https://varnish-cache.org/docs/trunk/users-guide/increasing-your-hitrate.html: s-maxage is used for the TTL; stale-while-revalidate sets grace (Varnish 6+); stale-if-error is not used by the builtin VCL",
			},
		},
		"cloudfront": {
			Name: "cloudfront", DefaultTTL: Duration(24 * time.Hour), MinTTL: 0, MaxTTL: Duration(365 * 24 * time.Hour),
			HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			Docs: []string{
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html: default TTL 86,400 s when the origin sends no Cache-Control, minimum TTL 0, maximum TTL 31,536,000 s; s-maxage overrides max-age for CloudFront",
				"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html#stale-content: stale-while-revalidate and stale-if-error are honoured",
			},
		},
		"cloudflare": {
			Name: "cloudflare", DefaultTTL: Duration(120 * time.Minute), HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			Docs: []string{
				"https://developers.cloudflare.com/cache/how-to/configure-cache-status-code/#edge-ttl: without Cache-Control, cacheable file types get an edge TTL of 120 minutes for 200, 206 and 301 responses",
				"https://developers.cloudflare.com/cache/concepts/cache-control/: s-maxage, stale-while-revalidate and stale-if-error are honoured",
			},
		},
		"fastly": {
			Name: "fastly", DefaultTTL: Duration(time.Hour), HonorsSMaxAge: true, HonorsSWR: true, HonorsSIE: true,
			Docs: []string{
				"https://www.fastly.com/documentation/guides/concepts/edge-state/cache/cache-freshness/: default TTL 3,600 s when the response has no freshness information; Surrogate-Control and s-maxage take precedence over max-age",
				"https://www.fastly.com/documentation/guides/concepts/edge-state/cache/stale/: stale-while-revalidate and stale-if-error are honoured",
			},
		},
	}
}

// LookupProfile returns a built-in profile, optionally overridden by a JSON
// file whose fields replace the built-in ones.
func LookupProfile(name, file string) (Profile, error) {
	ps := Profiles()
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

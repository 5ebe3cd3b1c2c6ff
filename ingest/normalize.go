package ingest

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// NormalizeCacheStatus maps a cache status as logged by a CDN or cache onto
// the normalized set. Unknown values map to CacheNone (the raw value is kept by
// the caller). How each vendor value maps:
//
//	CloudFront  Hit, OriginShieldHit -> HIT; RefreshHit -> REVALIDATED; Miss -> MISS;
//	            Error, LimitExceeded, CapacityExceeded, *ExecutionError -> ERROR;
//	            Redirect, *GeneratedResponse -> none (no cache lookup took place)
//	Cloudflare  hit, miss, expired, stale, updating, revalidated, bypass, dynamic;
//	            ignored -> DYNAMIC; unknown, none -> none
//	nginx       HIT MISS EXPIRED STALE UPDATING REVALIDATED BYPASS; "-" -> none
//	Varnish     hit, miss, pass, pipe -> PASS, hitpass -> PASS, hitmiss -> MISS, synth -> none
//	Fastly      HIT, MISS, PASS, ERROR, HIT-STALE -> STALE, HITPASS -> PASS,
//	            *-CLUSTER suffixes ignored, HIT-SYNTH/SYNTH -> none
//	Akamai      cacheStatus 1 -> HIT, 0 -> MISS
//	Squid-style TCP_HIT, TCP_MEM_HIT -> HIT, TCP_MISS -> MISS, TCP_REFRESH_HIT -> REVALIDATED
func NormalizeCacheStatus(raw []byte) CacheStatus {
	var buf [32]byte
	if len(raw) == 0 || len(raw) > len(buf) {
		return CacheNone
	}
	s := buf[:0]
	for _, c := range raw {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c == '_' {
			c = '-'
		}
		s = append(s, c)
	}
	s = bytes.TrimSuffix(s, []byte("-cluster"))
	s = bytes.TrimPrefix(s, []byte("tcp-"))
	switch string(s) {
	case "hit", "originshieldhit", "mem-hit", "ims-hit", "stream-hit", "1":
		return CacheHit
	case "miss", "hitmiss", "0":
		return CacheMiss
	case "expired":
		return CacheExpired
	case "stale", "hit-stale":
		return CacheStale
	case "updating":
		return CacheUpdating
	case "revalidated", "refreshhit", "refresh-hit", "refresh-unmodified":
		return CacheRevalidated
	case "bypass":
		return CacheBypass
	case "pass", "hitpass", "hit-pass", "pipe":
		return CachePass
	case "dynamic", "ignored", "noncacheable":
		return CacheDynamic
	case "error", "limitexceeded", "capacityexceeded", "lambdaexecutionerror", "functionexecutionerror", "lambdavalidationerror", "functionthrottlederror", "denied", "refresh-fail":
		return CacheError
	}
	return CacheNone
}

var errBadNumber = errors.New("not a number")

// parseInt parses a non-negative decimal integer without allocating.
func parseInt(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 18 {
		return 0, errBadNumber
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errBadNumber
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// parseFloat parses a decimal number such as 0.123 or 12 quickly, falling back
// to strconv for anything unusual.
func parseFloat(b []byte) (float64, error) {
	if len(b) == 0 {
		return 0, errBadNumber
	}
	var ip, fp int64
	var fd int
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i > 15 {
			return slowFloat(b)
		}
		ip = ip*10 + int64(b[i]-'0')
	}
	if i == 0 && (len(b) == 1 || b[0] != '.') {
		return slowFloat(b)
	}
	if i < len(b) {
		if b[i] != '.' {
			return slowFloat(b)
		}
		i++
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' || fd >= 15 {
				return slowFloat(b)
			}
			fp = fp*10 + int64(c-'0')
			fd++
		}
	}
	return float64(ip) + float64(fp)/pow10[fd], nil
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

func slowFloat(b []byte) (float64, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errBadNumber
	}
	return f, nil
}

// optFloat parses a number or returns NaN for "-" / empty / garbage-free
// absence. The bool is false when the value is present but not a number.
func optFloat(b []byte) (float64, bool) {
	if len(b) == 0 || isDash(b) {
		return math.NaN(), true
	}
	f, err := parseFloat(b)
	if err != nil {
		return math.NaN(), false
	}
	return f, true
}

// sumUpstreamTimes reads nginx's $upstream_response_time, which lists one
// time per upstream tried ("0.010, 0.020" or "0.1 : 0.2"); the total is
// returned in seconds. "-" entries count as zero; all "-" gives NaN.
func sumUpstreamTimes(b []byte) (float64, bool) {
	if len(b) == 0 || isDash(b) {
		return math.NaN(), true
	}
	total, any := 0.0, false
	for len(b) > 0 {
		i := bytes.IndexAny(b, ",:")
		var part []byte
		if i < 0 {
			part, b = b, nil
		} else {
			part, b = b[:i], b[i+1:]
		}
		part = bytes.TrimSpace(part)
		if len(part) == 0 || isDash(part) {
			continue
		}
		f, err := parseFloat(part)
		if err != nil {
			return math.NaN(), false
		}
		total += f
		any = true
	}
	if !any {
		return math.NaN(), true
	}
	return total, true
}

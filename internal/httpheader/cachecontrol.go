package httpheader

import (
	"strconv"
	"strings"
)

// CacheMeaning is what a Cache-Control header means to a cache: who may
// store the response and for how long (RFC 9111 section 5.2.2).
type CacheMeaning struct {
	// NoStore: no cache may store it (no-store).
	NoStore bool
	// Private: only the browser may (private), or none without
	// revalidation (no-cache).
	Private bool
	NoCache bool
	// SharedTTL is the lifetime a shared cache gives it, in seconds:
	// s-maxage, else max-age (-1 when neither says).
	SharedTTL int64
	// Immutable: the response never changes while fresh.
	Immutable bool
	// Public: any cache may store it (public).
	Public bool
}

// SharedMayStore says whether a shared cache may store the response: it is
// neither no-store nor private, and says public or gives a lifetime.
func (m CacheMeaning) SharedMayStore() bool {
	return !m.NoStore && !m.Private && (m.Public || m.SharedTTL >= 0)
}

// yearSeconds: lifetimes of a year or more mean "for good" to every cache
// (RFC 9111 advises caches may cap them; WhiteNoise sends ten years,
// most advice one).
const yearSeconds = 365 * 24 * 3600

// ParseCacheMeaning reads a Cache-Control value (directives in any order
// and case, spaces aside).
func ParseCacheMeaning(v string) CacheMeaning {
	m := CacheMeaning{SharedTTL: -1}
	maxAge, sMaxAge := int64(-1), int64(-1)
	for _, d := range strings.Split(strings.ToLower(v), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		n, err := strconv.ParseInt(strings.Trim(val, `" `), 10, 64)
		if err != nil {
			n = -1
		}
		switch strings.TrimSpace(name) {
		case "no-store":
			m.NoStore = true
		case "private":
			m.Private = true
		case "no-cache":
			m.NoCache = true
		case "immutable":
			m.Immutable = true
		case "public":
			m.Public = true
		case "max-age":
			maxAge = n
		case "s-maxage":
			sMaxAge = n
		}
	}
	m.SharedTTL = maxAge
	if sMaxAge >= 0 {
		m.SharedTTL = sMaxAge
	}
	return m
}

// SameMeaning says whether a cache treats two Cache-Control values
// alike: both forbid storing (no-store: Django's never_cache sends
// "max-age=0, no-cache, no-store, must-revalidate, private"), or both
// keep it out of shared caches (private), or a shared cache stores both
// for the same lifetime (a year or more counting as one), revalidating
// both or neither (no-cache) and taking both or neither as immutable.
func SameMeaning(a, b string) bool {
	ma, mb := ParseCacheMeaning(a), ParseCacheMeaning(b)
	if ma.NoStore || mb.NoStore {
		return ma.NoStore == mb.NoStore
	}
	if ma.Private || mb.Private {
		return ma.Private == mb.Private
	}
	ttl := func(m CacheMeaning) int64 {
		if m.SharedTTL >= yearSeconds {
			return yearSeconds
		}
		return m.SharedTTL
	}
	return ttl(ma) == ttl(mb) && ma.NoCache == mb.NoCache && ma.Immutable == mb.Immutable
}

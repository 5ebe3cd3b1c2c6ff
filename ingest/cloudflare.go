package ingest

// Cloudflare Logpush, dataset http_requests, JSON lines (one object per
// request). Field names and meaning:
// https://developers.cloudflare.com/logs/reference/log-fields/zone/http_requests/
// Timestamp formats (output_options.timestamp_format: unixnano, unix,
// rfc3339): https://developers.cloudflare.com/logs/reference/logpush-api-configuration/
// Custom fields (RequestHeaders, ResponseHeaders and Cookies: objects keyed
// by the lower-case header or cookie names the zone configured in its
// http_log_custom_fields phase; only those are logged, so a missing key is
// "not logged", never "not sent"):
// https://developers.cloudflare.com/logs/reference/custom-fields

import "math"

func cloudflareSpec() *jsonSpec {
	ms := func(k string) jsonAlt { return jsonAlt{path: k, scale: 1} }
	key := func(k string) []jsonAlt { return []jsonAlt{{path: k}} }
	return &jsonSpec{
		name: "cloudflare",
		fields: []jsonField{
			{kind: jkTS, alts: key("EdgeStartTimestamp")},
			{kind: jkExtra1, alts: key("EdgeEndTimestamp")},
			{kind: jkMethod, alts: key("ClientRequestMethod")},
			{kind: jkHost, alts: key("ClientRequestHost")},
			{kind: jkURL, alts: key("ClientRequestURI")},
			{kind: jkPath, alts: key("ClientRequestPath")},
			{kind: jkStatus, alts: key("EdgeResponseStatus")},
			{kind: jkBytes, alts: key("EdgeResponseBytes")},
			{kind: jkCache, alts: key("CacheCacheStatus")},
			{kind: jkPop, alts: key("EdgeColoCode")},
			{kind: jkRequestID, alts: key("RayID")},
			{kind: jkTTFB, alts: []jsonAlt{ms("EdgeTimeToFirstByteMs")}},
			{kind: jkOrigin, alts: []jsonAlt{
				ms("OriginResponseDurationMs"),
				ms("OriginResponseHeaderReceiveDurationMs"),
				{path: "OriginResponseTime", scale: 1e-6}, // deprecated, nanoseconds
			}},
			{kind: jkClient, alts: key("ClientIP")},
			{kind: jkUA, alts: key("ClientRequestUserAgent")},
			{kind: jkReferer, alts: key("ClientRequestReferer")},
			{kind: jkContentType, alts: []jsonAlt{{path: "EdgeResponseContentType"}, {path: "ResponseHeaders.content-type"}}},
			// Custom fields, when the zone logs them.
			{kind: jkCacheControl, alts: key("ResponseHeaders.cache-control")},
			{kind: jkVary, alts: key("ResponseHeaders.vary")},
			{kind: jkETag, alts: key("ResponseHeaders.etag")},
			{kind: jkSetCookie, alts: key("ResponseHeaders.set-cookie"), absentUnknown: true},
			{kind: jkAuth, alts: key("RequestHeaders.authorization"), absentUnknown: true},
			{kind: jkCookie, alts: key("RequestHeaders.cookie"), absentUnknown: true},
			{kind: jkCookieNames, alts: key("Cookies"), absentUnknown: true},
			{kind: jkLang, alts: key("RequestHeaders.accept-language")},
			{kind: jkAccept, alts: key("RequestHeaders.accept")},
		},
		detectKeys: []string{"RayID", "EdgeStartTimestamp", "CacheCacheStatus", "ClientRequestURI"},
		detect: func(has func(string) bool) bool {
			return has("RayID") || has("EdgeStartTimestamp") || has("CacheCacheStatus") || has("ClientRequestURI")
		},
		detectDoc: "any of the keys RayID, EdgeStartTimestamp, CacheCacheStatus, ClientRequestURI",
		post:      cloudflarePost,
	}
}

// cloudflareFormat is Cloudflare Logpush's http_requests dataset as JSON
// lines, with EdgeStartTimestamp in any of the three Logpush timestamp
// formats (RFC 3339, unix seconds, unix nanoseconds).
func cloudflareFormat() Format {
	s := cloudflareSpec()
	return Format{
		Name: "cloudflare", Tier: TierEdge,
		Summary: "Cloudflare Logpush http_requests JSON lines: EdgeStartTimestamp (RFC 3339, unix seconds or unix nanoseconds), " +
			"ClientRequestMethod, ClientRequestHost, ClientRequestURI (else ClientRequestPath), EdgeResponseStatus, EdgeResponseBytes, " +
			"CacheCacheStatus, EdgeColoCode (pop), RayID (request id), EdgeTimeToFirstByteMs (ttfb), " +
			"OriginResponseDurationMs (else OriginResponseHeaderReceiveDurationMs, else the deprecated OriginResponseTime in ns; " +
			"0 on a response served from cache is no origin time), ClientIP, ClientRequestUserAgent, ClientRequestReferer, " +
			"EdgeResponseContentType; duration = EdgeEndTimestamp - EdgeStartTimestamp when both have sub-second precision; " +
			"bytes are EdgeResponseBytes, what the edge returned headers included (EdgeResponseBodyBytes would be the body alone; Elastic keeps both); " +
			"custom fields when the zone logs them: RequestHeaders (cookie, authorization: presence and cookie names only; accept-language, accept), " +
			"ResponseHeaders (cache-control, vary, etag, set-cookie: presence; content-type), Cookies (names only, never values)",
		Example: `{"ClientIP":"192.0.2.10","ClientRequestHost":"shop.example","ClientRequestMethod":"GET","ClientRequestURI":"/items/42?x=1",` +
			`"ClientRequestUserAgent":"curl/8.0","CacheCacheStatus":"hit","EdgeColoCode":"FRA","EdgeResponseBytes":1532,"EdgeResponseStatus":200,` +
			`"EdgeStartTimestamp":1795595131123000000,"EdgeEndTimestamp":1795595131127000000,"EdgeTimeToFirstByteMs":3,"OriginResponseDurationMs":0,"RayID":"8c1e2f3a4b5c6d7e"}`,
		Open: s.open,
	}
}

// cloudflarePost derives the duration from the end timestamp and drops the
// 0 origin time Cloudflare logs for responses served from cache.
func cloudflarePost(r *Record, start, end, _ []byte) {
	if r.HasTS && end != nil && subSecondTime(start) && subSecondTime(end) {
		if t, err := jsonTime(end); err == nil && t >= r.TS {
			r.DurationMS = float64(t-r.TS) / 1000
		}
	}
	if r.OriginMS == 0 {
		switch r.Cache {
		case CacheHit, CacheStale, CacheUpdating:
			r.OriginMS = math.NaN()
		}
	}
}

// subSecondTime reports whether a raw time value is finer than a second: it
// has a fraction, or it is an epoch in ms, µs or ns (13 digits or more).
func subSecondTime(v []byte) bool {
	for _, c := range v {
		if c == '.' || c == ',' {
			return true
		}
	}
	if len(v) < 13 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

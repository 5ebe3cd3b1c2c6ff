package ingest

// Fastly real-time log streaming with a JSON log format. Fastly has no fixed
// schema: the format string is written by the user with VCL variables
// (https://www.fastly.com/documentation/reference/vcl/variables/), so this
// reads the key names of Fastly's own JSON example and the common variants.
// References: https://docs.fastly.com/en/guides/changing-log-line-formats and
// https://www.fastly.com/documentation/guides/integrations/streaming-logs/useful-log-formats/
// (the JSON example there: timestamp, client_ip, host, url, request_method,
// request_referer, request_user_agent, response_state, response_status,
// response_body_size, fastly_server, fastly_is_edge).

func fastlySpec() *jsonSpec {
	keys := func(ks ...string) []jsonAlt {
		out := make([]jsonAlt, len(ks))
		for i, k := range ks {
			out[i] = jsonAlt{path: k}
		}
		return out
	}
	return &jsonSpec{
		name: "fastly",
		fields: []jsonField{
			{kind: jkTS, alts: keys("timestamp", "time.start", "time_start", "time")},
			{kind: jkClient, alts: keys("client_ip")},
			{kind: jkMethod, alts: keys("request.method", "request_method", "method")},
			{kind: jkHost, alts: keys("request.host", "host")},
			{kind: jkURL, alts: keys("request.url", "url")},
			{kind: jkPath, alts: keys("request.path")},
			{kind: jkQuery, alts: keys("request.query")},
			{kind: jkStatus, alts: keys("response.status", "status", "response_status")},
			{kind: jkBytes, alts: keys("response.bytes", "response_body_size", "bytes")},
			{kind: jkCache, alts: keys("fastly_info.state", "cache_status", "response_state")},
			{kind: jkDur, alts: []jsonAlt{
				{path: "time.elapsed", scale: 0.001}, // time.elapsed.usec
				{path: "elapsed_usec", scale: 0.001},
				{path: "time_elapsed_ms", scale: 1},
			}},
			{kind: jkPop, alts: keys("pop", "server.datacenter", "datacenter")},
			{kind: jkRequestID, alts: keys("request_id", "fastly_request_id")},
			{kind: jkUA, alts: keys("request.user_agent", "user_agent", "request_user_agent")},
			{kind: jkReferer, alts: keys("request.referer", "referer", "request_referer")},
			{kind: jkContentType, alts: keys("response.content_type", "content_type")},
		},
		detectKeys: []string{
			"fastly_info", "fastly_info.state", "fastly_server", "fastly_is_edge", "fastly_request_id",
			"pop", "datacenter", "server.datacenter", "cache_status", "response_state",
		},
		detect: func(has func(string) bool) bool {
			if has("fastly_info") || has("fastly_info.state") || has("fastly_server") || has("fastly_is_edge") || has("fastly_request_id") {
				return true
			}
			return (has("pop") || has("datacenter") || has("server.datacenter")) && (has("cache_status") || has("response_state"))
		},
		detectDoc: "a fastly_info, fastly_server, fastly_is_edge or fastly_request_id key, or pop / datacenter / server.datacenter with cache_status / response_state",
	}
}

// fastlyFormat is Fastly real-time logging with a JSON log format; the key
// names read (with their alternatives, nested or flat) are listed in the
// Summary.
func fastlyFormat() Format {
	s := fastlySpec()
	return Format{
		Name: "fastly", Tier: TierEdge,
		Summary: "Fastly real-time logging, JSON lines (keys tried in order; a.b is a nested object or a flat \"a.b\" key): " +
			"timestamp | time.start | time_start | time (RFC 3339 or epoch); client_ip; request.method | request_method | method; " +
			"request.host | host; request.url | url (path?query), else request.path + request.query; response.status | status | response_status; " +
			"response.bytes | response_body_size | bytes; fastly_info.state | cache_status | response_state (cache status); " +
			"time.elapsed | elapsed_usec (µs) | time_elapsed_ms (ms) (duration); pop | server.datacenter | datacenter; " +
			"request_id | fastly_request_id; request.user_agent | user_agent | request_user_agent; request.referer | referer | request_referer; " +
			"response.content_type | content_type; \"(null)\" is no value",
		Example: `{"timestamp":"2026-11-25T08:25:31+0000","client_ip":"192.0.2.10","request":{"method":"GET","host":"shop.example","url":"/items/42?x=1"},` +
			`"response":{"status":200,"bytes":1532},"fastly_info":{"state":"HIT-CLUSTER"},"time":{"elapsed":2417},"pop":"FRA","request_id":"d1f1a2"}`,
		Open: s.open,
	}
}

package ingest

// Akamai DataStream 2, JSON log lines. Field names and meaning:
// https://techdocs.akamai.com/datastream2/docs/data-set-parameters
// Sample logs: https://techdocs.akamai.com/datastream2/docs/log-files
// Values outside printable ASCII (and, in practice, '/' in reqPath and
// spaces in UA as '+') are URL-encoded; all values may come as strings.

func akamaiSpec() *jsonSpec {
	key := func(k string) []jsonAlt { return []jsonAlt{{path: k}} }
	return &jsonSpec{
		name: "akamai",
		fields: []jsonField{
			{kind: jkTS, alts: key("reqTimeSec")},
			{kind: jkMethod, alts: key("reqMethod")},
			{kind: jkHost, alts: key("reqHost")},
			{kind: jkPath, alts: key("reqPath"), decode: jdPercent},
			{kind: jkQuery, alts: key("queryStr")},
			{kind: jkStatus, alts: key("statusCode")},
			{kind: jkBytes, alts: []jsonAlt{{path: "totalBytes"}, {path: "bytes"}, {path: "rspContentLen"}}},
			{kind: jkCache, alts: key("cacheStatus")},
			{kind: jkExtra1, alts: key("cacheable")},
			{kind: jkDur, alts: []jsonAlt{{path: "turnAroundTimeMSec", scale: 1}}},
			{kind: jkTTFB, alts: []jsonAlt{{path: "timeToFirstByte", scale: 1}}},
			{kind: jkClient, alts: key("cliIP")},
			{kind: jkUA, alts: key("UA"), decode: jdForm},
			{kind: jkReferer, alts: key("referer"), decode: jdPercent},
			{kind: jkRequestID, alts: key("reqId")},
			{kind: jkContentType, alts: key("rspContentType"), decode: jdPercent},
		},
		detectKeys: []string{"reqTimeSec", "reqPath", "cacheStatus"},
		detect: func(has func(string) bool) bool {
			return has("reqTimeSec") && (has("reqPath") || has("cacheStatus"))
		},
		detectDoc: "the key reqTimeSec with reqPath or cacheStatus",
		post:      akamaiPost,
	}
}

// akamaiFormat is Akamai DataStream 2 as JSON lines (values usually strings,
// reqPath and UA URL-encoded).
func akamaiFormat() Format {
	s := akamaiSpec()
	return Format{
		Name: "akamai", Tier: TierEdge,
		Summary: "Akamai DataStream 2 JSON lines: reqTimeSec (epoch seconds, number or string), reqMethod, reqHost, " +
			"reqPath (URL-decoded once; a leading / is added when missing), queryStr, statusCode, totalBytes (else bytes, else rspContentLen), " +
			"cacheStatus (1 HIT, 0 MISS; with cacheable 0: DYNAMIC), turnAroundTimeMSec (duration), timeToFirstByte (ms), " +
			"cliIP (client), UA (URL-decoded, + is a space), referer (URL-decoded), reqId (request id), rspContentType; " +
			"other fields (edgeIP, transferTimeMSec, serverCountry, edgeAttempts, ...) are not read",
		Example: `{"version":1,"cp":"123456","reqId":"1239f220","reqTimeSec":"1795595131.123","bytes":"4995","cliIP":"192.0.2.10",` +
			`"statusCode":"200","proto":"HTTPS","reqHost":"shop.example","reqMethod":"GET","reqPath":"%2Fitems%2F42","queryStr":"x=1",` +
			`"rspContentLen":"5000","rspContentType":"text/html","UA":"Mozilla%2F5.0+%28Macintosh%29","cacheStatus":"1","cacheable":"1",` +
			`"turnAroundTimeMSec":"11","timeToFirstByte":"9","totalBytes":"5250"}`,
		Open: s.open,
	}
}

// akamaiPost adds the leading '/' DataStream sometimes leaves out of reqPath
// and reads a miss of a response that is not cacheable as DYNAMIC.
func akamaiPost(r *Record, _, cacheable, _ []byte) {
	if len(r.Path) > 0 && r.Path[0] != '/' {
		r.Path = append([]byte{'/'}, r.Path...)
	}
	if string(cacheable) == "0" && string(r.CacheRaw) == "0" {
		r.Cache = CacheDynamic
	}
}

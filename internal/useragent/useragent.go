// Package useragent sorts the User-Agent strings of access logs into the
// kinds of client a report counts: crawlers and bots, browsers, scripts and
// tools, and requests without a User-Agent.
package useragent

import "strings"

// Kinds of client.
const (
	Bot     = "bot"     // crawlers, monitors, previews: they say so
	Browser = "browser" // a browser engine's token, and no bot marker
	Tool    = "tool"    // HTTP libraries and command-line tools
	None    = "none"    // no User-Agent logged ("" or "-")
	Other   = "other"   // anything else
)

// botMarkers are substrings (lower case) that crawlers, monitors and link
// previewers put in their User-Agent; most say bot, crawl or spider
// (Googlebot, bingbot, AhrefsBot, YandexBot...), the rest are named.
var botMarkers = []string{
	"bot", "crawl", "spider", "slurp", "facebookexternalhit", "mediapartners", "ia_archiver",
	"feedfetcher", "preview", "monitor", "uptime", "pingdom", "headlesschrome", "lighthouse",
	"scan", "nuclei", "zgrab", "masscan", "nikto", "sqlmap", "httrack", "archive.org",
}

// toolMarkers are the prefixes (lower case) of HTTP libraries and tools.
var toolMarkers = []string{
	"curl/", "wget/", "python-requests/", "python-urllib/", "python-httpx/", "aiohttp/", "go-http-client/",
	"okhttp/", "java/", "apache-httpclient/", "axios/", "node-fetch/", "node", "undici", "libwww-perl/",
	"php/", "guzzlehttp/", "ruby", "httpie/", "postmanruntime/", "insomnia/", "k6/", "locust", "ab/", "hey/",
	"wrk", "dart:io", "okhttp", "restsharp/", "powershell",
}

// Kind says what kind of client a User-Agent is.
func Kind(ua string) string {
	u := strings.ToLower(strings.TrimSpace(ua))
	if u == "" || u == "-" {
		return None
	}
	for _, m := range botMarkers {
		if strings.Contains(u, m) {
			return Bot
		}
	}
	for _, m := range toolMarkers {
		if strings.HasPrefix(u, m) {
			return Tool
		}
	}
	if strings.HasPrefix(u, "mozilla/") || strings.HasPrefix(u, "opera/") {
		return Browser
	}
	return Other
}

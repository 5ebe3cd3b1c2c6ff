package advisor

import (
	"fmt"
	"strings"
)

// splitsOn lists the Vary headers of a route that the edge keeps one copy
// per value of, and that the logs cannot tell: each client is then taken to
// send its own value (the worst case). Accept-Encoding is left out: caches
// normalize it or keep a few variants (gzip, br, identity).
func splitsOn(vary []string, varyOther, varyCookie string) []string {
	var out []string
	for _, h := range vary {
		switch h {
		case "Accept-Encoding":
		case "Cookie":
			if varyCookie == "split" {
				out = append(out, h)
			}
		default:
			if varyOther == "split" {
				out = append(out, h)
			}
		}
	}
	return out
}

// varyReason says how the prediction keyed a route whose responses vary on
// headers: by the values the logs record, or per client where they do not.
func varyReason(headers []string, logged map[string]bool, edgeName string) string {
	var byValue, perClient, perUA []string
	for _, h := range headers {
		switch {
		case logged[h]:
			byValue = append(byValue, h)
		case h == "Accept":
			perUA = append(perUA, h)
		default:
			perClient = append(perClient, h)
		}
	}
	msg := fmt.Sprintf("the responses vary on %s (as the source or the logs say) and %s keeps one copy per value", strings.Join(headers, ", "), edgeName)
	if len(byValue) > 0 {
		msg += fmt.Sprintf("; predicted with one copy per %s value the logs record", strings.Join(byValue, ", "))
	}
	if len(perUA) > 0 {
		msg += fmt.Sprintf("; the logs do not record %s: one value per User-Agent assumed (the browser and the page's code choose it, not the user)", strings.Join(perUA, ", "))
	}
	if len(perClient) > 0 {
		msg += fmt.Sprintf("; the logs do not record %s, so each client is taken to send its own (worst case): predicted per client", strings.Join(perClient, ", "))
	}
	return msg
}

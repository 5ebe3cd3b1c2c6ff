package advisor

import (
	"github.com/cdnadvise/cdnadvise/framework"
)

// PatchRows turns recommendations into the rows a patch writes (those of
// a route of the source).
func PatchRows(recs []*Recommendation) []*framework.Advised {
	var out []*framework.Advised
	for _, rec := range recs {
		if rec.Route != nil {
			out = append(out, &framework.Advised{Route: rec.Route, Method: rec.Method, Class: rec.Class, CacheControl: rec.CacheControl,
				TTLSeconds: rec.TTLSeconds, Kept: rec.Kept, Immutable: rec.Class == ClassImmutable})
		}
	}
	return out
}

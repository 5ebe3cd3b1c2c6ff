package replay

import (
	"time"

	"github.com/cdnadvise/cdnadvise/edge"
)

// The edge profiles live in package edge, beside the configuration each
// edge needs; the replay reads them under these names.

// Profile is an edge's caching behaviour (see edge.Profile).
type Profile = edge.Profile

// Duration reads "120s", "5m" or a number of seconds from JSON.
type Duration = edge.Duration

// Infinite is a TTL that never expires.
const Infinite = edge.Infinite

// Profiles returns the built-in edge profiles by name.
func Profiles() map[string]Profile { return edge.Profiles() }

// LookupProfile returns a built-in profile, optionally overridden by a JSON
// file whose fields replace the built-in ones.
func LookupProfile(name, file string) (Profile, error) { return edge.LookupProfile(name, file) }

// ParseTTL reads a TTL: "0", "30", "30s", "5m", "1h", "6h", "1d", "1w", "inf".
func ParseTTL(s string) (time.Duration, error) { return edge.ParseTTL(s) }

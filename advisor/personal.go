package advisor

import (
	"fmt"

	"github.com/cdnadvise/cdnadvise/analyze"
)

// Evidence from the logs of whether an endpoint answers everyone alike.
// A client is an address with its user agent. In each 10-second window,
// the responses the origin made for one URL (path and query; origin logs,
// or edge lines that were not served from the cache) to two clients or more
// are compared by ETag, else by size: one value for all is evidence of a
// shared response; three values or more among three clients or more is
// evidence of per-user responses (a gzip and an identity copy of one
// response explain two values, not three).
type personalEvidence analyze.SameResponse

// Personalization verdicts.
const (
	PersonalPerUser = "per-user"          // responses differ between clients at the same time
	PersonalShared  = "same-for-everyone" // clients got the same response at the same time
	PersonalUnknown = "unknown"           // too few windows with several clients, or they disagree
)

// The thresholds of the verdicts: responses differ per client when, in
// at least PerUserMinWindows URL windows with three clients or more, three
// responses or more differed, and those are at least a fifth of such
// windows; everyone gets the same when at least SharedMinWindows windows
// with two clients or more agreed and they are at least SharedMinShare of
// all such windows (a window where clients got different responses counts
// against).
const (
	PerUserMinWindows = 2
	SharedMinWindows  = 5
	SharedMinShare    = 0.8
)

func (e personalEvidence) verdict() string {
	switch {
	case e.Differ >= PerUserMinWindows && e.Differ*5 >= e.Wide:
		return PersonalPerUser
	case e.Same >= SharedMinWindows && float64(e.Same) >= SharedMinShare*float64(e.Windows):
		return PersonalShared
	}
	return PersonalUnknown
}

func (e personalEvidence) String() string {
	return fmt.Sprintf("%d of %d URL windows with 3+ clients had 3+ different responses; in %d of %d windows with 2+ clients all got the same", e.Differ, e.Wide, e.Same, e.Windows)
}

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
	PersonalUnknown = "unknown"           // no two clients fetched one URL at the same time
)

func (e personalEvidence) verdict() string {
	switch {
	case e.Differ >= 2 && e.Differ*5 >= e.Wide:
		return PersonalPerUser
	case e.Same >= 1:
		return PersonalShared
	}
	return PersonalUnknown
}

func (e personalEvidence) String() string {
	return fmt.Sprintf("%d of %d URL windows with 3+ clients had 3+ different responses; in %d of %d windows with 2+ clients all got the same", e.Differ, e.Wide, e.Same, e.Windows)
}

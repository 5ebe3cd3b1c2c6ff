// Package charts draws the analysis, the replay curves, the advice and the
// patches as one self-contained HTML report: echarts' JavaScript is embedded
// in the binary and inlined into the page, every string taken from logs is
// escaped, and nothing is fetched when the page is viewed. It renders the
// Data it is handed (pipeline.Report gathers it) and computes nothing.
package charts

import (
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/verify"
)

// Bucket is one time slice of the traffic chart.
type Bucket struct {
	Start    time.Time        `json:"start"`
	ByStatus map[string]int64 `json:"by_status"`
	HitRatio *float64         `json:"hit_ratio"`
	// ByClass counts the requests by status class ("2xx" ... "5xx").
	ByClass map[string]int64 `json:"by_class"`
}

// PathCount is a path answered with one status, and how often.
type PathCount struct {
	Path     string
	Status   int
	Requests int64
}

// NameCount is a name (a user agent, a referring site) and its requests.
type NameCount struct {
	Name     string
	Requests int64
}

// ClientKind is the requests of one kind of client (browser, bot, tool,
// other, none), with its busiest user agents.
type ClientKind struct {
	Kind     string
	Requests int64
	Top      []NameCount
}

// FileRow is one ingested file.
type FileRow struct {
	Path, Format, Tier string
	Rows, Rejected     int64
}

// Data is everything the report shows.
type Data struct {
	Title string
	// StoreAsOf is when the store last took in logs (the latest ingest):
	// the report says what the store holds, not when it was drawn, so two
	// reports of one store are the same bytes.
	StoreAsOf *time.Time
	Analysis  *analyze.Report // by endpoint
	ByPop     *analyze.Report
	Timeline  []Bucket
	Step      string
	StepDur   time.Duration
	Sweep     *replay.SweepResult
	Advice    *advisor.Advice
	Patch     *framework.PatchResult
	Files     []FileRow
	Rejected  int64
	Framework string
	TopN      int
	MaxRows   int
	// Verify is the latest recorded advice run checked against the traffic
	// logged after it, when there is some (the before/after section).
	Verify *verify.Result
	// Summary is the advice ranked and grouped: the first screen.
	Summary advisor.Summary
	// The status panel: the paths most often answered 4xx, and 5xx.
	Errors4xx, Errors5xx []PathCount
	// The clients panel: requests by kind of client, top referring sites.
	Clients   []ClientKind
	Referrers []NameCount
}

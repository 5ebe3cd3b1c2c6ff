package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/runs"
	"github.com/cdnadvise/cdnadvise/verify"
)

// ReportOptions configure the report.
type ReportOptions struct {
	Src string // Django/FastAPI project: routes, advice per route, patches
	// Advise are the advice's settings (edge profile, target, policies...);
	// its Routes, when set, are the routes of Src (the caller closes them),
	// else they are extracted from Src. Without a profile, the defaults of
	// `cdnadvise advise`: the generic profile and one cache per PoP.
	Advise  advisor.Options
	TopN    int // endpoints in charts (default 15)
	MaxRows int // rows of the paged endpoint table (default 100,000)
	Title   string
}

// Report gathers what the report shows: the advice with its evidence (the
// analysis by endpoint, the replay), the analysis by PoP, the traffic over
// time, the files read, the latest recorded advice run checked against the
// traffic after it, and the patch.
func Report(ctx context.Context, st *store.Store, o ReportOptions) (*charts.Data, error) {
	if o.TopN <= 0 {
		o.TopN = 15
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 100_000
	}
	d := &charts.Data{Title: o.Title, TopN: o.TopN, MaxRows: o.MaxRows}
	if d.Title == "" {
		d.Title = "cdnadvise report"
	}
	ao := o.Advise
	if ao.Routes == nil && o.Src != "" {
		rt, err := routes.ExtractRoutes(o.Src)
		if err != nil {
			return nil, err
		}
		defer rt.Close()
		ao.Routes = rt
	}
	rt := ao.Routes
	if rt != nil {
		d.Framework = rt.Framework
	}
	if ao.Sweep.Profile.Name == "" {
		prof, err := replay.LookupProfile("generic", "")
		if err != nil {
			return nil, err
		}
		ao.Sweep.Profile, ao.Load.PerPoP = prof, true
	}
	// The advice runs the analysis by endpoint and the replay; the report
	// shows the same evidence.
	var err error
	if d.Advice, err = Advise(ctx, st, ao); err != nil {
		return nil, fmt.Errorf("advise: %w", err)
	}
	d.Analysis, d.Sweep = d.Advice.Analysis, d.Advice.Sweep
	d.Summary = advisor.Summarize(d.Advice)
	if d.Analysis.Mode == "empty" {
		return d, nil
	}
	if d.ByPop, err = analyze.Run(ctx, st, analyze.Options{By: []string{"pop"}}); err != nil {
		return nil, err
	}
	if err := timeline(ctx, st, d); err != nil {
		return nil, err
	}
	if err := files(ctx, st, d); err != nil {
		return nil, err
	}
	if err := statusLists(ctx, st, d); err != nil {
		return nil, err
	}
	if err := clients(ctx, st, d); err != nil {
		return nil, err
	}
	if err := verifyLatest(ctx, st, d); err != nil {
		return nil, err
	}
	if rt != nil {
		if d.Patch, err = Patch(o.Src, rt, d.Advice.Recommendations, ao.Replace); err != nil {
			d.Patch = &framework.PatchResult{Skipped: []framework.PatchSkipped{{Route: "(all)", Reason: err.Error()}}}
		}
	}
	return d, nil
}

// timeline counts requests per time bucket and cache status (edge, or
// origin without edge logs), with about 120 buckets over the period.
func timeline(ctx context.Context, st *store.Store, d *charts.Data) error {
	a := d.Analysis
	if a.From == nil {
		return nil
	}
	span := a.To.Sub(*a.From)
	steps := []struct {
		d    time.Duration
		name string
	}{{time.Second, "second"}, {5 * time.Second, "5 seconds"}, {15 * time.Second, "15 seconds"},
		{time.Minute, "minute"}, {5 * time.Minute, "5 minutes"}, {15 * time.Minute, "15 minutes"}, {time.Hour, "hour"}, {6 * time.Hour, "6 hours"}, {24 * time.Hour, "day"}, {7 * 24 * time.Hour, "week"}}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s.d <= 150 {
			step = s
			break
		}
	}
	d.Step, d.StepDur = step.name, step.d
	rows, err := st.DB.QueryContext(ctx, `SELECT time_bucket(to_microseconds(?), r.ts) AS b, coalesce(r.cache_status::VARCHAR, 'NONE'),
			coalesce((r.status // 100)::VARCHAR || 'xx', '?'), count(*)
		FROM requests_raw r JOIN files f USING (file_id) WHERE f.tier = ? AND r.ts IS NOT NULL GROUP BY ALL ORDER BY 1, 2, 3`, step.d.Microseconds(), mainTier(d))
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	defer rows.Close()
	idx := map[time.Time]int{}
	for rows.Next() {
		var t time.Time
		var status, class string
		var n int64
		if err := rows.Scan(&t, &status, &class, &n); err != nil {
			return err
		}
		i, ok := idx[t]
		if !ok {
			i = len(d.Timeline)
			idx[t] = i
			d.Timeline = append(d.Timeline, charts.Bucket{Start: t.UTC(), ByStatus: map[string]int64{}, ByClass: map[string]int64{}})
		}
		d.Timeline[i].ByStatus[status] += n
		d.Timeline[i].ByClass[class] += n
	}
	for i := range d.Timeline {
		var hit, with int64
		for s, n := range d.Timeline[i].ByStatus {
			if s == "NONE" {
				continue
			}
			with += n
			if s == "HIT" || s == "STALE" || s == "UPDATING" || s == "REVALIDATED" {
				hit += n
			}
		}
		if with > 0 {
			v := float64(hit) / float64(with)
			d.Timeline[i].HitRatio = &v
		}
	}
	return rows.Err()
}

// verifyLatest checks the advice run verify would pick (the newest
// applied, else the latest recorded) against the traffic logged
// after the data it was drawn from, when there is any.
func verifyLatest(ctx context.Context, st *store.Store, d *charts.Data) error {
	ra, why, err := ChooseRun(ctx, st, 0)
	if errors.Is(err, runs.ErrNoAdvice) {
		return nil
	}
	if err != nil || ra.Run.DataTo == nil || d.Analysis.To == nil || !d.Analysis.To.After(*ra.Run.DataTo) {
		return err
	}
	if d.Verify, err = verify.Run(ctx, st, ra, verify.Options{Series: 6}); err != nil {
		return err
	}
	d.Verify.RunWhy = why
	return nil
}

func files(ctx context.Context, st *store.Store, d *charts.Data) error {
	var asOf *time.Time
	if err := st.DB.QueryRowContext(ctx, "SELECT max(ingested_at) FROM files").Scan(&asOf); err != nil {
		return fmt.Errorf("files: %w", err)
	}
	if asOf != nil {
		t := asOf.UTC()
		d.StoreAsOf = &t
	}
	rows, err := st.DB.QueryContext(ctx, "SELECT path, format, tier, rows, rejected FROM files ORDER BY path")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f charts.FileRow
		if err := rows.Scan(&f.Path, &f.Format, &f.Tier, &f.Rows, &f.Rejected); err != nil {
			return err
		}
		d.Rejected += f.Rejected
		d.Files = append(d.Files, f)
	}
	return rows.Err()
}

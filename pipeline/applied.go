package pipeline

import (
	"context"
	"fmt"
	"os"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/internal/httpheader"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/routes"
	"github.com/cdnadvise/cdnadvise/runs"
)

// AppliedInSource marks a run whose headers the views of its source send
// now, set by code cdnadvise patch wrote.
const AppliedInSource = "in source"

// AppliedRuns lists the recorded advice runs, newest first, with how each
// is known to be deployed: verify --run marks (kept in the store), and
// "in source" on the newest run of each source whose headers that
// source's views send now, through the patch's own code (its FastAPI
// middleware table, its Flask and Django helpers): the patch's marker.
// Sources that no longer exist are left unmarked.
func AppliedRuns(ctx context.Context, st *store.Store) ([]runs.RecordedRun, error) {
	recorded, err := runs.Runs(ctx, st)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	extracted := map[string]*framework.Routes{}
	defer func() {
		for _, rt := range extracted {
			if rt != nil {
				rt.Close()
			}
		}
	}()
	for i := range recorded {
		r := &recorded[i]
		if r.Src == "" || found[r.Src] {
			continue
		}
		rt, ok := extracted[r.Src]
		if !ok {
			if fi, err := os.Stat(r.Src); err == nil && fi.IsDir() {
				if rt, err = routes.ExtractRoutes(r.Src); err != nil {
					rt = nil // an unreadable source tells nothing
				}
			}
			extracted[r.Src] = rt
		}
		if rt == nil {
			continue
		}
		ra, err := runs.LoadRows(ctx, st, *r)
		if err != nil {
			return nil, fmt.Errorf("advice run %d: %w", r.ID, err)
		}
		if headersInSource(rt, ra) {
			found[r.Src] = true
			if r.Applied == "" {
				r.Applied = AppliedInSource
			} else {
				r.Applied += ", " + AppliedInSource
			}
		}
	}
	return recorded, nil
}

// headersInSource: every header of the run that the source's views set
// readably has the run's meaning, and one at least is set by the patch's
// own code.
func headersInSource(rt *framework.Routes, ra *runs.RecordedAdvice) bool {
	byPatch := 0
	for _, row := range ra.Rows {
		if row.Method != "GET" || row.CacheControl == "" {
			continue
		}
		route := rt.ByPattern(row.Endpoint)
		if route == nil {
			continue
		}
		k, ok := route.KeptHeader()
		if !ok || k.Value == "" {
			continue
		}
		if !httpheader.SameMeaning(k.Value, row.CacheControl) {
			return false
		}
		if k.ByPatch {
			byPatch++
		}
	}
	return byPatch > 0
}

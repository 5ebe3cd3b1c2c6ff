// Package pipeline is the one place that runs cdnadvise's steps in order:
// the routes of the source, the ingest (when asked), the analysis, the
// replays and the advice, the record of the run, the patch, the report's
// data and the check of a deployed change. Commands describe a Job and
// print what it returns; renderers receive its Data and compute nothing.
package pipeline

import (
	"context"
	"errors"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/charts"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/runs"
)

// Job says which steps to run on a store.
type Job struct {
	// Ingest, when set, reads these logs into the store first;
	// AfterIngest, when set, is told the summary before the next step
	// (a command prints it). An ingest that read some files and failed on
	// others goes on, with its error given to AfterIngest; one that read
	// nothing stops the job.
	Ingest      *ingest.Options
	AfterIngest func(*ingest.Summary, error)
	// Advise are the advice's settings (Advise.Routes: the routes of Src).
	Advise advisor.Options
	// Report, when set, gathers the report's Data (the advice included);
	// its Advise and Src are the job's.
	Report *ReportOptions
	// Record, when set, records the advice run in the store (what verify
	// compares with later) under this description.
	Record *runs.RunInfo
	// Patch writes the advice into the source under Src (with routes).
	Patch bool
	Src   string
}

// Result is what a job produced.
type Result struct {
	Ingest *ingest.Summary
	Advice *advisor.Advice
	// Data is the report's, with Report.
	Data *charts.Data
	// Patch is the patch, with Patch.
	Patch *framework.PatchResult
}

// anyIngested says whether some file was read (or had been read before).
func anyIngested(sum *ingest.Summary) bool {
	for _, f := range sum.Files {
		if f.Status != "failed" {
			return true
		}
	}
	return false
}

// Run runs the job's steps in order: ingest, advice (or the report's data,
// which holds it), record, patch. On an error, the result holds what the
// steps before it produced.
func Run(ctx context.Context, st *store.Store, j Job) (*Result, error) {
	res := &Result{}
	if j.Ingest != nil {
		sum, err := ingest.Run(ctx, st, *j.Ingest)
		res.Ingest = sum
		if sum == nil {
			return res, err
		}
		if j.AfterIngest != nil {
			j.AfterIngest(sum, err)
		}
		if err != nil && !anyIngested(sum) {
			// Every file failed (a layout that reads none of them, ...):
			// nothing to go on with.
			return res, err
		}
	}
	var err error
	if j.Report != nil {
		ro := *j.Report
		ro.Src, ro.Advise = j.Src, j.Advise
		if res.Data, err = Report(ctx, st, ro); err != nil {
			return res, err
		}
		res.Advice = res.Data.Advice
		if res.Data.Analysis.Mode == "empty" {
			return res, nil
		}
	} else if res.Advice, err = Advise(ctx, st, j.Advise); err != nil {
		return res, err
	}
	if j.Record != nil && res.Advice != nil {
		if _, err := runs.Record(ctx, st, res.Advice, *j.Record); err != nil {
			return res, err
		}
	}
	if j.Patch {
		if j.Advise.Routes == nil {
			return res, errors.New("patch: no routes (give --src)")
		}
		if res.Patch, err = Patch(j.Src, j.Advise.Routes, res.Advice.Recommendations, j.Advise.Replace); err != nil {
			return res, err
		}
	}
	return res, nil
}

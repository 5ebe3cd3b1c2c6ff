package pipeline

import (
	"context"
	"fmt"

	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/runs"
	"github.com/cdnadvise/cdnadvise/verify"
)

// VerifyOptions say which advice to check: a file written by advise
// --json or run (AdviceFile), else the recorded run Run (0: the latest);
// Since, when given, is the start of the after period (verify.ParseSince).
type VerifyOptions struct {
	AdviceFile string
	Run        int64
	Since      string
	Verify     verify.Options
}

// Verify checks the traffic logged after an advice run against what it
// predicted.
func Verify(ctx context.Context, st *store.Store, o VerifyOptions) (*verify.Result, error) {
	var ra *runs.RecordedAdvice
	var err error
	why := "the advice file " + o.AdviceFile
	if o.AdviceFile != "" {
		ra, err = runs.ReadAdviceFile(o.AdviceFile)
	} else {
		ra, why, err = ChooseRun(ctx, st, o.Run)
	}
	if err != nil {
		return nil, err
	}
	if o.Since != "" {
		if o.Verify.Since, err = verify.ParseSince(o.Since); err != nil {
			return nil, err
		}
	}
	res, err := verify.Run(ctx, st, ra, o.Verify)
	if err != nil {
		return nil, err
	}
	res.RunWhy = why
	if o.Run != 0 {
		// Pointing verify at a run says it is the one deployed: advice
		// list marks it.
		if err := runs.MarkApplied(ctx, st, ra.Run.ID, runs.AppliedByVerify); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// ChooseRun picks the advice run to verify and says why: run id when
// given, else the newest run known to be applied (advice list's APPLIED
// column: its headers are in its source through the patch's code, or
// verify --run was pointed at it), else the latest recorded.
func ChooseRun(ctx context.Context, st *store.Store, id int64) (*runs.RecordedAdvice, string, error) {
	if id != 0 {
		ra, err := runs.LoadRun(ctx, st, id)
		return ra, "--run", err
	}
	list, err := AppliedRuns(ctx, st)
	if err != nil {
		return nil, "", err
	}
	for _, r := range list {
		if r.Applied != "" {
			ra, err := runs.LoadRows(ctx, st, r)
			why := "applied: " + r.Applied
			if len(list) > 0 && list[0].ID != r.ID {
				why += fmt.Sprintf("; newer runs (the latest is %d) are not", list[0].ID)
			}
			return ra, why, err
		}
	}
	if len(list) == 0 {
		return nil, "", runs.ErrNoAdvice
	}
	ra, err := runs.LoadRows(ctx, st, list[0])
	return ra, "the latest recorded; none is known to be applied ('cdnadvise advice list' shows the others, --run N picks one)", err
}

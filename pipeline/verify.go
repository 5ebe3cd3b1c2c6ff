package pipeline

import (
	"context"

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
	if o.AdviceFile != "" {
		ra, err = runs.ReadAdviceFile(o.AdviceFile)
	} else {
		ra, err = runs.LoadRun(ctx, st, o.Run)
	}
	if err != nil {
		return nil, err
	}
	if o.Since != "" {
		if o.Verify.Since, err = verify.ParseSince(o.Since); err != nil {
			return nil, err
		}
	}
	return verify.Run(ctx, st, ra, o.Verify)
}

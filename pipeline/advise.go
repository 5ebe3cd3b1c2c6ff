package pipeline

import (
	"context"
	"fmt"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/internal/store"
	"github.com/cdnadvise/cdnadvise/replay"
)

// Advise gathers from the store the evidence the advice needs, as its plan
// asks (the analysis by endpoint, the Vary headers the logs record, the
// replay at the TTLs the advice tries, on the edge as cdnadvise edge
// configures it and as it comes, whether clients got the same responses,
// the paths no route matches), and has the advisor decide.
func Advise(ctx context.Context, st *store.Store, o advisor.Options) (*advisor.Advice, error) {
	p := advisor.NewPlan(o)
	var ev advisor.Evidence
	var err error
	if ev.Analysis, err = analyze.Run(ctx, st, p.AnalyzeOptions()); err != nil {
		return nil, err
	}
	eps := analyze.NewEndpoints(st, p.Router()) // read once, for both kinds of evidence
	logVary, err := analyze.LoggedVary(ctx, st, eps)
	if err != nil {
		return nil, err
	}
	p.SetLoggedVary(logVary)
	lo, so := p.Replay()
	if p.SplitsVary() {
		if ev.LoggedVaryHeaders, err = replay.LoggedVaryHeaders(ctx, st, lo.Tier); err != nil {
			return nil, err
		}
	}
	if ev.Sweep, _, ev.Requests, err = replay.Replay(ctx, st, lo, so); err != nil {
		return nil, err
	}
	if lo, so, ok := p.StockReplay(); ok {
		if ev.Stock, _, _, err = replay.Replay(ctx, st, lo, so); err != nil {
			return nil, fmt.Errorf("stock edge replay: %w", err)
		}
		if ev.CookieLines, ev.Lines, err = analyze.CookieLines(ctx, st); err != nil {
			return nil, err
		}
	}
	if ev.SameResponse, err = analyze.SameResponses(ctx, st, eps); err != nil {
		return nil, err
	}
	if o.Routes != nil {
		if ev.Unmatched, err = analyze.UnmatchedPaths(ctx, st, func(path string) bool { return o.Routes.Match(path) != nil }, 50); err != nil {
			return nil, err
		}
	}
	return p.Decide(ev), nil
}

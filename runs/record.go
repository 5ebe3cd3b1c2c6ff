package runs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// RunInfo describes an advice run for the record: the command, its
// settings and the source it was given.
type RunInfo struct {
	Command  string            `json:"command"`
	Settings map[string]string `json:"settings,omitempty"`
	Src      string            `json:"src,omitempty"`
	// SrcCommit is the commit of --src when it is a git work tree (with
	// "-dirty" when it has changes).
	SrcCommit string `json:"src_commit,omitempty"`
	Version   string `json:"cdnadvise_version,omitempty"`
}

// RecordedRun is one recorded advice run.
type RecordedRun struct {
	ID        int64     `json:"run_id"`
	CreatedAt time.Time `json:"created_at"`
	RunInfo
	// DataFrom and DataTo bound the traffic the advice was drawn from.
	DataFrom *time.Time `json:"data_from,omitempty"`
	DataTo   *time.Time `json:"data_to,omitempty"`
	Requests int64      `json:"requests"`
	Routes   int        `json:"routes"`
	// Applied says how the run is known to be the one deployed: "verify
	// --run" (verify was pointed at it), or "in source" (the views of its
	// source send its headers now; pipeline.MarkApplied finds out); "" not
	// known.
	Applied string `json:"applied,omitempty"`
}

// GitCommit returns the commit of the git work tree at dir ("" when it is
// not one or git is missing), with "-dirty" when the tree has changes.
func GitCommit(ctx context.Context, dir string) string {
	if dir == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		// Possibly a subfolder of a work tree: git finds out.
		if _, err := exec.LookPath("git"); err != nil {
			return ""
		}
	}
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "-C", dir, "status", "--porcelain").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		commit += "-dirty"
	}
	return commit
}

// Record stores what the advice predicted, per (method, route), as a new
// run, and sets adv.RunID. verify compares the traffic after the change
// with it.
func Record(ctx context.Context, st *store.Store, adv *advisor.Advice, info RunInfo) (int64, error) {
	settings, err := json.Marshal(info.Settings)
	if err != nil {
		return 0, err
	}
	tx, err := st.DB.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(run_id), 0) + 1 FROM advice_runs`).Scan(&id); err != nil {
		return 0, fmt.Errorf("record advice: %w", err)
	}
	var from, to any
	var requests int64
	if adv.Analysis != nil {
		if adv.Analysis.From != nil {
			from = *adv.Analysis.From
		}
		if adv.Analysis.To != nil {
			to = *adv.Analysis.To
		}
		requests = adv.Analysis.Totals.Requests
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO advice_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, time.Now().UTC().Truncate(time.Second), info.Command, string(settings), info.Src, info.SrcCommit, from, to, requests, info.Version); err != nil {
		return 0, fmt.Errorf("record advice: %w", err)
	}
	for _, r := range adv.Recommendations {
		if _, err := tx.ExecContext(ctx, `INSERT INTO advice_routes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.Method, r.Endpoint, r.Match, r.Class, r.CacheControl, r.TTLSeconds, r.Requests,
			r.CurrentHitRatio, r.PredictedHitRatio, r.OriginPerMinNow, r.OriginPerMinAt, r.LatencyNowMS, r.LatencyAtMS); err != nil {
			return 0, fmt.Errorf("record advice: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("record advice: %w", err)
	}
	adv.RunID = id
	now := time.Now().UTC().Truncate(time.Second)
	adv.CreatedAt = &now
	return id, nil
}

// Runs lists the recorded advice runs, newest first.
func Runs(ctx context.Context, st *store.Store) ([]RecordedRun, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT r.run_id, r.created_at, r.command, r.settings, r.src, r.src_commit, r.data_from, r.data_to,
			r.requests, coalesce(r.cdnadvise_version, ''), (SELECT count(*) FROM advice_routes a WHERE a.run_id = r.run_id),
			coalesce((SELECT how FROM applied_runs p WHERE p.run_id = r.run_id), '')
		FROM advice_runs r ORDER BY r.run_id DESC`)
	if err != nil {
		return nil, fmt.Errorf("advice runs: %w", err)
	}
	defer rows.Close()
	var out []RecordedRun
	for rows.Next() {
		var r RecordedRun
		var settings string
		var from, to sql.NullTime
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.Command, &settings, &r.Src, &r.SrcCommit, &from, &to, &r.Requests, &r.Version, &r.Routes, &r.Applied); err != nil {
			return nil, err
		}
		json.Unmarshal([]byte(settings), &r.Settings)
		if from.Valid {
			t := from.Time.UTC()
			r.DataFrom = &t
		}
		if to.Valid {
			t := to.Time.UTC()
			r.DataTo = &t
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// AppliedByVerify is how a run verify was pointed at (--run) is marked.
const AppliedByVerify = "verify --run"

// MarkApplied records that run id is the one deployed, and how that is
// known.
func MarkApplied(ctx context.Context, st *store.Store, id int64, how string) error {
	if _, err := st.DB.ExecContext(ctx, `INSERT OR REPLACE INTO applied_runs VALUES (?, ?, ?)`, id, how, time.Now().UTC().Truncate(time.Second)); err != nil {
		return fmt.Errorf("mark advice run %d applied: %w", id, err)
	}
	return nil
}

// RecordedAdvice is a recorded run with its rows: what verify reads, from
// the store or from an advice.json.
type RecordedAdvice struct {
	Run  RecordedRun
	Rows []*advisor.Recommendation
}

// ErrNoAdvice: the store has no recorded advice run.
var ErrNoAdvice = errors.New("no advice recorded in this store: run advise, patch or run first (or give --advice FILE)")

// LoadRun reads a recorded run (id 0: the latest; ErrNoAdvice when there is
// none).
func LoadRun(ctx context.Context, st *store.Store, id int64) (*RecordedAdvice, error) {
	runs, err := Runs(ctx, st)
	if err != nil {
		return nil, err
	}
	var run *RecordedRun
	for i := range runs {
		if id == 0 || runs[i].ID == id {
			run = &runs[i]
			break
		}
	}
	if run == nil {
		if id == 0 {
			return nil, ErrNoAdvice
		}
		return nil, fmt.Errorf("no advice run %d in this store (cdnadvise advice list shows them)", id)
	}
	return LoadRows(ctx, st, *run)
}

// LoadRows reads the rows of a run Runs listed.
func LoadRows(ctx context.Context, st *store.Store, run RecordedRun) (*RecordedAdvice, error) {
	rows, err := st.DB.QueryContext(ctx, `SELECT method, route, coalesce(match, ''), class, coalesce(cache_control, ''), ttl_seconds, requests,
			hit_ratio_now, hit_ratio_predicted, origin_rpm_now, origin_rpm_predicted, latency_now_ms, latency_predicted_ms
		FROM advice_routes WHERE run_id = ? ORDER BY route, method`, run.ID)
	if err != nil {
		return nil, fmt.Errorf("advice run %d: %w", run.ID, err)
	}
	defer rows.Close()
	out := &RecordedAdvice{Run: run}
	for rows.Next() {
		r := &advisor.Recommendation{}
		var now sql.NullFloat64
		if err := rows.Scan(&r.Method, &r.Endpoint, &r.Match, &r.Class, &r.CacheControl, &r.TTLSeconds, &r.Requests,
			&r.CurrentHitRatio, &r.PredictedHitRatio, &now, &r.OriginPerMinAt, &r.LatencyNowMS, &r.LatencyAtMS); err != nil {
			return nil, err
		}
		r.OriginPerMinNow = now.Float64
		out.Rows = append(out.Rows, r)
	}
	return out, rows.Err()
}

// ReadAdviceFile reads the advice.json that run writes, or what advise
// --json prints: one format.
func ReadAdviceFile(path string) (*RecordedAdvice, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var adv advisor.Advice
	if err := json.Unmarshal(b, &adv); err != nil {
		return nil, fmt.Errorf("%s: not an advice file (advice.json, or advise --json): %w", path, err)
	}
	if len(adv.Recommendations) == 0 {
		return nil, fmt.Errorf("%s: no recommendations in it", path)
	}
	out := &RecordedAdvice{Run: RecordedRun{ID: adv.RunID, RunInfo: RunInfo{Command: "file " + path}, DataFrom: adv.DataFrom, DataTo: adv.DataTo}, Rows: adv.Recommendations}
	if adv.CreatedAt != nil {
		out.Run.CreatedAt = *adv.CreatedAt
	}
	for _, r := range adv.Recommendations {
		if r.Match == "" {
			r.Match = advisor.TemplateRegex(r.Endpoint)
		}
	}
	return out, nil
}

// matchRouter maps request paths onto the patterns of recorded rows by
// their Match regexes, the most specific pattern first (the longest literal
// prefix, as the edge configurations order them).
type matchRouter struct {
	patterns []string
	res      []*regexp.Regexp
}

// Router returns a Router over the recorded rows' patterns.
func (ra *RecordedAdvice) Router() (analyze.Router, error) {
	seen := map[string]bool{}
	var rules []edge.Rule
	for _, r := range ra.Rows {
		if seen[r.Endpoint] || r.Match == "" {
			continue
		}
		seen[r.Endpoint] = true
		rules = append(rules, edge.Rule{Pattern: r.Endpoint, Regex: r.Match, Prefix: advisor.LiteralPrefix(r.Endpoint)})
	}
	edge.SortRules(rules)
	mr := &matchRouter{}
	for _, r := range rules {
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			return nil, fmt.Errorf("route %s: its match %q does not compile: %w", r.Pattern, r.Regex, err)
		}
		mr.patterns, mr.res = append(mr.patterns, r.Pattern), append(mr.res, re)
	}
	return mr, nil
}

// Route implements analyze.Router.
func (m *matchRouter) Route(path string) (string, bool) {
	for i, re := range m.res {
		if re.MatchString(path) {
			return m.patterns[i], true
		}
	}
	return "", false
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/lab"
)

// cli runs the command line in-process and returns exit code, stdout, stderr.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), args, &streams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func TestIngestJSONAndSQL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	code, out, errOut := cli(t, "", "--db", db, "ingest", "--json", "../../examples/logs")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var sum struct {
		Files []struct {
			Path, Format, Tier             string
			Lines, Rows, Rejected, Skipped int64
		}
		Rows, Rejected int64
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(sum.Files) != 2 || sum.Rows == 0 || sum.Rejected != 0 {
		t.Fatalf("%+v", sum)
	}
	tiers := map[string]string{}
	for _, f := range sum.Files {
		tiers[f.Tier] = f.Format
		if f.Lines != f.Rows {
			t.Errorf("%s: %d lines, %d rows", f.Path, f.Lines, f.Rows)
		}
	}
	if tiers["edge"] != "nginx-cache" || tiers["origin"] != "combined" {
		t.Errorf("tiers/formats: %v", tiers)
	}

	code, out, errOut = cli(t, "", "--db", db, "sql", "--json", "SELECT tier, count(*) AS n FROM requests GROUP BY tier ORDER BY tier")
	if code != 0 {
		t.Fatalf("sql: %s", errOut)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 2 || rows[0]["tier"] != "edge" {
		t.Fatalf("sql --json: %v %s", err, out)
	}
	if float64(sum.Rows) != rows[0]["n"].(float64)+rows[1]["n"].(float64) {
		t.Errorf("sql counts %v, ingest said %d", rows, sum.Rows)
	}

	// Human output of a re-run says the files were seen.
	code, out, _ = cli(t, "", "--db", db, "ingest", "../../examples/logs")
	if code != 0 || strings.Count(out, " seen ") != 2 {
		t.Fatalf("re-run: %d %s", code, out)
	}
	code, out, _ = cli(t, "", "--db", db, "sql", "SELECT count(*) AS n FROM files")
	if code != 0 || !strings.Contains(out, "n\n2\n") {
		t.Fatalf("sql table: %q", out)
	}
	if code, _, errOut = cli(t, "", "--db", db, "sql", "SELEC nonsense"); code == 0 || !strings.Contains(errOut, "error") {
		t.Fatalf("bad SQL: exit %d %q", code, errOut)
	}
}

func TestIngestTierFlagsApplyToFollowingPaths(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	line := `10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /x HTTP/1.1" 200 10 "-" "curl/8"` + "\n"
	os.WriteFile(a, []byte(line), 0o644)
	os.WriteFile(b, []byte(strings.Replace(line, "/x", "/y", 1)), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	code, out, errOut := cli(t, "", "--db", db, "ingest", "--json", "--tier", "edge", a, "--tier", "origin", b)
	if code != 0 {
		t.Fatal(errOut)
	}
	var sum struct{ Files []struct{ Path, Tier string } }
	json.Unmarshal([]byte(out), &sum)
	if len(sum.Files) != 2 || sum.Files[0].Tier != "edge" || sum.Files[1].Tier != "origin" {
		t.Fatalf("%+v", sum)
	}
}

func TestIngestErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(junk, []byte("hello\nworld\n"), 0o644)
	code, out, errOut := cli(t, "", "--db", db, "ingest", junk)
	if code == 0 || !strings.Contains(out, "no known log format") || !strings.Contains(errOut, "could not be ingested") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut = cli(t, "", "--db", db, "ingest", "--tier", "cdn", junk); code == 0 || !strings.Contains(errOut, "edge or origin") {
		t.Fatalf("bad tier: %d %s", code, errOut)
	}
	if code, _, errOut = cli(t, "", "--db", db, "ingest", "--format", "nope", junk); code == 0 || !strings.Contains(errOut, "unknown format") {
		t.Fatalf("bad format: %d %s", code, errOut)
	}
	if code, _, errOut = cli(t, "", "--db", db, "ingest", "--nginx-format", "$status", junk); code == 0 || !strings.Contains(errOut, "no request path") {
		t.Fatalf("bad layout: %d %s", code, errOut)
	}
	for _, bad := range []string{"lots", "0", "-1GiB"} {
		if code, _, errOut = cli(t, "", "--db", db, "ingest", "--memory-limit", bad, junk); code == 0 || !strings.Contains(errOut, "--memory-limit") {
			t.Fatalf("bad memory limit %q: %d %s", bad, code, errOut)
		}
	}
}

func TestIngestStdinAndCustomFormat(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	in := "1.2.3.4 HIT [25/Nov/2026:08:25:31 +0000] \"GET /a?b=1 HTTP/1.1\" 200 5 0.002\n"
	code, out, errOut := cli(t, in, "--db", db, "ingest", "--json", "--nginx-format",
		`log_format c '$remote_addr $upstream_cache_status [$time_local] "$request" $status $body_bytes_sent $request_time';`, "-")
	if code != 0 || !strings.Contains(out, `"rows": 1`) || !strings.Contains(out, `"tier": "edge"`) {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "sql", "--json", "SELECT path, query, cache_status, duration_ms FROM requests")
	if code != 0 || !strings.Contains(out, `"cache_status": "HIT"`) || !strings.Contains(out, `"duration_ms": 2`) {
		t.Fatalf("%s", out)
	}
}

func TestFormatsCommand(t *testing.T) {
	code, out, _ := cli(t, "", "formats")
	if code != 0 || !strings.Contains(out, "nginx-cache") || !strings.Contains(out, "example:") {
		t.Fatalf("%s", out)
	}
	code, out, _ = cli(t, "", "formats", "--json")
	var list []struct{ Name, Tier, Example string }
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) < 5 {
		t.Fatalf("%s", out)
	}
	for _, f := range list {
		if f.Example == "" || (f.Tier != "edge" && f.Tier != "origin") {
			t.Errorf("%+v", f)
		}
	}
}

func TestAnalyzeCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "../../examples/logs"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := cli(t, "", "--db", db, "analyze", "--top", "3")
	if code != 0 || !strings.Contains(out, "ENDPOINT") || !strings.Contains(out, "hit ratio") || !strings.Contains(out, "/api/items/{int}") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "analyze", "--json", "--by", "endpoint,pop")
	var rep struct {
		Mode string
		Rows []struct {
			Group    map[string]string
			Requests int64
			HitRatio *float64 `json:"hit_ratio"`
		}
		Definitions map[string]string
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Mode != "edge+origin" || len(rep.Rows) == 0 || rep.Rows[0].Group["pop"] == "" || rep.Definitions["hit_ratio"] == "" {
		t.Fatalf("json: %s", out)
	}
	code, out, _ = cli(t, "", "--db", db, "analyze", "--csv", "--by", "hour")
	if code != 0 || !strings.HasPrefix(out, "hour,requests,bytes") || strings.Count(out, "\n") < 2 {
		t.Fatalf("csv: %s", out)
	}
	if code, _, errOut = cli(t, "", "--db", db, "analyze", "--by", "nope"); code == 0 || !strings.Contains(errOut, "unknown dimension") {
		t.Fatalf("bad --by: %s", errOut)
	}
	if code, _, errOut = cli(t, "", "--db", db, "analyze", "--since", "yesterday-ish"); code == 0 || !strings.Contains(errOut, "cannot read time") {
		t.Fatalf("bad --since: %s", errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "analyze", "--since", "2099-01-01")
	if code != 0 || !strings.Contains(out, "no requests match") {
		t.Fatalf("empty: %s", out)
	}
}

func TestReplayCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "../../examples/logs"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut := cli(t, "", "--db", db, "replay", "--ttl", "0,1m,inf", "--edge", "nginx")
	if code != 0 || !strings.Contains(out, "HIT%") || !strings.Contains(out, "/api/items/{int}") {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "replay", "--ttl", "30s,5m", "--swr", "30s", "--json", "--key", "no-tracking", "--pop-mode", "shared", "--shield")
	var rep struct {
		Tier   string
		Totals []struct {
			TTL      string  `json:"ttl"`
			HitRatio float64 `json:"hit_ratio"`
			Origin   float64 `json:"origin_requests_per_minute"`
		}
		Endpoints [][]struct{ Endpoint string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.Tier != "edge" || len(rep.Totals) != 2 || rep.Totals[1].HitRatio < rep.Totals[0].HitRatio {
		t.Fatalf("json: %s", out)
	}
	// --exact-percentiles: the default reads the examples' misses exactly
	// (none of their routes has 20,000), as -1 does; 1 samples them.
	p95 := map[string]string{}
	for _, limit := range []string{"20000", "-1", "1"} {
		code, out, errOut := cli(t, "", "--db", db, "replay", "--ttl", "0", "--json", "--exact-percentiles", limit)
		var r struct {
			Endpoints [][]struct {
				Endpoint string   `json:"endpoint"`
				P95      *float64 `json:"expected_latency_p95_ms"`
			}
		}
		if code != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("--exact-percentiles %s: %d %s %s", limit, code, out, errOut)
		}
		for _, row := range r.Endpoints {
			if row[0].P95 != nil {
				p95[limit] += fmt.Sprintf("%s %.3f; ", row[0].Endpoint, *row[0].P95)
			}
		}
	}
	if p95["20000"] == "" || p95["20000"] != p95["-1"] || p95["1"] == p95["-1"] {
		t.Errorf("expected p95 by --exact-percentiles: %v", p95)
	}
	for _, bad := range [][]string{{"--ttl", "5x"}, {"--edge", "squid"}, {"--key", "weird"}, {"--pop-mode", "x"}, {"--capacity", "1MiB,2MiB"}} {
		if code, _, _ := cli(t, "", append([]string{"--db", db, "replay"}, bad...)...); code == 0 {
			t.Errorf("replay %v accepted", bad)
		}
	}
}

func TestReplayTraceCommand(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	os.WriteFile(p, []byte("time,obj_id,obj_size\n1,a,4\n2,b,4\n3,a,4\n4,c,4\n5,b,4\n"), 0o644)
	code, out, errOut := cli(t, "", "replay", "--trace", p, "--policy", "lru", "--capacity", "10B,100", "--json")
	var res []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res) != 2 {
		t.Fatalf("%d %s %s", code, out, errOut)
	}
	for _, k := range []string{"policy", "capacity_bytes", "requests", "misses", "miss_ratio", "byte_miss_ratio"} {
		if _, ok := res[0][k]; !ok {
			t.Errorf("trace JSON has no %q: %v", k, res[0])
		}
	}
	// Capacity 10: a b a(hit) c(evicts b) b(miss): 4 misses; capacity 100: 3.
	if res[0]["misses"].(float64) != 4 || res[1]["misses"].(float64) != 3 {
		t.Errorf("misses: %v", res)
	}
	code, out, _ = cli(t, "", "replay", "--trace", p, "--policy", "fifo", "--capacity", "10B")
	if code != 0 || !strings.Contains(out, "fifo") {
		t.Errorf("fifo table: %s", out)
	}
}

func TestRoutesAdvisePatchCommands(t *testing.T) {
	src := "../../framework/fastapi/testdata/fastapiproj"
	code, out, errOut := cli(t, "", "routes", "--src", src)
	if code != 0 || !strings.Contains(out, "fastapi project") || !strings.Contains(out, "/api/items/{item_id}") {
		t.Fatalf("routes: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "routes", "--src", src, "--json")
	var rt struct {
		Framework string
		Routes    []struct{ Pattern, File string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &rt) != nil || rt.Framework != "fastapi" || len(rt.Routes) < 5 {
		t.Fatalf("routes --json: %s", out)
	}
	if code, _, errOut := cli(t, "", "routes", "--src", "/nonexistent/dir"); code == 0 || errOut == "" {
		t.Error("missing --src folder accepted")
	}
	// A store whose traffic hits the app's routes.
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&b, "10.0.0.1 - - [01/Nov/2026:00:%02d:%02d +0000] \"GET /api/items/%d HTTP/1.1\" 200 100 \"-\" \"ua\" 0.010 0.009 MISS\n", i/60%60, i%60, i%7)
	}
	logp := filepath.Join(dir, "e.log")
	os.WriteFile(logp, []byte(b.String()), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", logp); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut = cli(t, "", "--db", db, "advise", "--src", src)
	if code != 0 || !strings.Contains(out, "/api/items/{item_id}") || !strings.Contains(out, "cacheable") {
		t.Fatalf("advise: %d %s %s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "advise", "--json")
	if code != 0 || !strings.Contains(out, `"recommendations"`) || !strings.Contains(out, `"/api/items/{int}"`) {
		t.Fatalf("advise without --src: %s", out)
	}
	patchFile := filepath.Join(dir, "cache.patch")
	code, _, errOut = cli(t, "", "--db", db, "patch", "--src", src, "-o", patchFile)
	diff, _ := os.ReadFile(patchFile)
	if code != 0 || !strings.Contains(string(diff), "+++ b/app/main.py") || !strings.Contains(errOut, "patched") {
		t.Fatalf("patch: %d %s\n%s", code, errOut, diff)
	}
	code, out, _ = cli(t, "", "--db", db, "analyze", "--src", src, "--json")
	if code != 0 || !strings.Contains(out, `"endpoint": "/api/items/{item_id}"`) {
		t.Fatalf("analyze --src: %s", out)
	}
}

func TestRunCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, errOut := cli(t, "", "run", "../../examples/logs", "--out", out, "--src", "../../framework/fastapi/testdata/fastapiproj")
	if code != 0 || !strings.Contains(stdout, "changes, ranked by origin requests saved a day:") || !strings.Contains(stdout, "report: ") {
		t.Fatalf("%d %s %s", code, stdout, errOut)
	}
	for _, f := range []string{"cdnadvise.duckdb", "report.html", "advice.json", "cache.patch"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	headers := func(js []byte) map[string]string {
		var adv struct {
			Recommendations []struct {
				Endpoint     string `json:"endpoint"`
				CacheControl string `json:"cache_control"`
			} `json:"recommendations"`
		}
		if err := json.Unmarshal(js, &adv); err != nil || len(adv.Recommendations) == 0 {
			t.Fatalf("advice: %v %.200s", err, js)
		}
		m := map[string]string{}
		for _, r := range adv.Recommendations {
			m[r.Endpoint] = r.CacheControl
		}
		return m
	}
	readAdvice := func() map[string]string {
		b, err := os.ReadFile(filepath.Join(out, "advice.json"))
		if err != nil {
			t.Fatal(err)
		}
		return headers(b)
	}
	before := readAdvice()
	// Again with --max-stale: nothing new is ingested, the outputs are
	// rewritten, and the advice is the one advise gives with the same flags.
	src := "../../framework/fastapi/testdata/fastapiproj"
	code, stdout, _ = cli(t, "", "run", "../../examples/logs", "--out", out, "--src", src, "--max-stale", "10s")
	if code != 0 || !strings.Contains(stdout, "0 rows") {
		t.Errorf("re-run: %s", stdout)
	}
	after := readAdvice()
	code, adviseOut, _ := cli(t, "", "--db", filepath.Join(out, "cdnadvise.duckdb"), "advise", "--src", src, "--max-stale", "10s", "--json")
	if code != 0 {
		t.Fatalf("advise: %s", adviseOut)
	}
	if want := headers([]byte(adviseOut)); !reflect.DeepEqual(after, want) {
		t.Errorf("run --max-stale 10s advised %v, advise --max-stale 10s %v", after, want)
	}
	if reflect.DeepEqual(before, after) {
		t.Errorf("--max-stale 10s changed no header of run's advice: %v", after)
	}
}

var runIDRe = regexp.MustCompile(`(?m)^  "(run_id|created_at)": .*\n`)

// TestVerifyCommand: run records its advice (advice list shows it,
// advice.json carries its id); verify --json compares later traffic with
// it: after ingesting a second day in which the app sends the recommended
// headers and the cache serves the cacheable routes, the rows have the
// keys scripts rely on and the verdicts say so; --version names the
// commit.
func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	src := "../../examples/fastapi_app"
	code, stdout, errOut := cli(t, "", "run", "../../examples/logs", "--out", out, "--src", src)
	if code != 0 || !strings.Contains(stdout, "recorded as advice run 1") {
		t.Fatalf("run: %d %s %s", code, stdout, errOut)
	}
	b, err := os.ReadFile(filepath.Join(out, "advice.json"))
	if err != nil || !strings.Contains(string(b), `"run_id": 1`) {
		t.Fatalf("advice.json without its run id: %v", err)
	}
	db := filepath.Join(out, "cdnadvise.duckdb")
	code, stdout, _ = cli(t, "", "--db", db, "advice", "list", "--json")
	var runs []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &runs) != nil || len(runs) != 1 || runs[0]["command"] != "run" {
		t.Fatalf("advice list: %s", stdout)
	}
	// The day after: the same requests one day later, the cacheable GETs
	// served from the cache (HIT), the others not.
	var adv struct {
		Recommendations []struct {
			Method, Endpoint, Class, CacheControl string
			Match                                 string
		}
	}
	json.Unmarshal(b, &adv)
	var day strings.Builder
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3000; i++ {
		r := adv.Recommendations[i%len(adv.Recommendations)]
		if r.Match == "" || strings.Contains(r.Match, "(") {
			continue
		}
		path := strings.Trim(r.Match, "^$")
		path = strings.ReplaceAll(path, `[^/]+`, "x")
		path = strings.ReplaceAll(path, `[0-9]+`, "7")
		if strings.ContainsAny(path, `\[]*+?`) {
			continue
		}
		cache := "MISS"
		if r.Method == "GET" && r.CacheControl != "" && !strings.Contains(r.CacheControl, "private") {
			cache = "HIT"
		}
		fmt.Fprintf(&day, "10.0.0.%d - - [%s] \"%s %s HTTP/1.1\" 200 100 \"-\" \"ua\" 0.002 0.001 %s\n", i%50, t0.Add(time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700"), r.Method, path, cache)
	}
	logp := filepath.Join(dir, "day2.log")
	os.WriteFile(logp, []byte(day.String()), 0o644)
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "--tier", "edge", logp); code != 0 {
		t.Fatal(errOut)
	}
	code, stdout, errOut = cli(t, "", "--db", db, "verify", "--json", "--since", "2026-12-01")
	var res struct {
		RunID    int64            `json:"run_id"`
		RunIs    string           `json:"run_is"`
		Verdicts map[string]int   `json:"verdicts"`
		Rows     []map[string]any `json:"rows"`
	}
	if json.Unmarshal([]byte(stdout), &res) != nil || len(res.Rows) == 0 || res.RunID != 1 || res.RunIs == "" || len(res.Verdicts) == 0 {
		t.Fatalf("verify --json: %d %s %s", code, stdout, errOut)
	}
	rows := res.Rows
	verdicts := map[string]int{}
	for _, r := range rows {
		for _, k := range []string{"method", "route", "requests_before", "requests_after", "hit_ratio_before", "hit_ratio_predicted", "hit_ratio_after", "verdict"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("row without %s: %v", k, r)
			}
		}
		verdicts[r["verdict"].(string)]++
	}
	if verdicts["better"]+verdicts["as predicted"] == 0 || code != 0 {
		t.Errorf("verdicts %v, exit %d", verdicts, code)
	}
	if !reflect.DeepEqual(verdicts, res.Verdicts) {
		t.Errorf("verdict counts %v, rows say %v", res.Verdicts, verdicts)
	}
	code, stdout, _ = cli(t, "", "--db", db, "verify")
	if code != 0 || !strings.Contains(stdout, "HIT% BEFORE→PREDICTED→AFTER") || !strings.Contains(stdout, "advice run 1") || !strings.Contains(stdout, "\nverdicts: ") {
		t.Errorf("verify: %s", stdout)
	}
	code, stdout, _ = cli(t, "", "--version")
	if code != 0 || !strings.HasPrefix(stdout, "cdnadvise ") || !strings.Contains(stdout, "go1.") {
		t.Errorf("--version: %q", stdout)
	}
}

// TestDeterministicOutputs: on a project whose paths take several methods
// (collections with GET and POST, a viewset with list and create), routes,
// advise --json and patch print the same bytes run after run.
func TestDeterministicOutputs(t *testing.T) {
	for _, src := range []string{"../../framework/django/testdata/djangoproj", "../../framework/fastapi/testdata/fastapiproj"} {
		t.Run(filepath.Base(src), func(t *testing.T) {
			dir := t.TempDir()
			var b strings.Builder
			paths := []string{"/api/products/", "/api/orders/", "/comments/", "/api/tags/", "/api/items/", "/api/items/3", "/items/4/", "/"}
			for i := 0; i < 2000; i++ {
				method := "GET"
				if i%9 == 0 {
					method = "POST"
				}
				fmt.Fprintf(&b, "10.0.0.%d - - [01/Nov/2026:00:%02d:%02d +0000] \"%s %s HTTP/1.1\" 200 %d \"-\" \"ua\" 0.010 0.009 MISS pop=%s\n",
					i%7, i/60%60, i%60, method, paths[i*7%len(paths)], 100+i%3, []string{"FRA", "IAD"}[i%2])
			}
			logp := filepath.Join(dir, "e.log")
			os.WriteFile(logp, []byte(b.String()), 0o644)
			db := filepath.Join(dir, "s.duckdb")
			if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", logp); code != 0 {
				t.Fatal(errOut)
			}
			for _, args := range [][]string{
				{"routes", "--src", src, "--json"},
				{"routes", "--src", src},
				{"--db", db, "advise", "--src", src, "--json"},
				{"--db", db, "advise", "--src", src, "--top", "0"},
				{"--db", db, "patch", "--src", src},
				{"--db", db, "patch", "--src", src, "--json"},
			} {
				var first, firstErr string
				for run := 0; run < 4; run++ {
					code, out, errOut := cli(t, "", args...)
					if code != 0 {
						t.Fatalf("%v: exit %d: %s", args, code, errOut)
					}
					// Each advise is recorded as a new run: its number and
					// time are the only things that may change.
					out = runIDRe.ReplaceAllString(out, "")
					if run == 0 {
						first, firstErr = out, errOut
						continue
					}
					if out != first || errOut != firstErr {
						t.Fatalf("%v: run %d differs from run 1:\n%s\n---\n%s\n%s\n---\n%s", args, run+1, first, out, firstErr, errOut)
					}
				}
				if strings.Contains(args[len(args)-1], "json") && !strings.Contains(first, `"method"`) {
					t.Errorf("%v: no method in the rows: %s", args, first)
				}
			}
		})
	}
}

// TestPythonExactMode: --python reads the routes Django builds with the
// interpreter given, prints where they differ from the static pass, and
// the advice uses them.
func TestPythonExactMode(t *testing.T) {
	lab.Need(t, []string{"/usr/bin/python3"}, []string{"django", "rest_framework"})
	src := "../../framework/django/testdata/djangoproj"
	code, out, errOut := cli(t, "", "routes", "--src", src, "--python", "/usr/bin/python3")
	if code != 0 || !strings.Contains(errOut, "exact routes (Django") || !strings.Contains(errOut, "only in the framework") ||
		!strings.Contains(out, "shop.views.make_view.<locals>.dynamic") {
		t.Fatalf("routes --python: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "routes", "--src", src, "--python", "/usr/bin/python3", "--json")
	var v struct {
		Framework string
		Routes    []struct{ Method, Pattern string }
		Exact     *struct {
			Recall        float64
			FrameworkOnly []struct{ Pattern string } `json:"framework_only"`
		} `json:"exact_diff"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v.Framework != "django" || v.Exact == nil || v.Exact.Recall <= 0 || len(v.Routes) == 0 {
		t.Fatalf("routes --python --json: %s", out)
	}
	if code, _, errOut := cli(t, "", "routes", "--src", src, "--python", "/nonexistent/python"); code == 0 || !strings.Contains(errOut, "--python") {
		t.Errorf("a missing interpreter: exit %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "", "advise", "--python", "/usr/bin/python3"); code == 0 || !strings.Contains(errOut, "needs --src") {
		t.Errorf("--python without --src: exit %d %s", code, errOut)
	}
	// advise with the framework's routes: the route only the framework
	// knows (a view built by a call) is advised from its traffic.
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "10.0.0.1 - - [01/Nov/2026:00:%02d:%02d +0000] \"GET /api/dynamic/ HTTP/1.1\" 200 100 \"-\" \"ua\" 0.010 0.009 MISS\n", i/60%60, i%60)
	}
	logp := filepath.Join(dir, "e.log")
	os.WriteFile(logp, []byte(b.String()), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", logp); code != 0 {
		t.Fatal(errOut)
	}
	code, out, errOut = cli(t, "", "--db", db, "advise", "--src", src, "--python", "/usr/bin/python3", "--json")
	if code != 0 || !strings.Contains(out, `"view": "shop.views.make_view.\u003clocals\u003e.dynamic"`) && !strings.Contains(out, `make_view.<locals>.dynamic`) {
		t.Fatalf("advise --python: %d %s %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "exact routes") {
		t.Errorf("advise --python says nothing of the diff: %s", errOut)
	}
}

// TestEdgeCommand: cdnadvise edge writes the VCL and the nginx file from the
// advice (a per-user route passed, the advised ones with cookies dropped),
// run writes the edge's file beside the patch, and an unknown edge is named.
func TestEdgeCommand(t *testing.T) {
	dir := t.TempDir()
	src := "../../framework/fastapi/testdata/fastapiproj"
	var b strings.Builder
	for i := 0; i < 600; i++ {
		p := fmt.Sprintf("/api/items/%d", i%7)
		if i%10 == 0 {
			p = "/users/me"
		}
		// Five clients: without --src the logs show that the items are the
		// same for everyone (the same size to all at the same time).
		fmt.Fprintf(&b, "10.0.0.%d - - [01/Nov/2026:00:%02d:%02d +0000] \"GET %s HTTP/1.1\" 200 100 \"-\" \"ua\" 0.010 0.009 MISS\n", i%5, i/60%60, i%60, p)
	}
	logp := filepath.Join(dir, "e.log")
	os.WriteFile(logp, []byte(b.String()), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", logp); code != 0 {
		t.Fatal(errOut)
	}
	vcl := filepath.Join(dir, "c.vcl")
	code, _, errOut := cli(t, "", "--db", db, "edge", "--edge", "varnish", "--src", src, "--upstream", "http://127.0.0.1:9009", "-o", vcl)
	body, _ := os.ReadFile(vcl)
	if code != 0 || !strings.Contains(string(body), `.port = "9009";`) || !strings.Contains(string(body), `req.url ~ "^/users/me(\?.*)?$"`) ||
		!strings.Contains(string(body), `req.url ~ "^/api/items/[^/]+(\?.*)?$"`) {
		t.Fatalf("edge varnish: %d %s\n%s", code, errOut, body)
	}
	code, out, _ := cli(t, "", "--db", db, "edge", "--edge", "nginx", "--listen", "127.0.0.1:9010")
	if code != 0 || !strings.Contains(out, "listen 127.0.0.1:9010;") || !strings.Contains(out, `"~^/api/items/[0-9]+$" 1;`) {
		t.Fatalf("edge nginx (inferred endpoints): %d\n%s", code, out)
	}
	// The include form: FILE.http.conf and FILE.location.conf, from -o FILE.conf.
	code, _, errOut = cli(t, "", "--db", db, "edge", "-q", "--edge", "nginx-include", "-o", filepath.Join(dir, "cdnadvise.conf"))
	httpPart, err1 := os.ReadFile(filepath.Join(dir, "cdnadvise.http.conf"))
	locPart, err2 := os.ReadFile(filepath.Join(dir, "cdnadvise.location.conf"))
	if code != 0 || err1 != nil || err2 != nil || !strings.Contains(string(httpPart), "proxy_cache_path") || !strings.Contains(string(locPart), "proxy_cache cdnadvise;") {
		t.Fatalf("edge nginx-include: %d %s %v %v", code, errOut, err1, err2)
	}
	if code, _, errOut := cli(t, "", "--db", db, "edge", "--edge", "nginx", "--upstream", "http://exa mple:80"); code == 0 || !strings.Contains(errOut, "upstream") {
		t.Errorf("a bad upstream: %d %s", code, errOut)
	}
	if code, _, errOut := cli(t, "", "--db", db, "edge", "--edge", "akamai"); code == 0 || !strings.Contains(errOut, "known:") {
		t.Errorf("unknown edge: %d %s", code, errOut)
	}
	outDir := filepath.Join(dir, "out")
	code, out, errOut = cli(t, "", "run", logp, "--out", outDir, "--src", src, "--edge", "varnish")
	if _, err := os.Stat(filepath.Join(outDir, "edge-varnish.vcl")); code != 0 || err != nil || !strings.Contains(out, "edge-varnish.vcl") {
		t.Fatalf("run --edge varnish: %d %v\n%s\n%s", code, err, out, errOut)
	}
}

// TestExportParquet: export --parquet writes the requests as
// date=/tier= partitions that DuckDB reads back as one table: the same
// rows per day and tier, the same bytes and paths, strings resolved; a
// second export into the same folder is refused.
func TestExportParquet(t *testing.T) {
	dir := t.TempDir()
	var edge, origin strings.Builder
	t0 := time.Date(2026, 11, 1, 23, 50, 0, 0, time.UTC) // two days
	for i := 0; i < 1500; i++ {
		ts := t0.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&edge, "10.0.0.%d - - [%s] \"GET /items/%d?utm_source=x HTTP/1.1\" 200 %d \"-\" \"ua\" 0.010 0.009 %s\n", i%9, ts, i%17, 100+i%7, []string{"HIT", "MISS"}[i%2])
		if i%2 == 1 {
			fmt.Fprintf(&origin, "10.0.0.%d - - [%s] \"GET /items/%d?utm_source=x HTTP/1.1\" 200 %d \"-\" \"ua\" 9000\n", i%9, ts, i%17, 100+i%7)
		}
	}
	ep, op := filepath.Join(dir, "edge.log"), filepath.Join(dir, "origin.log")
	os.WriteFile(ep, []byte(edge.String()), 0o644)
	os.WriteFile(op, []byte(origin.String()), 0o644)
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "--tier", "edge", ep, "--tier", "origin", op); code != 0 {
		t.Fatal(errOut)
	}
	out := filepath.Join(dir, "parquet")
	code, stdout, errOut := cli(t, "", "--db", db, "export", "--parquet", out, "--json")
	var res struct{ Rows, Files, Partitions int64 }
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Rows != 2250 || res.Partitions != 4 {
		t.Fatalf("export: %d %s %s", code, stdout, errOut)
	}
	for _, p := range []string{"date=2026-11-01/tier=edge", "date=2026-11-02/tier=edge", "date=2026-11-01/tier=origin", "date=2026-11-02/tier=origin"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("partition %s: %v", p, err)
		}
	}
	q := func(sql string) string {
		t.Helper()
		code, stdout, errOut := cli(t, "", "--db", db, "sql", "--json", sql)
		if code != 0 {
			t.Fatalf("%s: %s", sql, errOut)
		}
		return stdout
	}
	glob := filepath.Join(out, "**", "*.parquet")
	fromStore := q(`SELECT strftime(ts, '%Y-%m-%d') AS date, tier, count(*) AS n, sum(bytes) AS b, count(DISTINCT path || coalesce(query, '')) AS k, count(cache_status) AS c FROM requests GROUP BY ALL ORDER BY ALL`)
	fromParquet := q(`SELECT date::VARCHAR AS date, tier, count(*) AS n, sum(bytes) AS b, count(DISTINCT path || coalesce(query, '')) AS k, count(cache_status) AS c FROM read_parquet('` + glob + `', hive_partitioning = true) GROUP BY ALL ORDER BY ALL`)
	if fromStore != fromParquet {
		t.Errorf("store:\n%s\nparquet:\n%s", fromStore, fromParquet)
	}
	if code, _, _ := cli(t, "", "--db", db, "export", "--parquet", out); code == 0 {
		t.Error("a second export into the same folder was accepted")
	}
}

// TestMain lets a test run the command as a process of its own: the test
// binary with CDNADVISE_TEST_MAIN=1 is cdnadvise.
func TestMain(m *testing.M) {
	if os.Getenv("CDNADVISE_TEST_MAIN") == "1" {
		os.Exit(runMain(context.Background(), os.Args[1:], defaultStreams()))
	}
	os.Exit(m.Run())
}

// process starts cdnadvise args as a separate process.
func process(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CDNADVISE_TEST_MAIN=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd
}

// scaleStore ingests generated edge (several PoPs, tracking parameters,
// content that changes) and origin logs plus the bundled examples.
func scaleStore(t *testing.T) (db string) {
	t.Helper()
	dir := t.TempDir()
	var edge, origin bytes.Buffer
	if err := loggen.EdgeAndOrigin(&edge, &origin, loggen.Options{Lines: 20000, Seed: 9}); err != nil {
		t.Fatal(err)
	}
	ep, op := filepath.Join(dir, "edge.log"), filepath.Join(dir, "origin.log")
	os.WriteFile(ep, edge.Bytes(), 0o644)
	os.WriteFile(op, origin.Bytes(), 0o644)
	db = filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "--tier", "edge", ep, "--tier", "origin", op); code != 0 {
		t.Fatal(errOut)
	}
	return db
}

// TestReplayShardsAsProcesses: four processes each replay one shard of the
// same store (read at once) and of its Parquet export; --merge of their
// files prints, byte for byte, what one replay prints (JSON and table).
func TestReplayShardsAsProcesses(t *testing.T) {
	db := scaleStore(t)
	dir := filepath.Dir(db)
	pq := filepath.Join(dir, "parquet")
	if code, _, errOut := cli(t, "", "--db", db, "export", "-q", "--parquet", pq); code != 0 {
		t.Fatal(errOut)
	}
	settings := [][]string{
		{"--ttl", "0,10s,1m,5m,1h,inf", "--edge", "nginx"},
		{"--ttl", "30s,5m", "--swr", "30s", "--sie", "1h", "--key", "sorted", "--shield", "--edge", "varnish"},
		{"--pop-mode", "shared", "--key", "no-query", "--sample", "0.5"},
	}
	for i, set := range settings {
		for _, input := range [][]string{{"--db", db}, {"--parquet", pq}} {
			for _, format := range [][]string{{"--json"}, nil, {"--top", "2"}} { // output flags: the merge's own
				args := append(append(append([]string{"replay"}, input...), set...), format...)
				code, whole, errOut := cli(t, "", args...)
				if code != 0 || len(whole) < 200 {
					t.Fatalf("%v: %d %s %s", args, code, whole, errOut)
				}
				var files []string
				var procs []*exec.Cmd
				for s := range 4 {
					f := filepath.Join(dir, fmt.Sprintf("set%d-%s-shard%d.json", i, input[0][2:], s))
					files = append(files, f)
					procs = append(procs, process(t, append(append([]string{"replay", "-q", "--shard", fmt.Sprintf("%d/4", s), "-o", f}, input...), set...)...))
				}
				for s, p := range procs {
					if err := p.Wait(); err != nil {
						t.Fatalf("shard %d/4 %v: %v\n%s", s, args, err, p.Stderr)
					}
				}
				code, merged, errOut := cli(t, "", append(append([]string{"replay", "--merge"}, files...), format...)...)
				if code != 0 || merged != whole {
					t.Errorf("%v: the 4 shards merged differ from one replay (%d %s):\n%s\n---\n%s", args, code, errOut, merged, whole)
				}
			}
		}
	}
	// What the merge refuses: a shard missing, a shard twice, other settings.
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	for s, f := range []string{a, b} {
		if code, _, errOut := cli(t, "", "--db", db, "replay", "-q", "--shard", fmt.Sprintf("%d/2", s), "-o", f, "--ttl", fmt.Sprint(10*(s+1))+"s"); code != 0 {
			t.Fatal(errOut)
		}
	}
	shard := func(input string, s int) string {
		return filepath.Join(dir, fmt.Sprintf("set0-%s-shard%d.json", input, s))
	}
	mixed := []string{shard("db", 0), shard("db", 1), shard("parquet", 2), shard("parquet", 3)} // keys numbered differently
	for _, bad := range [][]string{{a}, {a, a}, {a, b}, mixed} {
		if code, _, _ := cli(t, "", append([]string{"replay", "--merge"}, bad...)...); code == 0 {
			t.Errorf("--merge %v accepted", bad)
		}
	}
	for _, bad := range [][]string{{"--shard", "4/4"}, {"--shard", "1"}, {"--shard", "0/2", "--capacity", "1MiB"}, {"--memory-limit", "lots"}, {"--parquet", dir}, {"--tier", "edges"}} {
		if code, _, _ := cli(t, "", append([]string{"--db", db, "replay"}, bad...)...); code == 0 {
			t.Errorf("replay %v accepted", bad)
		}
	}
}

// TestParquetInput: analyze, replay and advise read a Parquet export as
// they read the store it came from, and say the same.
func TestParquetInput(t *testing.T) {
	db := scaleStore(t)
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "../../examples/logs"); code != 0 {
		t.Fatal(errOut)
	}
	pq := filepath.Join(filepath.Dir(db), "parquet")
	if code, _, errOut := cli(t, "", "--db", db, "export", "-q", "--parquet", pq); code != 0 {
		t.Fatal(errOut)
	}
	for _, args := range [][]string{
		{"analyze", "--json"},
		{"analyze", "--json", "--by", "endpoint,pop", "--tier", "edge"},
		{"analyze", "--json", "--by", "status,method"},
		{"analyze", "--json", "--by", "hour,host"},
		{"replay", "--json", "--ttl", "0,1m,1h"},
		{"advise", "--json", "--src", "../../examples/fastapi_app", "-q"},
	} {
		code, fromStore, errOut := cli(t, "", append([]string{"--db", db}, args...)...)
		if code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
		code, fromParquet, errOut := cli(t, "", append([]string{args[0], "--parquet", pq}, args[1:]...)...)
		if code != 0 {
			t.Fatalf("%v --parquet: %s", args, errOut)
		}
		if args[0] == "advise" { // recorded in the store only
			fromStore = regexp.MustCompile(`(?m)^  "(run_id|created_at)": .*\n`).ReplaceAllString(fromStore, "")
		}
		if fromStore != fromParquet {
			t.Errorf("%v: the Parquet export gives another answer than its store:\n%s\n---\n%s", args, fromParquet, fromStore)
		}
	}
	if code, _, _ := cli(t, "", "--db", db, "analyze", "--parquet", pq); code == 0 {
		t.Error("--db with --parquet accepted")
	}
	if code, _, errOut := cli(t, "", "analyze", "--parquet", t.TempDir()); code == 0 || !strings.Contains(errOut, "no .parquet files") {
		t.Errorf("an empty folder: %d %s", code, errOut)
	}
}

// TestVerifyExitsOnBreakage: a form route that answers 403 after the
// change (its cookies stripped by the cache) makes verify say broke in its
// summary line and exit 1.
func TestVerifyExitsOnBreakage(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	var before, after strings.Builder
	for i := 0; i < 300; i++ {
		ts := t0.Add(time.Duration(i) * time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&before, "10.0.0.%d - - [%s] \"POST /contact HTTP/1.1\" 200 100 \"-\" \"ua\" 0.002 0.001 MISS\n", i%9, ts)
		ts = t0.Add(time.Hour + time.Duration(i)*time.Second).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&after, "10.0.0.%d - - [%s] \"POST /contact HTTP/1.1\" 403 100 \"-\" \"ua\" 0.002 0.001 MISS\n", i%9, ts)
	}
	for name, text := range map[string]string{"before.log": before.String(), "after.log": after.String()} {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	from, to := t0.Format(time.RFC3339), t0.Add(299*time.Second).Format(time.RFC3339)
	advice := `{"data_from": "` + from + `", "data_to": "` + to + `", "recommendations": [{"method": "POST", "endpoint": "/contact", "match": "^/contact$", "class": "not-get"}]}`
	os.WriteFile(filepath.Join(dir, "advice.json"), []byte(advice), 0o644)
	for _, f := range []string{"before.log", "after.log"} {
		if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "--tier", "edge", filepath.Join(dir, f)); code != 0 {
			t.Fatal(errOut)
		}
	}
	code, stdout, errOut := cli(t, "", "--db", db, "verify", "--advice", filepath.Join(dir, "advice.json"))
	if code != 1 || !strings.Contains(stdout, "verdicts: 1 broke") || !strings.Contains(errOut, "1 route(s) failed") {
		t.Errorf("verify after a breakage: exit %d\n%s\n%s", code, stdout, errOut)
	}
}

// TestRunTakesIngestFlags: run reads logs with ingest's flags, to the same
// store as ingest; a layout with a typo'd variable and one that reads no
// line exit non-zero with the reason.
func TestRunTakesIngestFlags(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "cache.log")
	var b strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "10.0.0.%d %s [25/Nov/2026:08:%02d:00 +0000] \"GET /items/%d HTTP/1.1\" 200 512 0.0%02d \"public, max-age=60\" \"Accept-Encoding\"\n",
			i%5, []string{"HIT", "MISS"}[i%2], i, i%4, i%40+1)
	}
	os.WriteFile(log, []byte(b.String()), 0o644)
	format := `$remote_addr $upstream_cache_status [$time_local] "$request" $status $body_bytes_sent $request_time "$sent_http_cache_control" "$sent_http_vary"`
	query := "SELECT count(*) AS n, count(cache_status) AS cache, count(cache_control) AS cc, count(vary) AS vary, sum(bytes) AS bytes, min(tier) AS tier FROM requests"
	db := filepath.Join(dir, "ingest.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "--nginx-format", format, log); code != 0 {
		t.Fatalf("ingest: %d %s", code, errOut)
	}
	_, want, _ := cli(t, "", "--db", db, "sql", "--json", query)
	out := filepath.Join(dir, "out")
	if code, _, errOut := cli(t, "", "run", "--nginx-format", format, "--out", out, log, "-q"); code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	_, got, _ := cli(t, "", "--db", filepath.Join(out, "cdnadvise.duckdb"), "sql", "--json", query)
	if got != want || !strings.Contains(want, `"cc": 40`) || !strings.Contains(want, `"vary": 40`) {
		t.Fatalf("run's store differs from ingest's:\nrun:    %s\ningest: %s", got, want)
	}
	for _, c := range []struct{ format, why string }{
		{strings.Replace(format, "$upstream_cache_status", "$upstream_cache_stauts", 1), "did you mean $upstream_cache_status?"},
		{`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"`, "reads none of the first"},
	} {
		code, stdout, errOut := cli(t, "", "run", "--nginx-format", c.format, "--out", filepath.Join(dir, "bad"), log, "-q")
		if code == 0 || !strings.Contains(stdout+errOut, c.why) {
			t.Errorf("run with %s: exit %d, output %s %s; want non-zero with %q", c.format, code, stdout, errOut, c.why)
		}
	}
}

// TestDryRunsRecordNothing: a patch written to the null device and advise
// --dry-run record no advice run, so verify never takes them for the
// advice deployed.
func TestDryRunsRecordNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "../../examples/logs"); code != 0 {
		t.Fatal(errOut)
	}
	src := "../../examples/fastapi_app"
	count := func() int {
		code, out, errOut := cli(t, "", "--db", db, "advice", "list", "--json")
		if code != 0 {
			t.Fatalf("advice list: %s", errOut)
		}
		var runs []map[string]any
		if err := json.Unmarshal([]byte(out), &runs); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return len(runs)
	}
	if code, _, errOut := cli(t, "", "--db", db, "advise", "--src", src, "--python", "none", "-q"); code != 0 {
		t.Fatal(errOut)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d runs after one advise", n)
	}
	if code, _, errOut := cli(t, "", "--db", db, "patch", "--src", src, "--python", "none", "-o", os.DevNull, "-q"); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := cli(t, "", "--db", db, "advise", "--src", src, "--python", "none", "--dry-run", "-q"); code != 0 {
		t.Fatal(errOut)
	}
	if n := count(); n != 1 {
		t.Errorf("%d runs: a dry run was recorded", n)
	}
}

// TestAdviceListMarksAppliedRun: once a run's patch is applied to the
// source, advice list marks that run "in source" (not a newer run with
// other headers), and verify compares it by default; verify --run marks
// the run it is pointed at.
func TestAdviceListMarksAppliedRun(t *testing.T) {
	patchBin, err := exec.LookPath("patch")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI needs patch (apt-get install patch)")
		}
		t.Skip("patch not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "app")
	if err := os.CopyFS(src, os.DirFS("../../examples/fastapi_app")); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", "../../examples/logs"); code != 0 {
		t.Fatal(errOut)
	}
	p1 := filepath.Join(dir, "p1.patch")
	if code, _, errOut := cli(t, "", "--db", db, "-q", "patch", "--src", src, "--python", "none", "-o", p1); code != 0 {
		t.Fatal(errOut)
	}
	policy := filepath.Join(dir, "policy.json")
	os.WriteFile(policy, []byte(`{"/api/items": {"ttl": "5m"}}`), 0o644)
	if code, _, errOut := cli(t, "", "--db", db, "-q", "advise", "--src", src, "--python", "none", "--policy", policy); code != 0 {
		t.Fatal(errOut)
	}
	applied := func() map[float64]string {
		code, out, errOut := cli(t, "", "--db", db, "advice", "list", "--json")
		if code != 0 {
			t.Fatalf("advice list: %s", errOut)
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m := map[float64]string{}
		for _, r := range list {
			s, _ := r["applied"].(string)
			m[r["run_id"].(float64)] = s
		}
		return m
	}
	if got := applied(); got[1] != "" || got[2] != "" {
		t.Fatalf("before the patch is applied: %v, want no run applied", got)
	}
	cmd := exec.Command(patchBin, "-p1", "-d", src, "-i", p1)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch -p1: %v\n%s", err, out)
	}
	if got := applied(); got[1] != "in source" || got[2] != "" {
		t.Errorf("after run 1's patch is applied: %v, want run 1 in source, run 2 not", got)
	}
	code, out, errOut := cli(t, "", "--db", db, "verify")
	if code != 0 && !strings.Contains(errOut, "failed") {
		t.Fatalf("verify: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "advice run 1 (applied: in source; newer runs (the latest is 2) are not)") {
		t.Errorf("verify does not say it compares the applied run 1:\n%s", out)
	}
	if code, _, errOut := cli(t, "", "--db", db, "verify", "--run", "2"); code != 0 && !strings.Contains(errOut, "failed") {
		t.Fatalf("verify --run 2: %s", errOut)
	}
	if got := applied(); got[1] != "in source" || got[2] != "verify --run" {
		t.Errorf("after verify --run 2: %v", got)
	}
	if _, out, _ := cli(t, "", "--db", db, "advice", "list"); !strings.Contains(out, "APPLIED") || !strings.Contains(out, "in source") {
		t.Errorf("advice list table:\n%s", out)
	}
}

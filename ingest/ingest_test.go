package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

func openStore(t testing.TB, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func queryInt(t testing.TB, st *store.Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := st.DB.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func genLog(t testing.TB, n int, seed uint64, start time.Time) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := loggen.NginxCache(&b, loggen.Options{Lines: n, Seed: seed, URLs: 500, Start: start}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func run(t testing.TB, st *store.Store, opts Options) *Summary {
	t.Helper()
	if opts.MaxRejectRatio == 0 {
		opts.MaxRejectRatio = 0.05
	}
	sum, err := Run(context.Background(), st, opts)
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, sum)
	}
	return sum
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestIngestIdempotentAppendRotate(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	logs := filepath.Join(dir, "logs")
	cur := filepath.Join(logs, "access.log")
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	all := genLog(t, 3000, 7, t0)
	parts := bytes.SplitAfter(all, []byte("\n"))
	chunk := func(a, b int) []byte { return bytes.Join(parts[a:b], nil) }
	opts := Options{Inputs: []Input{{Path: logs}}}

	writeFile(t, cur, chunk(0, 1000))
	s := run(t, st, opts)
	if s.Rows != 1000 || s.Files[0].Status != "ingested" || s.Files[0].Format != "nginx-cache" || s.Files[0].Tier != "edge" {
		t.Fatalf("first run: %+v", s.Files)
	}
	s = run(t, st, opts)
	if s.Rows != 0 || s.Skipped != 1000 || s.Files[0].Status != "seen" {
		t.Fatalf("re-run added rows: %+v", s.Files)
	}
	appendFile(t, cur, chunk(1000, 1500))
	s = run(t, st, opts)
	if s.Rows != 500 || s.Skipped != 1000 || s.Files[0].Status != "appended" {
		t.Fatalf("append: %+v", s.Files)
	}
	// More lines, then logrotate: rename, compress, start a new file.
	appendFile(t, cur, chunk(1500, 1700))
	if err := os.Rename(cur, cur+".1"); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(cur + ".1")
	writeFile(t, cur+".1.gz", gzipBytes(t, old))
	os.Remove(cur + ".1")
	writeFile(t, cur, chunk(1700, 3000))
	s = run(t, st, opts)
	if s.Rows != 1500 {
		t.Fatalf("after rotation: %d rows added, want 1500: %+v", s.Rows, s.Files)
	}
	s = run(t, st, opts)
	if s.Rows != 0 {
		t.Fatalf("re-run after rotation added %d rows", s.Rows)
	}
	if n := queryInt(t, st, "SELECT count(*) FROM requests"); n != 3000 {
		t.Fatalf("store has %d rows, want 3000", n)
	}
	// Every line exactly once: the generated lines are unique by (ts, client, path).
	if n := queryInt(t, st, "SELECT count(DISTINCT (ts, client, path)) FROM requests"); n != 3000 {
		t.Fatalf("%d distinct requests, want 3000", n)
	}
	if n := queryInt(t, st, "SELECT sum(rows) FROM files"); n != 3000 {
		t.Fatalf("manifest counts %d rows", n)
	}
}

func TestIngestCompressedAndMixedFolder(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	enc, _ := zstd.NewWriter(nil)
	writeFile(t, filepath.Join(dir, "logs/edge/a.log.zst"), enc.EncodeAll(genLog(t, 400, 1, t0), nil))
	writeFile(t, filepath.Join(dir, "logs/edge/b.log.gz"), gzipBytes(t, genLog(t, 300, 2, t0)))
	// A compressed file with a misleading name is still read by content.
	writeFile(t, filepath.Join(dir, "logs/edge/c.txt"), gzipBytes(t, genLog(t, 100, 3, t0)))
	writeFile(t, filepath.Join(dir, "logs/app/origin.log"), []byte(
		`10.0.0.1 - - [01/Nov/2026:00:00:01 +0000] "GET /api/items/1 HTTP/1.1" 200 10 "-" "curl/8" 1500`+"\n"+
			`10.0.0.1 - - [01/Nov/2026:00:00:02 +0000] "GET /api/items/2 HTTP/1.1" 200 10 "-" "curl/8" 2500`+"\n"))
	writeFile(t, filepath.Join(dir, "logs/.hidden/skip.log"), genLog(t, 10, 4, t0))
	s := run(t, st, Options{Inputs: []Input{{Path: filepath.Join(dir, "logs")}}})
	if len(s.Files) != 4 || s.Rows != 802 {
		t.Fatalf("got %d files %d rows: %+v", len(s.Files), s.Rows, s.Files)
	}
	byName := map[string]FileResult{}
	for _, f := range s.Files {
		byName[filepath.Base(f.Path)] = f
	}
	if f := byName["a.log.zst"]; f.Compression != "zstd" || f.Rows != 400 {
		t.Errorf("zstd: %+v", f)
	}
	if f := byName["c.txt"]; f.Compression != "gzip" || f.Rows != 100 {
		t.Errorf("gzip by content: %+v", f)
	}
	if f := byName["origin.log"]; f.Format != "combined" || f.Tier != "origin" {
		t.Errorf("origin: %+v", f)
	}
	if n := queryInt(t, st, "SELECT count(*) FROM requests WHERE tier = 'origin' AND duration_ms = 1.5"); n != 1 {
		t.Errorf("origin duration from %%D: %d rows with 1.5 ms", n)
	}
}

func TestIngestTierOverride(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	p := filepath.Join(dir, "a.log")
	writeFile(t, p, genLog(t, 10, 1, time.Now()))
	s := run(t, st, Options{Inputs: []Input{{Path: p, Tier: TierOrigin}}})
	if s.Files[0].Tier != "origin" || queryInt(t, st, "SELECT count(*) FROM requests WHERE tier='origin'") != 10 {
		t.Fatalf("tier override: %+v", s.Files)
	}
}

func TestIngestStdin(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	data := genLog(t, 250, 5, time.Now())
	s := run(t, st, Options{Inputs: []Input{{Path: "-"}}, Stdin: bytes.NewReader(data)})
	if s.Rows != 250 || s.Files[0].Path != "-" {
		t.Fatalf("stdin: %+v", s.Files)
	}
	s = run(t, st, Options{Inputs: []Input{{Path: "-"}}, Stdin: bytes.NewReader(gzipBytes(t, data))})
	if s.Rows != 0 || s.Files[0].Status != "seen" {
		t.Fatalf("same content again on stdin: %+v", s.Files)
	}
}

func TestIngestBadInputs(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	good := genLog(t, 200, 9, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	goodLines := bytes.SplitAfter(good, []byte("\n"))

	t.Run("empty file", func(t *testing.T) {
		p := filepath.Join(dir, "empty.log")
		writeFile(t, p, nil)
		s := run(t, st, Options{Inputs: []Input{{Path: p}}})
		if s.Files[0].Status != "empty" || len(s.Files[0].Notes) == 0 {
			t.Fatalf("%+v", s.Files[0])
		}
	})
	t.Run("binary garbage", func(t *testing.T) {
		p := filepath.Join(dir, "garbage.bin")
		junk := make([]byte, 100000)
		for i := range junk {
			junk[i] = byte(i*7919 + i/13)
		}
		writeFile(t, p, junk)
		s, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: p}}, MaxRejectRatio: 0.05})
		if err == nil || s.Files[0].Status != "failed" || !strings.Contains(s.Files[0].Error, "format") {
			t.Fatalf("err %v, %+v", err, s.Files)
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		p := filepath.Join(dir, "trunc.log.gz")
		z := gzipBytes(t, good)
		writeFile(t, p, z[:len(z)*2/3])
		s := run(t, st, Options{Inputs: []Input{{Path: p}}})
		f := s.Files[0]
		if f.Status != "ingested" || f.Rows == 0 || f.Rows >= 200 || !strings.Contains(strings.Join(f.Notes, " "), "truncated") {
			t.Fatalf("%+v", f)
		}
	})
	t.Run("invalid UTF-8, overlong line, bad lines under the ratio", func(t *testing.T) {
		p := filepath.Join(dir, "mixed.log")
		var b bytes.Buffer
		for i, l := range goodLines[:100] {
			if i == 10 {
				l = []byte("10.0.0.1 - - [01/Nov/2026:00:00:00 +0000] \"GET /utf8 HTTP/1.1\" 200 1 \"-\" \"bad\xff\xfeua\" 0.001 HIT\n")
			}
			b.Write(l)
			if i == 20 {
				b.WriteString("this is not a log line\n")
			}
			if i == 30 {
				b.WriteString(strings.Repeat("x", DefaultMaxLine+10) + "\n")
			}
		}
		writeFile(t, p, b.Bytes())
		s := run(t, st, Options{Inputs: []Input{{Path: p}}, MaxRejectRatio: 0.05})
		f := s.Files[0]
		if f.Rows != 100 || f.Rejected != 2 || f.Lines != 102 {
			t.Fatalf("%+v", f)
		}
		if n := queryInt(t, st, "SELECT count(*) FROM rejects WHERE path = ? AND line IN (22, 33)", p); n != 2 {
			t.Fatalf("reject samples with line numbers 22 and 33: %d", n)
		}
		if n := queryInt(t, st, "SELECT count(*) FROM rejects WHERE path = ? AND reason LIKE 'line longer than%'", p); n != 1 {
			t.Fatal("overlong line not sampled with its reason")
		}
		if n := queryInt(t, st, "SELECT count(*) FROM requests WHERE path = '/utf8' AND user_agent = 'bad\uFFFD\uFFFDua'"); n != 1 {
			t.Fatalf("invalid UTF-8 not repaired: %d", n)
		}
	})
	t.Run("too many bad lines", func(t *testing.T) {
		p := filepath.Join(dir, "bad.log")
		var b bytes.Buffer
		for i, l := range goodLines[100:150] {
			b.Write(l)
			if i%5 == 0 {
				b.WriteString("oops\n")
			}
		}
		writeFile(t, p, b.Bytes())
		before := queryInt(t, st, "SELECT count(*) FROM requests")
		s, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: p}}, MaxRejectRatio: 0.05})
		if err == nil || s.Failed != 1 || !strings.Contains(s.Files[0].Error, "max-reject-ratio") {
			t.Fatalf("err %v %+v", err, s.Files)
		}
		if after := queryInt(t, st, "SELECT count(*) FROM requests"); after != before {
			t.Fatalf("a failed file stored %d rows", after-before)
		}
		// With a looser ratio the same file goes in, its bad lines counted.
		s = run(t, st, Options{Inputs: []Input{{Path: p}}, MaxRejectRatio: 0.5})
		if s.Rows != 50 || s.Rejected != 10 {
			t.Fatalf("%+v", s.Files[0])
		}
	})
	t.Run("unterminated last line waits for the writer", func(t *testing.T) {
		p := filepath.Join(dir, "growing.log")
		whole := bytes.Join(goodLines[150:160], nil)
		cut := bytes.LastIndexByte(whole[:len(whole)-1], '\n') + 30
		writeFile(t, p, whole[:cut])
		s := run(t, st, Options{Inputs: []Input{{Path: p}}})
		if s.Rows != 9 || s.Rejected != 0 {
			t.Fatalf("%+v", s.Files[0])
		}
		appendFile(t, p, whole[cut:])
		s = run(t, st, Options{Inputs: []Input{{Path: p}}})
		if s.Rows != 1 || s.Rejected != 0 {
			t.Fatalf("completed line: %+v", s.Files[0])
		}
	})
	t.Run("missing path", func(t *testing.T) {
		if _, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: filepath.Join(dir, "nope")}}}); err == nil {
			t.Fatal("no error for a missing file")
		}
	})
}

// TestIngestKill9 kills an ingest at several moments and checks that the
// next run completes the work exactly once.
func TestIngestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test is slow")
	}
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	const files, perFile = 4, 250_000
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < files; i++ {
		writeFile(t, filepath.Join(logs, fmt.Sprintf("f%02d.log", i)), genLog(t, perFile, uint64(100+i), t0.Add(time.Duration(i)*time.Hour)))
	}
	db := filepath.Join(dir, "s.duckdb")
	var partial bool
	for _, delay := range []time.Duration{80 * time.Millisecond, 300 * time.Millisecond, 450 * time.Millisecond, 600 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$")
		cmd.Env = append(os.Environ(), "CDNADVISE_CHILD_DB="+db, "CDNADVISE_CHILD_LOGS="+logs)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if _, err := os.Stat(db); err != nil {
			continue // killed before the store was created
		}
		st, err := store.Open(context.Background(), db)
		if err != nil {
			t.Fatalf("store unreadable after kill -9 at %v: %v", delay, err)
		}
		stored := queryInt(t, st, "SELECT count(*) FROM requests_raw")
		// Consistent: every stored row belongs to a file of the manifest, with the count it records.
		bad := queryInt(t, st, `SELECT count(*) FROM (SELECT file_id, count(*) n FROM requests_raw GROUP BY 1) r
			FULL JOIN files f USING (file_id) WHERE r.n IS DISTINCT FROM f.rows`)
		st.Close()
		t.Logf("killed after %v: %d rows stored (files are committed in parts of about 60,000 rows)", delay, stored)
		if bad != 0 {
			t.Fatalf("%d files whose rows disagree with the manifest after kill -9 at %v", bad, delay)
		}
		if stored < files*perFile {
			partial = true
		}
	}
	if !partial {
		t.Log("every kill came after the work was done: the test proved less than it should (machine too fast?)")
	}
	st := openStore(t, db)
	s := run(t, st, Options{Inputs: []Input{{Path: logs}}})
	total := queryInt(t, st, "SELECT count(*) FROM requests")
	if total != files*perFile {
		t.Fatalf("after completing: %d rows, want %d (this run added %d)", total, files*perFile, s.Rows)
	}
	if n := queryInt(t, st, "SELECT count(DISTINCT (ts, client, path)) FROM requests"); n != files*perFile {
		t.Fatalf("%d distinct requests, want %d", n, files*perFile)
	}
}

// TestIngestChild is the process TestIngestKill9 kills.
func TestIngestChild(t *testing.T) {
	db, logs := os.Getenv("CDNADVISE_CHILD_DB"), os.Getenv("CDNADVISE_CHILD_LOGS")
	if db == "" {
		t.Skip("only run as a child of TestIngestKill9")
	}
	st := openStore(t, db)
	Run(context.Background(), st, Options{Inputs: []Input{{Path: logs}}, MaxRejectRatio: 0.05, CommitRows: 60_000})
}

func TestIngestRealApacheSample(t *testing.T) {
	p := "../../shared/samples/apache-combined/apache_logs"
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs the shared samples: %v", err)
		}
		t.Skip("../shared/samples not present")
	}
	st := openStore(t, filepath.Join(t.TempDir(), "s.duckdb"))
	s := run(t, st, Options{Inputs: []Input{{Path: p}}})
	if s.Rows != 10000 || s.Rejected != 0 || s.Files[0].Format != "combined" {
		t.Fatalf("%+v", s.Files[0])
	}
	// Independent count of status 200 lines with awk-like logic.
	data, _ := os.ReadFile(p)
	var n200, bytesSum int64
	for _, l := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		i := bytes.Index(l, []byte(`" `))
		f := bytes.Fields(l[i+2:])
		if string(f[0]) == "200" {
			n200++
		}
		var b int64
		fmt.Sscan(string(f[1]), &b)
		bytesSum += b
	}
	if got := queryInt(t, st, "SELECT count(*) FROM requests WHERE status = 200"); got != n200 {
		t.Errorf("status 200: %d, want %d", got, n200)
	}
	if got := queryInt(t, st, "SELECT sum(bytes) FROM requests"); got != bytesSum {
		t.Errorf("bytes: %d, want %d", got, bytesSum)
	}
}

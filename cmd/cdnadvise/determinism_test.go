package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
)

// sampledRows is a store size past analyze's exact-percentile threshold
// (2,000,000 rows), so its percentiles come from the sample.
const sampledRows = 2_100_000

// TestEveryCommandTwiceSameBytes: on a store large enough for the sampled
// percentiles, every command that reads the store prints the same bytes
// when run twice (a team diffs two reports; a CI gate must not flap).
func TestEveryCommandTwiceSameBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 2.1 M-line log")
	}
	dir := t.TempDir()
	logp := filepath.Join(dir, "edge.log")
	f, err := os.Create(logp)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := loggen.NginxCache(w, loggen.Options{Lines: sampledRows, URLs: 50_000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	f.Close()
	db := filepath.Join(dir, "s.duckdb")
	if code, _, errOut := cli(t, "", "--db", db, "ingest", "-q", logp); code != 0 {
		t.Fatal(errOut)
	}
	os.Remove(logp)
	src := "../../framework/fastapi/testdata/fastapiproj"
	// One recorded run, for verify and advice list.
	if code, _, errOut := cli(t, "", "--db", db, "-q", "advise", "--src", src, "--python", "none"); code != 0 {
		t.Fatal(errOut)
	}
	report := filepath.Join(dir, "report.html")
	for _, args := range [][]string{
		{"analyze", "--json"},
		{"analyze"},
		{"analyze", "--by", "endpoint,pop", "--json"},
		{"replay", "--json"},
		{"replay"},
		{"routes", "--src", src, "--json"},
		{"advise", "--dry-run", "--src", src, "--json"},
		{"advise", "--dry-run", "--top", "0"},
		{"patch", "--dry-run", "--src", src},
		{"edge", "--edge", "varnish", "--src", src},
		{"edge", "--edge", "cloudfront", "--src", src},
		{"verify", "--json"},
		{"verify"},
		{"advice", "list", "--json"},
		{"advice", "list"},
		{"report", "--src", src, "-o", report},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			full := append([]string{"--db", db, "-q"}, args...)
			var first string
			for run := 0; run < 2; run++ {
				code, out, errOut := cli(t, "", full...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if args[0] == "report" {
					b, err := os.ReadFile(report)
					if err != nil {
						t.Fatal(err)
					}
					out = string(b)
				}
				if run == 0 {
					first = out
					continue
				}
				if out != first {
					i := 0
					for i < len(out) && i < len(first) && out[i] == first[i] {
						i++
					}
					t.Fatalf("the second run differs at byte %d:\nfirst:  %q\nsecond: %q", i, snippet(first, i), snippet(out, i))
				}
			}
			if args[0] == "analyze" && args[len(args)-1] == "--json" && !strings.Contains(first, "deterministic sample") {
				t.Errorf("the store did not take the sampled path: %s", snippet(first, strings.Index(first, `"percentiles"`)))
			}
		})
	}
}

// snippet is up to 80 bytes of s around i.
func snippet(s string, i int) string {
	lo, hi := max(0, i-40), min(len(s), i+40)
	if lo > hi {
		return ""
	}
	return s[lo:hi]
}

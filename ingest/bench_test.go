package ingest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// BenchmarkIngest measures end to end ingest (file in page cache -> rows
// committed in a DuckDB file) of the nginx-cache benchmark format; lines/s is
// reported as a custom metric.
func BenchmarkIngest(b *testing.B) {
	const lines = 500_000
	dir := b.TempDir()
	logPath := filepath.Join(dir, "access.log")
	f, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	if err := loggen.NginxCache(f, loggen.Options{Lines: lines, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dbPath := filepath.Join(dir, "bench.duckdb")
		os.Remove(dbPath)
		st, err := store.Open(context.Background(), dbPath)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: logPath}}, MaxRejectRatio: 0.01})
		if err != nil || sum.Rows != lines {
			b.Fatalf("rows %v err %v", sum, err)
		}
		b.StopTimer()
		st.Close()
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkParseNginxCache measures the parser alone on one core.
func BenchmarkParseNginxCache(b *testing.B) {
	var buf bytes.Buffer
	if err := loggen.NginxCache(&buf, loggen.Options{Lines: 10_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	_, p, err := Detect(lines[:50])
	if err != nil {
		b.Fatal(err)
	}
	batch := &Batch{}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		batch.reset()
		parseBlock(p, data, 1, nil, batch)
	}
	b.ReportMetric(float64(len(lines)*b.N)/b.Elapsed().Seconds(), "lines/s")
}

var _ = io.EOF

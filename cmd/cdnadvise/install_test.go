package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGoInstall builds the binary the way the README's Install section
// does (go install -tags duckdb_arrow, from this checkout into a temporary
// GOBIN) and runs --version.
func TestGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped with -short: builds the binary")
	}
	gobin := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", "-tags", "duckdb_arrow", ".")
	cmd.Env = append(os.Environ(), "GOBIN="+gobin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go install: %v\n%s", err, out)
	}
	out, err := exec.CommandContext(ctx, filepath.Join(gobin, "cdnadvise"), "--version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "cdnadvise ") {
		t.Fatalf("cdnadvise --version: %v %s", err, out)
	}
}

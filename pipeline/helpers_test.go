package pipeline

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// runPatched runs a Python script in the patched project dir with Debian's
// python3 (a minute at most) and decodes the JSON it prints into out; a
// failure shows the script's stderr and the patch.
func runPatched(t *testing.T, dir, script string, res *framework.PatchResult, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lab.TestPython, "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("the patched project: %v\n%s\n%s", err, stderr.String(), res.Diff)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

// patchAgainChangesNothing re-reads the patched source and patches it
// with the same recommendations: the diff must be empty.
func patchAgainChangesNothing(t *testing.T, dir string, recs []*advisor.Recommendation) {
	t.Helper()
	rt := routestest.Static(t, dir)
	for _, rec := range recs {
		for _, r := range rt.Routes {
			if r.Method == rec.Method && r.Pattern == rec.Endpoint {
				rec.Route = r
			}
		}
	}
	res, err := Patch(dir, rt, recs, false)
	if err != nil {
		t.Fatalf("a second patch: %v", err)
	}
	if res.Diff != "" {
		t.Errorf("a second patch changes the source again:\n%s", res.Diff)
	}
}

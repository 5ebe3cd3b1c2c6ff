package lab

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Need skips the test (outside CI) or fails it (when CI=true) when one of
// bins is not on PATH or /usr/bin/python3 cannot import one of modules.
// .ci/run installs all of them from Debian.
func Need(t testing.TB, bins, modules []string) {
	t.Helper()
	miss := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("this test needs %s (.ci/run installs it with apt-get)", what)
		}
		t.Skipf("skipped: %s missing (apt-get install nginx-light varnish gunicorn python3-fastapi python3-uvicorn python3-django python3-djangorestframework python3-flask python3-flask-restful python3-flask-login)", what)
	}
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			miss(b)
		}
	}
	if len(modules) > 0 {
		if err := exec.Command("/usr/bin/python3", "-c", "import "+strings.Join(modules, ", ")).Run(); err != nil {
			miss("python modules " + strings.Join(modules, ", "))
		}
	}
}

// Serve starts a server like Start and stops it (by PID) when the test ends,
// printing its output when the test failed.
func Serve(t testing.TB, dir string, env []string, port int, name string, args ...string) *Proc {
	t.Helper()
	p, err := Start(dir, env, port, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, p.Logs())
		}
	})
	return p
}

// CopyRepo copies the project at from (without __pycache__) to to and makes
// it a git repository with one commit, so that a patch can be applied to it.
func CopyRepo(t testing.TB, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy %s: %v", from, err)
	}
	Git(t, to, "init", "-q")
	Git(t, to, "add", "-A")
	Git(t, to, "-c", "user.email=test@example.com", "-c", "user.name=test", "commit", "-qm", "project")
}

// Git runs git in dir and returns its output; it fails the test on error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Falco is the falco binary (Fastly VCL lint and simulator) the tests use:
// $CDNADVISE_FALCO (.ci/run builds it from tools/falco), else falco on the
// PATH. The test skips without it, and fails in CI.
func Falco(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CDNADVISE_FALCO"); p != "" {
		return p
	}
	if p, err := exec.LookPath("falco"); err == nil {
		return p
	}
	missing(t, "falco (cd tools/falco && go build github.com/ysugimoto/falco/cmd/falco; .ci/run does it)")
	return ""
}

// VendorCheck is the folder with the vendors' SDK types and tsc installed
// (tools/vendorcheck after npm ci, which .ci/run runs): $CDNADVISE_VENDORCHECK,
// else the repository's own. The test skips without it, and fails in CI.
func VendorCheck(t testing.TB, repoRoot string) string {
	t.Helper()
	dir := os.Getenv("CDNADVISE_VENDORCHECK")
	if dir == "" {
		dir = filepath.Join(repoRoot, "tools", "vendorcheck")
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", "tsc")); err != nil {
		missing(t, "the vendors' SDK types (cd tools/vendorcheck && npm ci; .ci/run does it)")
	}
	return dir
}

// missing skips the test outside CI and fails it in CI.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("this test needs %s", what)
	}
	t.Skipf("skipped: %s missing", what)
}

// Origin serves h on a free port of 127.0.0.1 until the test ends, and
// returns the port: the origin a cache under test sits in front of.
func Origin(t testing.TB, h http.Handler) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

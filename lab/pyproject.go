package lab

import (
	"os"
	"path/filepath"
	"testing"
)

func WriteFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// CopyTree copies a test project into a new git repository.
func CopyTree(t *testing.T, from string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(from))
	CopyRepo(t, from, dst)
	return dst
}

// ServeApp starts the app with /usr/bin/python3 on a free loopback port once
// its modules are there, and returns the port; it stops when the test ends.
func ServeApp(t *testing.T, dir string, modules []string, args func(port int) []string) int {
	t.Helper()
	Need(t, nil, modules)
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	Serve(t, dir, nil, port, "/usr/bin/python3", args(port)...)
	return port
}

// TestPython is the interpreter the tests run Python apps and exact mode
// with: Debian's, where .ci/run installs the frameworks.
const TestPython = "/usr/bin/python3"

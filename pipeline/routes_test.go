package pipeline

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/pyinterp"
)

// makeVenv makes a real virtualenv at dir with Debian's python3: with the
// system's packages (Django importable) or without them.
func makeVenv(t *testing.T, dir string, systemPackages bool) string {
	t.Helper()
	args := []string{"-m", "venv", "--without-pip"}
	if systemPackages {
		args = append(args, "--system-site-packages")
	}
	out, err := exec.Command(lab.TestPython, append(args, dir)...).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3 -m venv: %v\n%s (.ci/run installs python3-venv)", err, out)
		}
		t.Skipf("skipped: python3 -m venv fails (apt-get install python3-venv): %s", out)
	}
	return filepath.Join(dir, "bin", "python")
}

// noPath is a machine without interpreters on PATH and no activated
// environment: only what is under --src is found.
var noPath = &pyinterp.Env{Getenv: func(string) string { return "" }}

func TestExactModeByDefault(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	src := lab.CopyTree(t, "../examples/django_app")
	py := makeVenv(t, filepath.Join(src, ".venv"), true)
	var diag bytes.Buffer
	rt, diff, err := Routes(context.Background(), Source{Src: src, Machine: noPath, PythonTimeout: time.Minute}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if rt.Mode == nil || rt.Mode.Mode != "exact" || rt.Mode.Python != py || !strings.Contains(rt.Mode.Source, "under --src (.venv)") {
		t.Fatalf("mode = %+v, want exact with %s\n%s", rt.Mode, py, diag.String())
	}
	if !rt.Exact || diff == nil || diff.FrameworkRows == 0 {
		t.Fatalf("not the framework's table: exact %v, diff %+v", rt.Exact, diff)
	}
	if !strings.Contains(diag.String(), "routes: exact mode, the routes Django itself builds, read with "+py) {
		t.Errorf("the mode is not said:\n%s", diag.String())
	}
	// --python none keeps to the static pass, and says so.
	diag.Reset()
	st, _, err := Routes(context.Background(), Source{Src: src, Python: PythonNone, Machine: noPath}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Exact || st.Mode.Mode != "static" || !strings.Contains(diag.String(), "static pass (the source parsed, nothing run): --python none") ||
		!strings.Contains(diag.String(), "exact mode would list every route Django itself builds") {
		t.Errorf("--python none: exact %v, mode %+v\n%s", st.Exact, st.Mode, diag.String())
	}
}

func TestStaticWhenNoInterpreterImports(t *testing.T) {
	lab.Need(t, nil, []string{"django"})
	src := lab.CopyTree(t, "../examples/django_app")
	py := makeVenv(t, filepath.Join(src, "venv"), false) // no Django in it
	var diag bytes.Buffer
	rt, diff, err := Routes(context.Background(), Source{Src: src, Machine: noPath}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if rt.Exact || diff != nil || rt.Mode.Mode != "static" || len(rt.Routes) == 0 {
		t.Fatalf("want the static table: exact %v, mode %+v, %d rows", rt.Exact, rt.Mode, len(rt.Routes))
	}
	out := diag.String()
	for _, want := range []string{"no interpreter found that imports django", "tried " + py, "No module named 'django'"} {
		if !strings.Contains(out, want) {
			t.Errorf("diag lacks %q:\n%s", want, out)
		}
	}
}

func TestExactFailureFallsBackToStatic(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	src := lab.CopyTree(t, "../examples/django_app")
	// The settings need a variable the machine does not set: importing
	// fails until --env gives it.
	settings := filepath.Join(src, "shopsite", "settings.py")
	b, err := os.ReadFile(settings)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(settings, append([]byte("import os\nSECRET_KEY = os.environ['CDNADVISE_TEST_SECRET']\n"), b...), 0o644)
	var diag bytes.Buffer
	rt, _, err := Routes(context.Background(), Source{Src: src, Python: lab.TestPython}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Exact || rt.Mode.Mode != "static" || !strings.Contains(diag.String(), "exact mode failed, the static pass is used instead") ||
		!strings.Contains(diag.String(), "CDNADVISE_TEST_SECRET") {
		t.Errorf("a failing import: exact %v, mode %+v\n%s", rt.Exact, rt.Mode, diag.String())
	}
	rt.Close()
	diag.Reset()
	rt, _, err = Routes(context.Background(), Source{Src: src, Python: lab.TestPython, Env: []string{"CDNADVISE_TEST_SECRET=x"}}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if !rt.Exact || !strings.Contains(diag.String(), "1 variables from --env") {
		t.Errorf("with --env: exact %v\n%s", rt.Exact, diag.String())
	}
	// The project's .env is read the same way.
	os.WriteFile(filepath.Join(src, ".env"), []byte("# local settings\nexport CDNADVISE_TEST_SECRET='from dotenv'\n"), 0o644)
	diag.Reset()
	rt2, _, err := Routes(context.Background(), Source{Src: src, Python: lab.TestPython}, &diag)
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	if !rt2.Exact || !strings.Contains(diag.String(), "1 variables from .env") {
		t.Errorf("with .env: exact %v\n%s", rt2.Exact, diag.String())
	}
}

func TestProjectEnv(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "settings.py"), []byte("import os\nDB = os.environ['DATABASE_URL']\n"), 0o644)
	os.WriteFile(filepath.Join(src, ".env.example"), []byte("SECRET=abc\nCDNADVISE_GIVEN=from-file\nEXPORT_CSV=\n"), 0o644)
	env, notes, cleanup, err := ProjectEnv(src, []string{"CDNADVISE_GIVEN=flag"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env, "\n")
	if !strings.Contains(got, "CDNADVISE_GIVEN=flag") || strings.Contains(got, "from-file") || !strings.Contains(got, "SECRET=abc") || strings.Contains(got, "EXPORT_CSV") {
		t.Errorf("env:\n%s", got)
	}
	var db string
	for _, kv := range env {
		if strings.HasPrefix(kv, "DATABASE_URL=sqlite:///") {
			db = strings.TrimPrefix(kv, "DATABASE_URL=sqlite:///")
		}
	}
	if db == "" || !strings.Contains(strings.Join(notes, "\n"), "temporary SQLite") || !strings.Contains(strings.Join(notes, "\n"), ".env.example (no .env") {
		t.Fatalf("env %q notes %q", env, notes)
	}
	cleanup()
	if _, err := os.Stat(filepath.Dir(db)); !os.IsNotExist(err) {
		t.Errorf("the temporary database folder is left: %v", err)
	}
	if _, _, _, err := ProjectEnv(src, []string{"NOEQUALS"}); err == nil {
		t.Error("--env without = is accepted")
	}
	// A .env's own database and path are never used.
	os.WriteFile(filepath.Join(src, ".env"), []byte("DATABASE_URL=postgresql://prod/db\nREDIS_URL=redis://prod\nPYTHONPATH=/app\nDEBUG=1\nBROKEN LINE\n"), 0o644)
	env, notes, cleanup, err = ProjectEnv(src, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	got = strings.Join(env, "\n")
	if strings.Contains(got, "prod") || strings.Contains(got, "PYTHONPATH") || !strings.Contains(got, "DEBUG=1") || !strings.Contains(got, "DATABASE_URL=sqlite:///") {
		t.Errorf(".env: env\n%s", got)
	}
	if n := strings.Join(notes, "\n"); !strings.Contains(n, "lines [5] unread") || !strings.Contains(n, "REDIS_URL left out") {
		t.Errorf(".env notes: %s", n)
	}
}

func TestParseDotenv(t *testing.T) {
	in := "# comment\n\nA=1\nexport B = two words # trailing\nC='single # kept'\nD=\"line\\nbreak \\\"q\\\"\"\nE=\"multi\nline\"\nURL=postgres://u:p@h/db#frag\nF=\n"
	got, bad := ParseDotenv(in)
	if len(bad) > 0 {
		t.Fatalf("lines %v unread", bad)
	}
	want := [][2]string{{"A", "1"}, {"B", "two words"}, {"C", "single # kept"}, {"D", "line\nbreak \"q\""}, {"E", "multi\nline"}, {"URL", "postgres://u:p@h/db#frag"}, {"F", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %q, want %q", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"NOVALUE\nA=1\n", "X=\"open\nA=1\n", "BAD KEY=1\nA=1\n"} {
		pairs, lines := ParseDotenv(bad)
		if len(lines) != 1 || lines[0] != 1 || len(pairs) != 1 || pairs[0] != [2]string{"A", "1"} {
			t.Errorf("%q: pairs %q, unread lines %v: want line 1 unread and A=1 read", bad, pairs, lines)
		}
	}
}

// TestInterpreterPath: --python is run from the project's folder, so a
// relative path is made absolute and a bare name looked up on PATH.
func TestInterpreterPath(t *testing.T) {
	dir := t.TempDir()
	py := filepath.Join(dir, "venv", "bin", "python")
	os.MkdirAll(filepath.Dir(py), 0o755)
	os.WriteFile(py, []byte("#!/bin/sh\n"), 0o755)
	t.Chdir(dir)
	if got, err := interpreterPath("./venv/bin/python"); err != nil || got != py {
		t.Errorf("relative: %q %v, want %q", got, err, py)
	}
	if got, err := interpreterPath("sh"); err != nil || !filepath.IsAbs(got) {
		t.Errorf("bare name: %q %v", got, err)
	}
	if _, err := interpreterPath("./missing/python"); err == nil {
		t.Error("a missing interpreter is accepted")
	}
}

package pyinterp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakePython writes an executable that stands for an interpreter: it
// imports nothing unless ok, and prints version.
func fakePython(t *testing.T, path string, ok bool) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho 'ModuleNotFoundError: No module named django' >&2\nexit 1\n"
	if ok {
		script = "#!/bin/sh\necho 4.2.1\n"
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func venv(t *testing.T, dir string, ok bool) string {
	t.Helper()
	fakePython(t, filepath.Join(dir, "bin", "python"), ok)
	if err := os.WriteFile(filepath.Join(dir, "pyvenv.cfg"), []byte("home = /usr/bin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "bin", "python")
}

func TestCandidatesOrder(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "repo", "backend")
	os.MkdirAll(src, 0o755)
	active := venv(t, filepath.Join(root, "active"), true)
	under := venv(t, filepath.Join(src, ".venv"), true)
	parent := venv(t, filepath.Join(root, "repo", "venv"), true)
	notVenv := filepath.Join(src, "env", "bin", "python") // no pyvenv.cfg: not a virtualenv
	fakePython(t, notVenv, true)
	poetryHome := filepath.Join(root, "home")
	poetry := venv(t, filepath.Join(poetryHome, ".cache", "pypoetry", "virtualenvs", "my-shop-AbCd1234-py3.12"), true)
	os.WriteFile(filepath.Join(root, "repo", "pyproject.toml"), []byte("[tool.poetry]\nname = \"My Shop\"\nversion = \"1\"\n\n[tool.black]\nname = \"x\"\n"), 0o644)
	pathDir := filepath.Join(root, "bin")
	onPath := filepath.Join(pathDir, "python3")
	fakePython(t, onPath, true)
	vars := map[string]string{"VIRTUAL_ENV": filepath.Join(root, "active"), "PATH": pathDir + string(os.PathListSeparator) + pathDir}
	env := Env{Getenv: func(k string) string { return vars[k] }, Home: poetryHome}
	got := Candidates(context.Background(), src, env)
	var paths []string
	for _, c := range got {
		paths = append(paths, c.Python)
	}
	want := []string{active, under, parent, poetry, onPath}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("candidates:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(got[1].Source, "under --src (.venv)") || !strings.Contains(got[2].Source, "a parent of --src") || !strings.Contains(got[3].Source, "Poetry") {
		t.Errorf("sources: %+v", got)
	}
}

func TestPackageManagerAsked(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "Pipfile"), []byte("[packages]\ndjango = \"*\"\n"), 0o644)
	env := venv(t, filepath.Join(root, "elsewhere", "proj-XyZ"), true)
	var asked []string
	e := Env{Getenv: func(string) string { return "" }, Tool: func(_ context.Context, dir, name string, args ...string) (string, error) {
		asked = append(asked, name+" "+strings.Join(args, " ")+" in "+dir)
		return "Loading .env\n" + filepath.Join(root, "elsewhere", "proj-XyZ") + "\n", nil
	}}
	got := Candidates(context.Background(), root, e)
	if len(got) != 1 || got[0].Python != env || !strings.Contains(got[0].Source, "pipenv --venv") {
		t.Fatalf("candidates = %+v, want the Pipenv environment", got)
	}
	if len(asked) != 1 || asked[0] != "pipenv --venv in "+root {
		t.Errorf("asked %q", asked)
	}
}

func TestChooseFirstThatImports(t *testing.T) {
	root := t.TempDir()
	bad := venv(t, filepath.Join(root, "bad"), false)
	good := venv(t, filepath.Join(root, "good"), true)
	c, version, rejected, err := Choose(context.Background(), root, []Candidate{{bad, "a"}, {good, "b"}}, []string{"django"}, 5*time.Second)
	if err != nil || c.Python != good || version != "4.2.1" {
		t.Fatalf("Choose = %+v %q %v", c, version, err)
	}
	if len(rejected) != 1 || rejected[0].Python != bad || !strings.Contains(rejected[0].Why, "No module named django") {
		t.Errorf("rejected = %+v", rejected)
	}
	if _, _, rejected, err := Choose(context.Background(), root, []Candidate{{bad, "a"}}, []string{"django"}, 5*time.Second); err != ErrNone || len(rejected) != 1 {
		t.Errorf("none imports: err %v, rejected %+v", err, rejected)
	}
}

func TestProbeRealInterpreter(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI has no %s", py)
		}
		t.Skip("no /usr/bin/python3")
	}
	if _, err := Probe(context.Background(), py, t.TempDir(), []string{"json"}, 20*time.Second); err != nil {
		t.Fatalf("json: %v", err)
	}
	_, err := Probe(context.Background(), py, t.TempDir(), []string{"no_such_module_cdnadvise"}, 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "No module named 'no_such_module_cdnadvise'") {
		t.Fatalf("missing module: %v", err)
	}
}

func TestPoetryName(t *testing.T) {
	for _, c := range []struct{ toml, want string }{
		{"[tool.poetry]\nname = \"My.Shop\"\n", "my-shop"},
		{"[project]\nname = 'api_server'\n[tool.poetry]\nversion='1'\n", "api_server"},
		{"[tool.black]\nname = \"x\"\n", ""},
	} {
		if got := poetryName(c.toml); got != c.want {
			t.Errorf("poetryName(%q) = %q, want %q", c.toml, got, c.want)
		}
	}
}

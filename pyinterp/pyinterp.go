// Package pyinterp finds the Python interpreter that runs a project, the
// way its developers run it: an activated virtualenv, one next to the code
// (.venv, venv, env), the environment of its package manager (Poetry,
// Pipenv, uv, Hatch, conda), else a python3 on PATH. Exact mode reads the
// routes the framework builds with the first one that imports the
// framework.
package pyinterp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// Candidate is an interpreter that may run the project.
type Candidate struct {
	// Python is the interpreter's path.
	Python string `json:"python"`
	// Source says how it was found ("$VIRTUAL_ENV", "a virtualenv under
	// --src (.venv)", "python3 on PATH", ...).
	Source string `json:"source"`
}

// Env is what discovery reads of the machine; OS() is the real one, tests
// make their own.
type Env struct {
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Home is the user's home folder ("" when unknown).
	Home string
	// Tool runs a package manager's command (poetry, pipenv, hatch) in dir
	// and returns its standard output; an error when it is not installed
	// or fails. Nil: package managers are not asked.
	Tool func(ctx context.Context, dir, name string, args ...string) (string, error)
}

// OS is the Env of this process.
func OS() Env {
	home, _ := os.UserHomeDir()
	return Env{Getenv: os.Getenv, Home: home, Tool: runTool}
}

// runTool runs name if it is on PATH, bounded to ten seconds.
func runTool(ctx context.Context, dir, name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.WaitDelay = time.Second // a child holding stdout open does not hold us
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// venvNames are the folders a project keeps its virtualenv in, in the
// order tried (uv and most tutorials: .venv; python -m venv venv; env).
var venvNames = []string{".venv", "venv", "env", ".env", "virtualenv", ".virtualenv"}

// maxParents bounds the walk from --src up to the folders that may hold
// the project's virtualenv (a package inside a repository).
const maxParents = 6

// Candidates lists the interpreters that may run the project in src, in
// the order they are tried: $VIRTUAL_ENV; a virtualenv in src or one of
// its parents; the project's Poetry, Pipenv, uv or Hatch environment;
// $CONDA_PREFIX; each python3 (then python) on PATH. Duplicates (the same
// file through links) are listed once.
func Candidates(ctx context.Context, src string, env Env) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	add := func(python, source string) {
		if python == "" || !isExecutable(python) {
			return
		}
		key := python
		if r, err := filepath.EvalSymlinks(python); err == nil {
			// A venv's python links to the base interpreter but runs
			// with the venv's packages: keep both, keyed by the link's
			// folder.
			key = filepath.Dir(python) + "|" + r
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, Candidate{Python: python, Source: source})
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	if v := getenv("VIRTUAL_ENV"); v != "" {
		add(venvPython(v), "$VIRTUAL_ENV ("+v+")")
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		abs = src
	}
	dir := abs
	for i := 0; i <= maxParents; i++ {
		for _, name := range venvNames {
			d := filepath.Join(dir, name)
			if isVenv(d) {
				where := "under --src"
				if dir != abs {
					where = "in " + dir + ", a parent of --src"
				}
				add(venvPython(d), fmt.Sprintf("a virtualenv %s (%s)", where, name))
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, c := range managed(ctx, abs, env, getenv) {
		add(c.Python, c.Source)
	}
	if v := getenv("CONDA_PREFIX"); v != "" {
		add(venvPython(v), "$CONDA_PREFIX ("+v+")")
	}
	for _, name := range []string{"python3", "python"} {
		for _, d := range filepath.SplitList(getenv("PATH")) {
			if d == "" {
				continue
			}
			add(filepath.Join(d, exeName(name)), name+" on PATH ("+d+")")
		}
	}
	return out
}

// managed finds the environments package managers keep outside the
// project: asked of the tool when it is installed, else looked up where
// the tool keeps them by default.
func managed(ctx context.Context, src string, env Env, getenv func(string) string) []Candidate {
	var out []Candidate
	tool := func(dir, name string, args ...string) string {
		if env.Tool == nil {
			return ""
		}
		s, err := env.Tool(ctx, dir, name, args...)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(lastLine(s))
	}
	pyproject, pdir := findUp(src, "pyproject.toml")
	toml := ""
	if pyproject != "" {
		if b, err := os.ReadFile(pyproject); err == nil {
			toml = string(b)
		}
	}
	// uv: UV_PROJECT_ENVIRONMENT names the project's environment (default
	// .venv, found above).
	if v := getenv("UV_PROJECT_ENVIRONMENT"); v != "" && pdir != "" {
		if !filepath.IsAbs(v) {
			v = filepath.Join(pdir, v)
		}
		out = append(out, Candidate{venvPython(v), "uv's $UV_PROJECT_ENVIRONMENT (" + v + ")"})
	}
	if strings.Contains(toml, "[tool.poetry]") {
		if p := tool(pdir, "poetry", "env", "info", "--path"); p != "" {
			out = append(out, Candidate{venvPython(p), "the project's Poetry environment (poetry env info)"})
		} else {
			base := getenv("POETRY_VIRTUALENVS_PATH")
			if base == "" && env.Home != "" {
				base = filepath.Join(env.Home, ".cache", "pypoetry", "virtualenvs")
				if runtime.GOOS == "darwin" {
					base = filepath.Join(env.Home, "Library", "Caches", "pypoetry", "virtualenvs")
				}
			}
			if name := poetryName(toml); name != "" && base != "" {
				matches, _ := filepath.Glob(filepath.Join(base, name+"-*-py*"))
				for _, m := range matches {
					out = append(out, Candidate{venvPython(m), "a Poetry environment named after the project (" + m + ")"})
				}
			}
		}
	}
	if pipfile, pd := findUp(src, "Pipfile"); pipfile != "" {
		if p := tool(pd, "pipenv", "--venv"); p != "" {
			out = append(out, Candidate{venvPython(p), "the project's Pipenv environment (pipenv --venv)"})
		} else {
			base := getenv("WORKON_HOME")
			if base == "" && env.Home != "" {
				base = filepath.Join(env.Home, ".local", "share", "virtualenvs")
			}
			if base != "" {
				matches, _ := filepath.Glob(filepath.Join(base, sanitizePipenv(filepath.Base(pd))+"-*"))
				for _, m := range matches {
					out = append(out, Candidate{venvPython(m), "a Pipenv environment named after the project (" + m + ")"})
				}
			}
		}
	}
	if strings.Contains(toml, "[tool.hatch") {
		if p := tool(pdir, "hatch", "env", "find", "default"); p != "" {
			out = append(out, Candidate{venvPython(p), "the project's Hatch environment (hatch env find)"})
		}
	}
	return out
}

var poetryNameRe = regexp.MustCompile(`(?m)^\s*name\s*=\s*["']([^"']+)["']`)

// poetryName is the project name Poetry names its environments after
// (lower case, runs of characters other than letters, digits, - and _
// as -), read from [tool.poetry] or [project].
func poetryName(toml string) string {
	for _, section := range []string{"[tool.poetry]", "[project]"} {
		i := strings.Index(toml, section)
		if i < 0 {
			continue
		}
		rest := toml[i+len(section):]
		if j := strings.Index(rest, "\n["); j >= 0 {
			rest = rest[:j]
		}
		if m := poetryNameRe.FindStringSubmatch(rest); m != nil {
			return regexp.MustCompile(`[^a-z0-9_-]+`).ReplaceAllString(strings.ToLower(m[1]), "-")
		}
	}
	return ""
}

// sanitizePipenv is the folder-name part of Pipenv's environment names.
func sanitizePipenv(name string) string {
	return regexp.MustCompile(`[ &$`+"`"+`!*@"()\[\]\\\r\n\t]`).ReplaceAllString(name, "_")
}

// findUp returns the file named name in dir or its nearest parent, and
// that folder.
func findUp(dir, name string) (string, string) {
	for i := 0; i <= maxParents; i++ {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// isVenv says whether d is a virtualenv (PEP 405: pyvenv.cfg at its root).
func isVenv(d string) bool {
	st, err := os.Stat(filepath.Join(d, "pyvenv.cfg"))
	return err == nil && !st.IsDir()
}

// venvPython is the interpreter of the environment at d.
func venvPython(d string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(d, "Scripts", "python.exe")
	}
	for _, n := range []string{"python", "python3"} {
		if p := filepath.Join(d, "bin", n); isExecutable(p) {
			return p
		}
	}
	return filepath.Join(d, "bin", "python")
}

func exeName(n string) string {
	if runtime.GOOS == "windows" {
		return n + ".exe"
	}
	return n
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return false
	}
	return runtime.GOOS == "windows" || st.Mode()&0o111 != 0
}

// Rejected is a candidate that could not run the project, and why.
type Rejected struct {
	Candidate
	Why string `json:"why"`
}

// DefaultProbeTimeout bounds one candidate's probe.
const DefaultProbeTimeout = 20 * time.Second

// ErrNone is returned by Choose when no candidate imports the modules.
var ErrNone = errors.New("no interpreter found that imports the framework")

// Choose returns the first of cands that imports every module of modules
// with src on its path (python -c "import django"), with the version of
// the first module, and the candidates passed over with the reason.
func Choose(ctx context.Context, src string, cands []Candidate, modules []string, timeout time.Duration) (Candidate, string, []Rejected, error) {
	if timeout <= 0 {
		timeout = DefaultProbeTimeout
	}
	var rejected []Rejected
	for _, c := range cands {
		version, err := Probe(ctx, c.Python, src, modules, timeout)
		if err == nil {
			return c, version, rejected, nil
		}
		if ctx.Err() != nil {
			return Candidate{}, "", rejected, ctx.Err()
		}
		rejected = append(rejected, Rejected{c, err.Error()})
	}
	return Candidate{}, "", rejected, ErrNone
}

// probeScript imports each module named on its command line and prints
// the first one's version.
const probeScript = `import importlib, sys
sys.path.insert(0, sys.argv[1])
v = ""
for i, name in enumerate(sys.argv[2:]):
    m = importlib.import_module(name)
    if i == 0:
        v = getattr(m, "__version__", "") or ""
        if not v and hasattr(m, "get_version"):
            v = m.get_version()
print(v)
`

// Probe runs python to import modules with src first on its path; it
// returns the first module's version, or why the import failed (the
// interpreter's last line of error).
func Probe(ctx context.Context, python, src string, modules []string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{"-B", "-c", probeScript, src}, modules...)...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "", fmt.Errorf("did not answer within %s", timeout)
	}
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", err
		}
		why := ""
		sc := bufio.NewScanner(&stderr)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); l != "" {
				why = l
			}
		}
		if why == "" {
			why = err.Error()
		}
		return "", errors.New(why)
	}
	return strings.TrimSpace(stdout.String()), nil
}

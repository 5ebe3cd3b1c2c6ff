package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pyinterp"
	"github.com/cdnadvise/cdnadvise/routes"
)

// PythonNone is the --python value that forces the static pass.
const PythonNone = "none"

// Source says where a project's routes come from: Src, parsed, and the
// routes the framework itself builds, read with the project's own
// interpreter (exact mode). Python "" finds the interpreter (see
// pyinterp.Candidates); PythonNone keeps to the static pass.
type Source struct {
	Src           string
	Python        string
	App           string
	Settings      string
	PythonTimeout time.Duration
	// Env are KEY=VALUE variables for the interpreter (--env); they win
	// over the project's .env.
	Env []string
	// Machine is what interpreter discovery reads (zero: this process's
	// environment).
	Machine *pyinterp.Env
}

// frameworkModules are the Python modules exact mode needs per framework.
var frameworkModules = map[string]string{"django": "django", "fastapi": "fastapi", "flask": "flask"}

// frameworkNames are the frameworks as their projects write them.
var frameworkNames = map[string]string{"django": "Django", "fastapi": "FastAPI", "flask": "Flask"}

// Routes reads the routes of Src (nil without it). Exact mode runs when
// an interpreter that imports the framework is given or found; otherwise,
// or when it fails, the static pass's table is used. Which mode ran and
// why is the table's Mode, and is written to diag (when not nil) with,
// in exact mode, where the framework's table differs from the static
// pass's (also returned). The caller closes the routes.
func Routes(ctx context.Context, s Source, diag io.Writer) (*framework.Routes, *framework.ExactDiff, error) {
	if s.Src == "" {
		if s.Python != "" && s.Python != PythonNone {
			return nil, nil, fmt.Errorf("--python needs --src (the project whose routes it reads)")
		}
		return nil, nil, nil
	}
	static, err := routes.ExtractRoutes(s.Src)
	if err != nil {
		return nil, nil, err
	}
	say := func(m *framework.RouteMode) {
		static.Mode = m
		if diag != nil {
			fmt.Fprintln(diag, m.Line())
		}
	}
	o := framework.ExactOptions{Src: s.Src, Static: static, Timeout: s.PythonTimeout, App: s.App, Settings: s.Settings}
	run, err := routes.ExactFrameworks(static, o)
	var modules, names []string
	for f, on := range run {
		if on {
			modules = append(modules, frameworkModules[f])
			names = append(names, frameworkNames[f])
		}
	}
	sort.Strings(modules)
	sort.Strings(names)
	fw := strings.Join(names, " and ")
	if s.Python == PythonNone {
		say(&framework.RouteMode{Mode: "static", Why: "--python none", Framework: fw})
		return static, nil, nil
	}
	if err != nil {
		if s.Python != "" {
			static.Close()
			return nil, nil, fmt.Errorf("--python %s: %w", s.Python, err)
		}
		say(&framework.RouteMode{Mode: "static", Why: "no Django, FastAPI or Flask project found to import"})
		return static, nil, nil
	}
	env, notes, cleanup, err := ProjectEnv(s.Src, s.Env)
	if err != nil {
		static.Close()
		return nil, nil, err
	}
	defer cleanup()
	o.Env = env
	// The interpreters to try: --python, else those found, in order; an
	// interpreter that imports the framework but not the project (an
	// unrelated activated virtualenv) gives way to the next one, up to
	// maxExactTries.
	var cands []pyinterp.Candidate
	if s.Python != "" {
		py, err := interpreterPath(s.Python)
		if err != nil {
			static.Close()
			return nil, nil, fmt.Errorf("--python %s: %w", s.Python, err)
		}
		cands = []pyinterp.Candidate{{Python: py, Source: "--python"}}
	} else {
		machine := pyinterp.OS()
		if s.Machine != nil {
			machine = *s.Machine
		}
		cands = pyinterp.Candidates(ctx, s.Src, machine)
	}
	var tried []string
	exactTries := 0
	for len(cands) > 0 && exactTries < maxExactTries {
		chosen := cands[0]
		if s.Python == "" {
			c, _, rejected, err := pyinterp.Choose(ctx, s.Src, cands, modules, 0)
			for _, r := range rejected {
				tried = append(tried, fmt.Sprintf("%s, %s: %s", r.Python, r.Source, r.Why))
			}
			if err != nil {
				if ctx.Err() != nil {
					static.Close()
					return nil, nil, ctx.Err()
				}
				break
			}
			chosen = c
			for i := range cands {
				if cands[i] == c {
					cands = cands[i+1:]
					break
				}
			}
		} else {
			cands = nil
		}
		exactTries++
		o.Python = chosen.Python
		rt, d, err := routes.ExactRoutesWith(ctx, o)
		if err == nil {
			static.Close()
			rt.Mode = &framework.RouteMode{Mode: "exact", Python: chosen.Python, Source: chosen.Source, Version: d.Version, Env: notes, Framework: fw, Tried: tried}
			if diag != nil {
				fmt.Fprintln(diag, rt.Mode.Line())
				d.Write(diag)
			}
			return rt, d, nil
		}
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			static.Close()
			return nil, nil, ctx.Err()
		}
		tried = append(tried, fmt.Sprintf("%s, %s: %s", chosen.Python, chosen.Source, err.Error()))
	}
	why := "no interpreter found that imports " + strings.Join(modules, " and ")
	switch {
	case exactTries > 0:
		why = "exact mode failed, the static pass is used instead"
	case len(tried) == 0:
		why += " (no virtualenv under --src or its parents, no python3 on PATH)"
	}
	say(&framework.RouteMode{Mode: "static", Why: why, Tried: tried, Env: notes, Framework: fw})
	return static, nil, nil
}

// maxExactTries bounds the interpreters exact mode is run with before the
// static pass is used.
const maxExactTries = 3

// interpreterPath makes --python runnable from the project's folder: a
// bare name is looked up on PATH, a relative path made absolute.
func interpreterPath(py string) (string, error) {
	if !strings.ContainsRune(py, filepath.Separator) && !strings.ContainsRune(py, '/') {
		return exec.LookPath(py)
	}
	abs, err := filepath.Abs(py)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// envFiles are the files a project keeps its environment in, the first
// found is read: .env as the project reads it (python-dotenv, django-
// environ, pydantic's env_file and docker compose all read KEY=VALUE
// lines), else an example file's values as stand-ins.
var envFiles = []string{".env", ".env.example", ".env.sample", ".env.template", ".env.dist", "example.env", "env.example"}

// databaseVars are the variables projects read their database from; one
// the source names and nothing sets is pointed at a temporary SQLite file,
// so that an app factory that opens its database can run.
var databaseVars = []string{"DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "DB_URL"}

// ProjectEnv is the environment exact mode adds for the project in src:
// --env values, then the project's .env (or its example file) for
// variables neither they nor this process set (but not PYTHONPATH, and
// never a database: a database variable of the file points at a
// temporary SQLite file instead, as does one the source reads and nothing
// sets).
// Notes say what was added; cleanup removes the temporary database.
func ProjectEnv(src string, flags []string) (env, notes []string, cleanup func(), err error) {
	cleanup = func() {}
	set := map[string]bool{}
	for _, kv := range flags {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, nil, cleanup, fmt.Errorf("--env %q: want KEY=VALUE", kv)
		}
		set[k] = true
		env = append(env, kv)
	}
	if len(flags) > 0 {
		notes = append(notes, fmt.Sprintf("%d variables from --env", len(flags)))
	}
	isSet := func(k string) bool {
		_, inProcess := os.LookupEnv(k)
		return set[k] || inProcess
	}
	var fromFile []string // SQL databases a file names: replaced below
	var left []string     // other stores a file names: left out
	for _, name := range envFiles {
		file := filepath.Join(src, name)
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		vars, bad := ParseDotenv(string(b))
		n := 0
		for _, kv := range vars {
			switch {
			case name != ".env" && kv[1] == "":
				continue // an example's blank is a placeholder: the project's default stands
			case kv[0] == "PYTHONPATH" || kv[0] == "PYTHONHOME":
				continue // the path exact mode sets up stands
			case isSet(kv[0]):
				continue
			case isDatabaseVar(kv[0]):
				// Never the project's real database: importing the
				// project may write to it (create_all, migrations).
				set[kv[0]] = true
				if isSQLVar(kv[0]) {
					fromFile = append(fromFile, kv[0])
				} else {
					left = append(left, kv[0])
				}
				continue
			}
			set[kv[0]] = true
			env = append(env, kv[0]+"="+kv[1])
			n++
		}
		what := fmt.Sprintf("%d variables from %s", n, name)
		if name != ".env" {
			what = fmt.Sprintf("%d variables from %s (no .env; its example values stand in)", n, name)
		}
		if len(bad) > 0 {
			what += fmt.Sprintf(", lines %v unread", bad)
		}
		if len(left) > 0 {
			what += fmt.Sprintf(" (%s left out: never the project's own stores)", strings.Join(left, ", "))
		}
		notes = append(notes, what)
		break
	}
	wanted := fromFile
	for _, v := range databaseVars {
		if !isSet(v) && !slices.Contains(wanted, v) && sourceMentions(src, v) {
			wanted = append(wanted, v)
		}
	}
	if len(wanted) > 0 {
		dir, err := os.MkdirTemp("", "cdnadvise-exact-")
		if err != nil {
			return nil, nil, cleanup, err
		}
		cleanup = func() { os.RemoveAll(dir) }
		url := "sqlite:///" + filepath.ToSlash(filepath.Join(dir, "db.sqlite3"))
		for _, v := range wanted {
			env = append(env, v+"="+url)
		}
		notes = append(notes, fmt.Sprintf("%s = a temporary SQLite database (the source reads it and --env does not set it; a .env's database is never used)", strings.Join(wanted, ", ")))
	}
	return env, notes, cleanup, nil
}

// isDatabaseVar says whether a variable names a database to connect to
// (DATABASE_URL, SQLALCHEMY_DATABASE_URI, POSTGRES_URL, ...).
func isDatabaseVar(k string) bool {
	if slices.Contains(databaseVars, k) {
		return true
	}
	for _, suffix := range []string{"DATABASE_URL", "DATABASE_URI", "_DB_URL", "_DSN", "POSTGRES_URL", "MYSQL_URL", "MONGODB_URI", "MONGO_URL", "REDIS_URL"} {
		if strings.HasSuffix(k, suffix) {
			return true
		}
	}
	return false
}

// isSQLVar says whether a database variable names an SQL database (which
// a temporary SQLite URL can stand for).
func isSQLVar(k string) bool {
	for _, s := range []string{"MONGO", "REDIS"} {
		if strings.Contains(k, s) {
			return false
		}
	}
	return true
}

// sourceMentions says whether a .py file of src (not its virtualenvs)
// names the variable.
func sourceMentions(src, name string) bool {
	found := false
	needle := []byte(name)
	filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if found {
			return filepath.SkipAll
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", ".venv", "venv", "env", "site-packages", "__pycache__":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".py") {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, needle) {
			found = true
		}
		return nil
	})
	return found
}

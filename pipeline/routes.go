package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	if s.Python == PythonNone {
		say(&framework.RouteMode{Mode: "static", Why: "--python none", Framework: frameworkNames[static.Framework]})
		return static, nil, nil
	}
	o := framework.ExactOptions{Src: s.Src, Static: static, Timeout: s.PythonTimeout, App: s.App, Settings: s.Settings}
	run, err := routes.ExactFrameworks(static, o)
	if err != nil {
		if s.Python != "" {
			static.Close()
			return nil, nil, fmt.Errorf("--python %s: %w", s.Python, err)
		}
		say(&framework.RouteMode{Mode: "static", Why: "no Django, FastAPI or Flask project found to import"})
		return static, nil, nil
	}
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
	chosen := pyinterp.Candidate{Python: s.Python, Source: "--python"}
	if s.Python == "" {
		machine := pyinterp.OS()
		if s.Machine != nil {
			machine = *s.Machine
		}
		cands := pyinterp.Candidates(ctx, s.Src, machine)
		c, _, rejected, err := pyinterp.Choose(ctx, s.Src, cands, modules, 0)
		if err != nil {
			if ctx.Err() != nil {
				static.Close()
				return nil, nil, ctx.Err()
			}
			var tried []string
			for _, r := range rejected {
				tried = append(tried, fmt.Sprintf("%s, %s: %s", r.Python, r.Source, r.Why))
			}
			why := "no interpreter found that imports " + strings.Join(modules, " and ")
			if len(tried) == 0 {
				why += " (no virtualenv under --src or its parents, no python3 on PATH)"
			}
			say(&framework.RouteMode{Mode: "static", Why: why, Tried: tried, Framework: fw})
			return static, nil, nil
		}
		chosen = c
	} else if _, err := os.Stat(s.Python); err != nil {
		static.Close()
		return nil, nil, fmt.Errorf("--python %s: %w", s.Python, err)
	}
	o.Python = chosen.Python
	env, notes, cleanup, err := ProjectEnv(s.Src, s.Env)
	if err != nil {
		static.Close()
		return nil, nil, err
	}
	defer cleanup()
	o.Env = env
	rt, d, err := routes.ExactRoutesWith(ctx, o)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			static.Close()
			return nil, nil, ctx.Err()
		}
		say(&framework.RouteMode{Mode: "static", Python: chosen.Python, Source: chosen.Source, Env: notes, Framework: fw,
			Why: "exact mode failed, the static pass is used instead: " + err.Error()})
		return static, nil, nil
	}
	static.Close()
	rt.Mode = &framework.RouteMode{Mode: "exact", Python: chosen.Python, Source: chosen.Source, Version: d.Version, Env: notes, Framework: fw}
	if diag != nil {
		fmt.Fprintln(diag, rt.Mode.Line())
		d.Write(diag)
	}
	return rt, d, nil
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
// variables neither they nor this process set, then a temporary SQLite
// database for a database variable the source reads and nothing sets.
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
	for _, name := range envFiles {
		file := filepath.Join(src, name)
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		vars, err := ParseDotenv(string(b))
		if err != nil {
			return nil, nil, cleanup, fmt.Errorf("%s: %w", file, err)
		}
		n := 0
		for _, kv := range vars {
			if name != ".env" && kv[1] == "" {
				continue // an example's blank is a placeholder: the project's default stands
			}
			if !isSet(kv[0]) {
				set[kv[0]] = true
				env = append(env, kv[0]+"="+kv[1])
				n++
			}
		}
		if name == ".env" {
			notes = append(notes, fmt.Sprintf("%d variables from .env", n))
		} else {
			notes = append(notes, fmt.Sprintf("%d variables from %s (no .env; its example values stand in)", n, name))
		}
		break
	}
	var wanted []string
	for _, v := range databaseVars {
		if !isSet(v) && sourceMentions(src, v) {
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
		notes = append(notes, fmt.Sprintf("%s = a temporary SQLite database (the source reads it and nothing sets it)", strings.Join(wanted, ", ")))
	}
	return env, notes, cleanup, nil
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

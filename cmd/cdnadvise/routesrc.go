package main

import (
	"context"
	"io"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pipeline"
	"github.com/spf13/pflag"
)

// sourceFlags say where a project's routes come from: --src (parsed, never
// run) and, with --python, the routes the framework itself builds, read
// with the project's own interpreter.
type sourceFlags struct {
	Src           string
	Python        string
	App           string
	Settings      string
	PythonTimeout time.Duration
	Env           []string
}

// addExact registers --python and its companions (--src is registered by
// each command, with its own help).
func (s *sourceFlags) addExact(f *pflag.FlagSet) {
	f.StringVar(&s.Python, "python", "", "the project's interpreter for exact mode (the routes the framework itself builds); default: found ($VIRTUAL_ENV, .venv/venv/env under --src or its parents, Poetry/Pipenv/uv/Hatch/conda, python3 on PATH), the first that imports the framework; \"none\": the static pass only")
	f.StringVar(&s.App, "app", "", `exact mode: the FastAPI or Flask app as "module:variable" or a factory call "module:create_app('prod')" (default: found in the source)`)
	f.StringVar(&s.Settings, "settings", "", "exact mode: the Django settings module (default: DJANGO_SETTINGS_MODULE, else manage.py's)")
	f.DurationVar(&s.PythonTimeout, "python-timeout", framework.DefaultExactTimeout, "exact mode: how long the interpreter may take (then the static pass is used)")
	f.StringArrayVar(&s.Env, "env", nil, "exact mode: KEY=VALUE for the project's settings (repeatable; wins over the project's .env, which is read too)")
}

// routes reads the routes of --src (nil without it) through the pipeline:
// the framework's own table when an interpreter imports the project (and
// where it differs from the static pass is written to diag, and returned
// for --json), else the static pass's. Which mode ran, and why, is
// written to diag and is the table's Mode.
func (s *sourceFlags) routes(ctx context.Context, diag io.Writer) (*framework.Routes, *framework.ExactDiff, error) {
	return pipeline.Routes(ctx, pipeline.Source{Src: s.Src, Python: s.Python, App: s.App, Settings: s.Settings, PythonTimeout: s.PythonTimeout, Env: s.Env}, diag)
}

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
}

// addExact registers --python and its companions (--src is registered by
// each command, with its own help).
func (s *sourceFlags) addExact(f *pflag.FlagSet) {
	f.StringVar(&s.Python, "python", "", "exact mode: read the routes the framework builds with this interpreter (the project's virtualenv python); needs --src")
	f.StringVar(&s.App, "app", "", `with --python, the FastAPI app as "module:variable" (default: found in the source)`)
	f.StringVar(&s.Settings, "settings", "", "with --python, the Django settings module (default: DJANGO_SETTINGS_MODULE, else manage.py's)")
	f.DurationVar(&s.PythonTimeout, "python-timeout", framework.DefaultExactTimeout, "with --python, how long the interpreter may take")
}

// routes reads the routes of --src (nil without it) through the pipeline.
// With --python the table is the framework's own, and where it differs
// from the static pass is written to diag; the diff is returned for --json.
func (s *sourceFlags) routes(ctx context.Context, diag io.Writer) (*framework.Routes, *framework.ExactDiff, error) {
	return pipeline.Routes(ctx, pipeline.Source{Src: s.Src, Python: s.Python, App: s.App, Settings: s.Settings, PythonTimeout: s.PythonTimeout}, diag)
}

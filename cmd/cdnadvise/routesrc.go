package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
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

// routes extracts the routes of --src (nil without it). With --python the
// table is the framework's own, and where it differs from the static pass
// is written to diag; the diff is returned for --json.
func (s *sourceFlags) routes(ctx context.Context, diag io.Writer) (*framework.Routes, *framework.ExactDiff, error) {
	if s.Src == "" {
		if s.Python != "" {
			return nil, nil, fmt.Errorf("--python needs --src (the project whose routes it reads)")
		}
		return nil, nil, nil
	}
	static, err := routes.ExtractRoutes(s.Src)
	if err != nil {
		return nil, nil, err
	}
	if s.Python == "" {
		return static, nil, nil
	}
	defer static.Close()
	rt, d, err := routes.ExactRoutesWith(ctx, framework.ExactOptions{Python: s.Python, Src: s.Src, Static: static,
		Timeout: s.PythonTimeout, App: s.App, Settings: s.Settings})
	if err != nil {
		return nil, nil, fmt.Errorf("--python %s: %w", s.Python, err)
	}
	if diag != nil {
		d.Write(diag)
	}
	return rt, d, nil
}

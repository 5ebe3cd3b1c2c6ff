package pipeline

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
)

// Source says where a project's routes come from: Src (parsed, never
// run) and, with Python, the routes the framework itself builds, read with
// the project's own interpreter.
type Source struct {
	Src           string
	Python        string
	App           string
	Settings      string
	PythonTimeout time.Duration
}

// Routes reads the routes of Src (nil without it). With Python the table
// is the framework's own, and where it differs from the static pass is
// written to diag (when not nil); the diff is returned too. The caller
// closes the routes.
func Routes(ctx context.Context, s Source, diag io.Writer) (*framework.Routes, *framework.ExactDiff, error) {
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

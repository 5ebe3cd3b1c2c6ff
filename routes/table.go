package routes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/framework/django"
	"github.com/cdnadvise/cdnadvise/framework/fastapi"
	"github.com/cdnadvise/cdnadvise/framework/flask"
)

// Frameworks is the table of framework homes, in the order their routes
// are read.
func Frameworks() []framework.Framework {
	return []framework.Framework{django.Home{}, fastapi.Home{}, flask.Home{}}
}

// ExtractRoutes lists every route of the Django, FastAPI or Flask project
// under src. Nothing is run: the source is parsed with tree-sitter.
func ExtractRoutes(src string) (*framework.Routes, error) {
	return framework.Extract(src, Frameworks())
}

// ExactRoutes reads the routes the framework builds with the project's
// interpreter python (its virtualenv's python), in a subprocess with cwd
// src that is killed after timeout (0: DefaultExactTimeout) or when ctx
// ends: Django through get_resolver() with the settings of manage.py (or
// DJANGO_SETTINGS_MODULE), FastAPI through app.routes of the app the
// static pass finds. No server is started.
//
// The table has the static pass's row form (patterns displayed as the
// static pass displays them, one row per method, sorted) and its rows stay
// patchable: a row the static pass also has takes that row's pattern,
// declaration site, view definition and flags; another one's view is
// looked up in the source by the file and line the interpreter reports.
// The table owns its own parsed source: Close it, and static, separately.
// static may be nil (it is then extracted and closed here). The diff says
// where the two passes differ.
func ExactRoutes(ctx context.Context, python, src string, static *framework.Routes, timeout time.Duration) (*framework.Routes, *framework.ExactDiff, error) {
	return ExactRoutesWith(ctx, framework.ExactOptions{Python: python, Src: src, Static: static, Timeout: timeout})
}

// ExactRoutesWith is ExactRoutes with the FastAPI app or Django settings
// module given explicitly when needed.
func ExactRoutesWith(ctx context.Context, o framework.ExactOptions) (*framework.Routes, *framework.ExactDiff, error) {
	if o.Python == "" {
		return nil, nil, errors.New("exact routes: no Python interpreter given")
	}
	if o.Timeout <= 0 {
		o.Timeout = framework.DefaultExactTimeout
	}
	static := o.Static
	if static == nil {
		var err error
		if static, err = ExtractRoutes(o.Src); err != nil {
			return nil, nil, err
		}
		defer static.Close()
	}
	run, err := ExactFrameworks(static, o)
	if err != nil {
		return nil, nil, err
	}
	return framework.ExactWith(ctx, o, static, run)
}

// ExactFrameworks says which frameworks exact mode reads for the static
// table: those the static pass found; FastAPI also when its app is named;
// Django when nothing was found but manage.py or settings are there.
func ExactFrameworks(static *framework.Routes, o framework.ExactOptions) (map[string]bool, error) {
	run := map[string]bool{
		"django":  static.Framework == "django",
		"fastapi": static.Framework == "fastapi" || (o.App != "" && static.Framework != "flask" && static.Framework != "both"),
		"flask":   static.Framework == "flask",
	}
	if static.Framework == "both" {
		// Several frameworks: those the static pass found routes of.
		for _, r := range static.Routes {
			if _, ok := run[r.Framework]; ok {
				run[r.Framework] = true
			}
		}
	}
	if !run["django"] && !run["fastapi"] && !run["flask"] {
		if django.FindManagePy(static.Proj) != nil || o.Settings != "" {
			run["django"] = true
		} else {
			return nil, fmt.Errorf("exact routes: no Django project (manage.py, urlpatterns), FastAPI app or Flask app found under %s", o.Src)
		}
	}
	return run, nil
}

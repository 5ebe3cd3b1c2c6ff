package django

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// djangoRoutesScript reads the routes django builds (common.py goes before it).
//
//go:embed routes.py
var djangoRoutesScript string

var settingsRe = regexp.MustCompile(`os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']`)

// FindManagePy returns the shallowest manage.py of the project.
func FindManagePy(p *pysrc.Project) *pysrc.Module {
	var best *pysrc.Module
	for _, m := range p.Files {
		if filepath.Base(m.File) == "manage.py" && (best == nil || strings.Count(m.File, "/") < strings.Count(best.File, "/")) {
			best = m
		}
	}
	return best
}

// djangoSettings finds the settings module manage.py, wsgi.py or asgi.py
// sets by default.
func djangoSettings(p *pysrc.Project) string {
	if m := FindManagePy(p); m != nil {
		if s := settingsRe.FindSubmatch(m.Src); s != nil {
			return string(s[1])
		}
	}
	for _, base := range []string{"wsgi.py", "asgi.py"} {
		for _, m := range p.Files {
			if filepath.Base(m.File) == base {
				if s := settingsRe.FindSubmatch(m.Src); s != nil {
					return string(s[1])
				}
			}
		}
	}
	return ""
}

func runDjangoScript(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	var paths []string
	if m := FindManagePy(p); m != nil {
		paths = append(paths, filepath.Join(o.Src, filepath.FromSlash(filepath.Dir(m.File))))
	}
	paths = append(paths, o.Src)
	var env []string
	settings := o.Settings
	if settings == "" && os.Getenv("DJANGO_SETTINGS_MODULE") == "" {
		if settings = djangoSettings(p); settings == "" {
			return nil, errors.New("exact routes: DJANGO_SETTINGS_MODULE is not set and no os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", ...) was found in manage.py, wsgi.py or asgi.py")
		}
	}
	if settings != "" {
		env = append(env, "DJANGO_SETTINGS_MODULE="+settings)
	}
	res, err := framework.RunScript(ctx, o, "Django", framework.CommonScript+"\n\n"+djangoRoutesScript, paths, env)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Routes {
		r.Framework = "django"
	}
	return res, nil
}

package advisor

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// djangoRoutesScript reads the routes django builds (common.py goes before it).
//
//go:embed exact/django_routes.py
var djangoRoutesScript string

var settingsRe = regexp.MustCompile(`os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']`)

// findManagePy returns the shallowest manage.py of the project.
func findManagePy(p *project) *module {
	var best *module
	for _, m := range p.files {
		if filepath.Base(m.file) == "manage.py" && (best == nil || strings.Count(m.file, "/") < strings.Count(best.file, "/")) {
			best = m
		}
	}
	return best
}

// djangoSettings finds the settings module manage.py, wsgi.py or asgi.py
// sets by default.
func djangoSettings(p *project) string {
	if m := findManagePy(p); m != nil {
		if s := settingsRe.FindSubmatch(m.src); s != nil {
			return string(s[1])
		}
	}
	for _, base := range []string{"wsgi.py", "asgi.py"} {
		for _, m := range p.files {
			if filepath.Base(m.file) == base {
				if s := settingsRe.FindSubmatch(m.src); s != nil {
					return string(s[1])
				}
			}
		}
	}
	return ""
}

func runDjangoScript(ctx context.Context, o ExactOptions, p *project) (*exactResult, error) {
	var paths []string
	if m := findManagePy(p); m != nil {
		paths = append(paths, filepath.Join(o.Src, filepath.FromSlash(filepath.Dir(m.file))))
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
	res, err := runScript(ctx, o, "Django", commonScript+"\n\n"+djangoRoutesScript, paths, env)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Routes {
		r.framework = "django"
	}
	return res, nil
}

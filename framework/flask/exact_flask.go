package flask

import (
	"context"
	_ "embed"
	"errors"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// flaskRoutesScript reads the routes flask builds (common.py goes before it).
//
//go:embed routes.py
var flaskRoutesScript string

// runFlaskScript reads app.url_map of the Flask app the static pass finds
// (X = Flask(...), or X = create_app() with a factory of the project), or
// of the module:variable given.
func runFlaskScript(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	target, root := o.App, o.Src
	if target == "" {
		m, v := framework.FindApp(p, "Flask")
		if m == nil {
			return nil, errors.New("exact routes: no Flask app found in the source (X = Flask(...) or X = create_app() at module level); name it as module:variable")
		}
		root, target = framework.ImportRoot(o.Src, m)
		target += ":" + v
	}
	paths := []string{root}
	if root != o.Src {
		paths = append(paths, o.Src)
	}
	res, err := framework.RunScript(ctx, o, "Flask", framework.CommonScript+"\n\n"+flaskRoutesScript, paths, nil, target)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Routes {
		r.Framework = "flask"
	}
	return res, nil
}

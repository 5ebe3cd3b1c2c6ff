package fastapi

import (
	"context"
	_ "embed"
	"errors"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// fastapiRoutesScript reads the routes fastapi builds (common.py goes before it).
//
//go:embed routes.py
var fastapiRoutesScript string

func runFastAPIScript(ctx context.Context, o framework.ExactOptions, p *pysrc.Project) (*framework.ExactResult, error) {
	target, root := o.App, o.Src
	if target == "" {
		m, v := framework.FindApp(p, "FastAPI")
		if m == nil {
			return nil, errors.New("exact routes: no FastAPI app found in the source (X = FastAPI(...) or X = create_app() at module level); name it as module:variable")
		}
		root, target = framework.ImportRoot(o.Src, m)
		target += ":" + v
	}
	paths := []string{root}
	if root != o.Src {
		paths = append(paths, o.Src)
	}
	res, err := framework.RunScript(ctx, o, "FastAPI", framework.CommonScript+"\n\n"+fastapiRoutesScript, paths, nil, target)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Routes {
		r.Framework = "fastapi"
	}
	return res, nil
}

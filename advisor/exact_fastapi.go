package advisor

import (
	"context"
	_ "embed"
	"errors"
)

// fastapiRoutesScript reads the routes fastapi builds (common.py goes before it).
//
//go:embed exact/fastapi_routes.py
var fastapiRoutesScript string

func runFastAPIScript(ctx context.Context, o ExactOptions, p *project) (*exactResult, error) {
	target, root := o.App, o.Src
	if target == "" {
		m, v := findApp(p, "FastAPI")
		if m == nil {
			return nil, errors.New("exact routes: no FastAPI app found in the source (X = FastAPI(...) or X = create_app() at module level); name it as module:variable")
		}
		root, target = importRoot(o.Src, m)
		target += ":" + v
	}
	paths := []string{root}
	if root != o.Src {
		paths = append(paths, o.Src)
	}
	res, err := runScript(ctx, o, "FastAPI", commonScript+"\n\n"+fastapiRoutesScript, paths, nil, target)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Routes {
		r.framework = "fastapi"
	}
	return res, nil
}

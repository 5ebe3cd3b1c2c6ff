package routes_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/routes"
)

// FuzzExtractRoutes feeds arbitrary Python source (an untrusted input) to
// route extraction and matching: nothing may panic.
func FuzzExtractRoutes(f *testing.F) {
	for _, p := range []string{"../framework/django/testdata/djangoproj/mysite/urls.py", "../framework/django/testdata/djangoproj/shop/api_urls.py", "../framework/fastapi/testdata/fastapiproj/app/main.py", "../framework/fastapi/testdata/fastapiproj/app/routers/items.py",
		"../framework/django/testdata/djangocomputed/site_cfg/urls.py", "../framework/django/testdata/djangocomputed/site_cfg/settings.py", "../framework/fastapi/testdata/fastapiloop/app/main.py",
		"../framework/fastapi/testdata/fastapiloop/app/core/config.py", "../framework/fastapi/testdata/fastapimount/app/main.py", "../framework/fastapi/testdata/fastapimount/app/v2.py"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("urlpatterns = [path(f'{x}/', include(r)), re_path(r'^(?P<a', v)]\nrouter.register(1, 2)\n"))
	f.Add([]byte("p = ''\nif x:\n    p = f'{p}/{p!r}{{'\nurlpatterns = urlpatterns + [path(p + P, include(f'a.{p}'))]\nfor a, b in [(r, 'x')]:\n    urlpatterns.append(path(b, v))\n    app.include_router(a, prefix=f'{b}')\nurlpatterns = f(urlpatterns)\nif settings.DEBUG:\n    urlpatterns += static(settings.MEDIA_URL)\napp.mount('/v', app=app)\n"))
	f.Add([]byte("from . import *\nfrom .. import *\nX = os.getenv('X', X)\nclass S(BaseSettings):\n    P: str = S.P\ns = S()\napp = FastAPI()\napp.include_router(r, prefix=s.P)\nr = APIRouter(prefix='{}'.format(s.P), dependencies=[Depends(s)])\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "urls.py"), src, 0o644)
		os.WriteFile(filepath.Join(dir, "main.py"), src, 0o644)
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			return
		}
		defer rt.Close()
		rt.Route("/a/1/")
		framework.WritePatch(dir, rt, nil, false)
	})
}

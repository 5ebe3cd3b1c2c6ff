package advisor

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzExtractRoutes feeds arbitrary Python source (an untrusted input) to
// route extraction and matching: nothing may panic.
func FuzzExtractRoutes(f *testing.F) {
	for _, p := range []string{"testdata/djangoproj/mysite/urls.py", "testdata/djangoproj/shop/api_urls.py", "testdata/fastapiproj/app/main.py", "testdata/fastapiproj/app/routers/items.py"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("urlpatterns = [path(f'{x}/', include(r)), re_path(r'^(?P<a', v)]\nrouter.register(1, 2)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "urls.py"), src, 0o644)
		os.WriteFile(filepath.Join(dir, "main.py"), src, 0o644)
		rt, err := ExtractRoutes(dir)
		if err != nil {
			return
		}
		defer rt.Close()
		rt.Route("/a/1/")
		Patch(dir, rt, nil, false)
	})
}

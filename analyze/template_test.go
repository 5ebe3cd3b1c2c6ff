package analyze

import (
	"fmt"
	"testing"
)

func TestInferTemplates(t *testing.T) {
	var paths []PathStat
	add := func(p string) { paths = append(paths, PathStat{ID: int32(len(paths)), Path: p, Requests: 1}) }
	want := map[string]string{
		"/api/users/123":                          "/api/users/{int}",
		"/api/users/456/":                         "/api/users/{int}/",
		"/api/users/9/orders/2024-01-31":          "/api/users/{int}/orders/{date}",
		"/o/3fa85f64-5717-4562-b3fc-2c963f66afa6": "/o/{uuid}",
		"/blob/9e107d9d372bb6826bd81d3542a419d6":  "/blob/{hash}",
		"/t/aGVsbG8gd29ybGQgdGhpcyBpcyBCYXNlNjQ1": "/t/{hash}",
		"/u/jane.doe@example.com/profile":         "/u/{email}/profile",
		"/static/app.3f2a9c1b.js":                 "/static/app.{fp}.js",
		"/static/main-5f3d2a1e9b.css":             "/static/main-{fp}.css",
		"/assets/logo.png":                        "/assets/logo.png",
		"/about":                                  "/about",
		"/":                                       "/",
		"/archive/20240131":                       "/archive/{date}",
		"/search/":                                "/search/",
		"/api/leaderboard":                        "/api/leaderboard",
		"/docs/getting-started":                   "/docs/getting-started",
		"/static/app.00000001.js":                 "/static/app.{fp}.js",
		"/api/items/42/reviews":                   "/api/items/{int}/reviews",
		"/products/blue-shirt/reviews":            "/products/{var}/reviews",
		"/img/photo-of-cat.jpg":                   "/img/{var}.jpg",
	}
	for p := range want {
		add(p)
	}
	// Many slugs under /products and many images under /img: collapsed.
	for i := 0; i < 30; i++ {
		add(fmt.Sprintf("/products/item-%c%c/", 'a'+i%26, 'a'+i/26))
		add(fmt.Sprintf("/img/pic-%c%c.jpg", 'a'+i%26, 'a'+i/26))
	}
	// A handful of sections under /docs: kept.
	for _, s := range []string{"install", "faq", "api"} {
		add("/docs/" + s)
	}
	got := InferTemplates(paths, nil, TemplateOptions{})
	for i, p := range paths {
		if w, ok := want[p.Path]; ok && got[i].Endpoint != w {
			t.Errorf("%s -> %s, want %s", p.Path, got[i].Endpoint, w)
		}
	}
	for i, p := range paths {
		switch p.Path {
		case "/static/app.3f2a9c1b.js", "/static/main-5f3d2a1e9b.css":
			if !got[i].Fingerprinted || !got[i].Static {
				t.Errorf("%s: %+v", p.Path, got[i])
			}
		case "/assets/logo.png":
			if got[i].Fingerprinted || !got[i].Static {
				t.Errorf("%s: %+v", p.Path, got[i])
			}
		case "/docs/faq":
			if got[i].Endpoint != "/docs/faq" {
				t.Errorf("%s -> %s", p.Path, got[i].Endpoint)
			}
		}
		if len(p.Path) > 10 && p.Path[:10] == "/products/" && p.Path[len(p.Path)-1] == '/' && got[i].Endpoint != "/products/{var}/" {
			t.Errorf("%s -> %s", p.Path, got[i].Endpoint)
		}
	}
}

type fakeRouter map[string]string

func (f fakeRouter) Route(p string) (string, bool) { r, ok := f[p]; return r, ok }

func TestInferTemplatesWithRouter(t *testing.T) {
	paths := []PathStat{{1, "/items/1", 1}, {2, "/items/2", 1}, {3, "/nope/7", 1}}
	r := fakeRouter{"/items/1": "/items/{item_id}", "/items/2": "/items/{item_id}"}
	got := InferTemplates(paths, r, TemplateOptions{})
	if got[0].Endpoint != "/items/{item_id}" || got[0].Source != "route" || got[2].Source != "unrouted" || got[2].Endpoint != "/nope/{int}" {
		t.Fatalf("%+v", got)
	}
}

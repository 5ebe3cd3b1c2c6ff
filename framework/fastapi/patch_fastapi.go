package fastapi

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"
)

// fastapiPatch adds a small middleware module next to the app and registers
// it where the app is created: after the route has run, it sets the
// recommended header for the route's path format unless the response has
// one already, which covers routes returning a Response themselves.
func fastapiPatch(src string, rt *framework.Routes, entries map[[2]string]string, immutable []string, replace bool, edits map[*pysrc.Module][]framework.Edit, newFiles map[string]string, res *framework.PatchResult) error {
	// The app: the module that creates FastAPI().
	var app *pysrc.Module
	var appVar string
	var appEnd int
	for _, m := range rt.Proj.Files {
		for _, st := range pysrc.Children(m.Root) {
			for _, a := range pysrc.Children(st) {
				if a.Kind() != "assignment" {
					continue
				}
				if c, ok := m.AsCall(a.ChildByFieldName("right")); ok && pysrc.LastName(c.Fn) == "FastAPI" && app == nil {
					app, appVar, appEnd = m, m.Text(a.ChildByFieldName("left")), int(st.EndPosition().Row)+1
				}
			}
		}
	}
	if app == nil {
		return fmt.Errorf("no FastAPI() app found to register the Cache-Control middleware")
	}
	if err := framework.UnderRoot(src, app.File); err != nil {
		return err
	}
	dir := filepath.ToSlash(filepath.Dir(app.File))
	// A cdnadvise_cache.py of the project's own is never taken for the
	// middleware: the next free name is used.
	modName, exists, err := framework.HelperName(src, dir, "written by cdnadvise patch\nasync def set_cache_control(\n", newFiles)
	if err != nil {
		return err
	}
	modFile := modName + ".py"
	importLine := "import " + modName
	if dir != "." {
		modFile = dir + "/" + modFile
		pkg := strings.TrimSuffix(app.Name, "."+pysrc.LastName(app.Name))
		if strings.HasSuffix(app.File, "__init__.py") {
			pkg = app.Name
		}
		importLine = "from " + pkg + " import " + modName
	}
	if exists {
		return fmt.Errorf("%s is the middleware of an earlier patch, without these routes: remove it and its registration, then patch again", modFile)
	}
	var keys [][2]string
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][1]+keys[i][0] < keys[j][1]+keys[j][0] })
	var b strings.Builder
	b.WriteString(`"""Cache-Control per route, written by cdnadvise patch.

The middleware runs after the route: FastAPI records the matched route in the
ASGI scope, so the header is chosen by the route's path format and method, for
responses the route builds itself (Response, JSONResponse) as well. A response
that already carries Cache-Control keeps it.
"""
import re

CACHE_CONTROL = {
`)
	for _, k := range keys {
		fmt.Fprintf(&b, "    (%q, %q): %q,\n", k[0], k[1], entries[k])
	}
	b.WriteString("}\n\n# Static mounts whose fingerprinted files (name.<hash>.ext) never change.\nIMMUTABLE_MOUNTS = (\n")
	for _, p := range immutable {
		fmt.Fprintf(&b, "    %q,\n", p)
	}
	fmt.Fprintf(&b, `)
FINGERPRINT = re.compile(r"[.-][0-9a-fA-F]{8,}\.[A-Za-z0-9]+$")
REPLACE = %s


async def set_cache_control(request, call_next):
    response = await call_next(request)
    if "cache-control" in response.headers and not REPLACE:
        return response
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    method = "GET" if request.method == "HEAD" else request.method
    value = CACHE_CONTROL.get((method, path))
    if value is None and method == "GET":
        for mount in IMMUTABLE_MOUNTS:
            if request.url.path.startswith(mount + "/") and FINGERPRINT.search(request.url.path):
                value = "public, max-age=31536000, immutable"
                break
    if value is not None:
        response.headers["Cache-Control"] = value
    return response
`, map[bool]string{true: "True", false: "False"}[replace])
	newFiles[modFile] = b.String()
	edits[app] = append(edits[app], framework.Edit{At: pysrc.ImportAfter(app), Lines: []string{importLine}})
	edits[app] = append(edits[app], framework.Edit{At: appEnd, Lines: []string{fmt.Sprintf(`%s.middleware("http")(%s.set_cache_control)`, appVar, modName)}})
	var routes []string
	for _, k := range keys {
		routes = append(routes, k[0]+" "+k[1])
	}
	routes = append(routes, immutable...)
	res.Changes = append(res.Changes, framework.PatchChange{View: appVar, File: modFile, Line: 1, Routes: routes, CacheControl: "per route (see " + modFile + ")",
		How: "a middleware registered on the app sets the header by route after it ran, unless the response has one"})
	return nil
}

// patchModule finds the middleware cdnadvise's patch wrote (a module
// cdnadvise_cache with set_cache_control, registered on an app) and reads
// its CACHE_CONTROL table ((method, path format) -> header, with the line)
// and its IMMUTABLE_MOUNTS; nil when the project has none.
func patchModule(p *pysrc.Project) (m *pysrc.Module, table map[[2]string]framework.KeptHeader, immutable []string) {
	if p == nil {
		return nil, nil, nil
	}
	for _, mod := range p.Files {
		name := pysrc.LastName(mod.Name)
		if strings.HasPrefix(name, "cdnadvise_cache") && mod.Defs["set_cache_control"] != nil &&
			strings.Contains(string(mod.Src), "written by cdnadvise patch") && registered(p, name) {
			m = mod
			break
		}
	}
	if m == nil {
		return nil, nil, nil
	}
	table = map[[2]string]framework.KeptHeader{}
	if val, _, _, ok := m.Binding("CACHE_CONTROL"); ok && val.Kind() == "dictionary" {
		for _, pair := range pysrc.Children(val) {
			if pair.Kind() != "pair" {
				continue
			}
			key := pair.ChildByFieldName("key")
			value, ok := m.StringValue(pair.ChildByFieldName("value"))
			if key == nil || key.Kind() != "tuple" || !ok {
				continue
			}
			var parts []string
			for _, e := range pysrc.Children(key) {
				if s, ok := m.StringValue(e); ok {
					parts = append(parts, s)
				}
			}
			if len(parts) == 2 {
				k := framework.NewKeptHeader(value, m.File, pysrc.Line(pair))
				k.ByPatch = true
				table[[2]string{parts[0], parts[1]}] = k
			}
		}
	}
	if val, _, _, ok := m.Binding("IMMUTABLE_MOUNTS"); ok {
		for _, e := range pysrc.Children(val) {
			if s, ok := m.StringValue(e); ok {
				immutable = append(immutable, s)
			}
		}
	}
	return m, table, immutable
}

// readPatchTable reads back the middleware cdnadvise's patch wrote: each
// route in its table keeps the literal header it gets there, as if its
// view set it (advise, edge and report on a patched source then see what
// the patch does).
func readPatchTable(rt *framework.Routes) {
	_, table, _ := patchModule(rt.Proj)
	for key, k := range table {
		for _, r := range rt.Routes {
			// Facts run before the table is split into rows per method
			// (static pass) or after it (exact mode).
			if r.Framework == "fastapi" && r.RouteName == key[1] && (r.Method == key[0] || (r.Method == "" && slices.Contains(r.Methods, key[0]))) {
				r.Kept, r.HasCacheControl = &k, true
			}
		}
	}
}

// registered reports whether the set_cache_control of cdnadvise's module
// (by name) is registered as middleware on an app of the project.
func registered(p *pysrc.Project, name string) bool {
	for _, m := range p.Files {
		if strings.Contains(string(m.Src), name+".set_cache_control)") {
			return true
		}
	}
	return false
}

package django

import (
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/pysrc"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// settingsModules returns the Django settings modules: the ones named by
// DJANGO_SETTINGS_MODULE in manage.py, wsgi.py and asgi.py (in that order),
// then modules that set ROOT_URLCONF.
func settingsModules(p *pysrc.Project) []*pysrc.Module {
	var out []*pysrc.Module
	seen := map[*pysrc.Module]bool{}
	add := func(m *pysrc.Module) {
		if m != nil && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	rank := func(m *pysrc.Module) int {
		switch m.File[strings.LastIndexByte(m.File, '/')+1:] {
		case "manage.py":
			return 0
		case "wsgi.py":
			return 1
		case "asgi.py":
			return 2
		}
		return 3
	}
	files := append([]*pysrc.Module(nil), p.Files...)
	sort.SliceStable(files, func(i, j int) bool { return rank(files[i]) < rank(files[j]) })
	for _, m := range files {
		if !strings.Contains(string(m.Src), "DJANGO_SETTINGS_MODULE") {
			continue
		}
		var visit func(n *sitter.Node, depth int)
		visit = func(n *sitter.Node, depth int) {
			if depth > 6 {
				return
			}
			for _, st := range pysrc.Children(n) {
				switch st.Kind() {
				case "expression_statement":
					for _, x := range pysrc.Children(st) {
						c, ok := m.AsCall(x)
						if !ok || !strings.HasSuffix(c.Fn, "environ.setdefault") || len(c.Args) < 2 {
							continue
						}
						if k, ok := m.StringValue(c.Args[0]); ok && k == "DJANGO_SETTINGS_MODULE" {
							if v, ok := m.StringValue(c.Args[1]); ok {
								add(p.FindModule(v))
							}
						}
					}
				case "function_definition", "if_statement", "block", "try_statement", "else_clause", "with_statement":
					visit(st, depth+1)
				}
			}
		}
		visit(m.Root, 0)
	}
	for _, m := range p.Files {
		if _, _, _, ok := m.Binding("ROOT_URLCONF"); ok {
			add(m)
		}
	}
	return out
}

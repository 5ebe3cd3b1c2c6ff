package pysrc

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// Module is one parsed Python file.
type Module struct {
	Name string // dotted module name relative to the source root
	File string // path relative to the source root (slash-separated)
	Src  []byte
	tree *sitter.Tree
	Root *sitter.Node
	// Imports maps a local name to what it refers to: a dotted module
	// ("app.views") or a dotted attribute ("app.views.home").
	Imports map[string]string
	// Defs are the top-level functions and classes by name.
	Defs map[string]*sitter.Node
}

// Project is every module under the source root.
type Project struct {
	root    string
	Modules map[string]*Module // by dotted name
	Files   []*Module          // in path order
	// Templates maps a template name (the path under a templates/ folder:
	// shop/front.html) to its file, the first in path order, as template
	// loaders that search each app's templates/ folder find it.
	Templates map[string]string
	// found memoizes FindModule (a name's suffix search walks every
	// module); passed is PassedParam's index, made on first use.
	found  map[string]*Module
	passed map[string]bool
}

var skipDirs = map[string]bool{".git": true, "node_modules": true, "__pycache__": true, "venv": true, ".venv": true, "env": true,
	"site-packages": true, "migrations": true, ".tox": true, "build": true, "dist": true}

// packageOf is the dotted package name of a folder that is itself a
// package (it and its parents with __init__.py, up to the first folder
// without one), "" when it is not one.
func packageOf(root string) string {
	abs, err := filepath.Abs(root)
	if err != nil {
		return ""
	}
	var parts []string
	for i := 0; i < 8; i++ {
		if _, err := os.Stat(filepath.Join(abs, "__init__.py")); err != nil {
			break
		}
		parts = append([]string{filepath.Base(abs)}, parts...)
		parent := filepath.Dir(abs)
		if parent == abs {
			break
		}
		abs = parent
	}
	return strings.Join(parts, ".")
}

// LoadProject parses every .py file under root (at most maxFiles).
func LoadProject(root string) (*Project, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", root)
	}
	p := &Project{root: root, Modules: map[string]*Module{}, Templates: map[string]string{}}
	pkg := packageOf(root)
	parser := sitter.NewParser()
	defer parser.Close()
	if err := parser.SetLanguage(sitter.NewLanguage(python.Language())); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&os.ModeSymlink != 0 {
			return nil
		}
		if !strings.HasSuffix(path, ".py") {
			if rel, err := filepath.Rel(root, path); err == nil {
				rel = filepath.ToSlash(rel)
				if i := strings.LastIndex("/"+rel, "/templates/"); i >= 0 {
					if name := rel[i+len("templates/"):]; p.Templates[name] == "" {
						p.Templates[name] = path
					}
				}
			}
			return nil
		}
		info, err := d.Info()
		if err != nil || info.Size() > 4<<20 {
			return nil // unreadable or too large to be a source file: skipped
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		name := strings.TrimSuffix(rel, ".py")
		name = strings.TrimSuffix(name, "/__init__")
		name = strings.ReplaceAll(name, "/", ".")
		m := &Module{Name: name, File: rel, Src: src, Imports: map[string]string{}, Defs: map[string]*sitter.Node{}}
		m.tree = parser.Parse(src, nil)
		if m.tree == nil {
			return nil
		}
		m.Root = m.tree.RootNode()
		m.index()
		p.Modules[name] = m
		p.Files = append(p.Files, m)
		return nil
	})
	if pkg != "" && err == nil {
		// --src is itself a package: its modules are known by the name
		// Python imports them with from its parent too (backend.app.router
		// for app/router.py), as some projects import them one way and
		// others the other; a module's own name wins over such an alias.
		for _, m := range p.Files {
			alias := pkg + "." + m.Name
			if m.Name == "__init__" {
				alias = pkg
			}
			if _, taken := p.Modules[alias]; !taken {
				p.Modules[alias] = m
			}
		}
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].File < p.Files[j].File })
	return p, nil
}

// Close releases the parse trees.
func (p *Project) Close() {
	for _, m := range p.Files {
		m.tree.Close()
	}
}

// Text returns a node's source text.
func (m *Module) Text(n *sitter.Node) string {
	if n == nil {
		return ""
	}
	return string(m.Src[n.StartByte():n.EndByte()])
}

// Line returns a node's 1-based line.
func Line(n *sitter.Node) int { return int(n.StartPosition().Row) + 1 }

// Children returns the named children of a node.
func Children(n *sitter.Node) []*sitter.Node {
	if n == nil {
		return nil
	}
	var out []*sitter.Node
	for i := uint(0); i < n.NamedChildCount(); i++ {
		if c := n.NamedChild(i); c != nil && c.Kind() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// absolute turns a relative module name of an import in m (".views",
// "..core.settings") into a dotted name from the source root; absolute names
// are returned as they are.
func (m *Module) absolute(from string) string {
	if !strings.HasPrefix(from, ".") {
		return from
	}
	pkg := m.Name
	if !strings.HasSuffix(m.File, "__init__.py") {
		if i := strings.LastIndexByte(pkg, '.'); i >= 0 {
			pkg = pkg[:i]
		} else {
			pkg = ""
		}
	}
	dots := len(from) - len(strings.TrimLeft(from, "."))
	for i := 1; i < dots; i++ {
		if j := strings.LastIndexByte(pkg, '.'); j >= 0 {
			pkg = pkg[:j]
		} else {
			pkg = ""
		}
	}
	return strings.Trim(pkg+"."+strings.TrimLeft(from, "."), ".")
}

// index records the module's imports and top-level definitions.
func (m *Module) index() {
	for _, st := range Children(m.Root) {
		n := st
		if n.Kind() == "decorated_definition" {
			if d := n.ChildByFieldName("definition"); d != nil {
				if name := d.ChildByFieldName("name"); name != nil {
					m.Defs[m.Text(name)] = n
				}
			}
			continue
		}
		switch n.Kind() {
		case "function_definition", "class_definition":
			if name := n.ChildByFieldName("name"); name != nil {
				m.Defs[m.Text(name)] = n
			}
		case "import_statement", "import_from_statement":
			m.indexImport(n, true)
		}
	}
	// Imports inside functions (an app factory's "from .views import bp"):
	// known too, unless the module imports the name itself.
	var inner func(n *sitter.Node, depth int)
	inner = func(n *sitter.Node, depth int) {
		if depth > 4 {
			return
		}
		for _, st := range Children(n) {
			switch st.Kind() {
			case "import_statement", "import_from_statement":
				if depth > 0 {
					m.indexImport(st, false)
				}
			case "function_definition", "decorated_definition", "block", "if_statement", "try_statement", "with_statement":
				inner(st, depth+1)
			}
		}
	}
	inner(m.Root, 0)
}

// indexImport records the names an import statement binds; replace says
// whether a name already known is rebound.
func (m *Module) indexImport(n *sitter.Node, replace bool) {
	set := func(name, target string) {
		if _, ok := m.Imports[name]; ok && !replace {
			return
		}
		m.Imports[name] = target
	}
	switch n.Kind() {
	case "import_statement":
		for _, c := range Children(n) {
			switch c.Kind() {
			case "dotted_name":
				full := m.Text(c)
				set(strings.SplitN(full, ".", 2)[0], strings.SplitN(full, ".", 2)[0])
				set(full, full)
			case "aliased_import":
				set(m.Text(c.ChildByFieldName("alias")), m.Text(c.ChildByFieldName("name")))
			}
		}
	case "import_from_statement":
		modNode := n.ChildByFieldName("module_name")
		from := m.absolute(m.Text(modNode))
		for _, c := range Children(n) {
			if c.Equals(*modNode) {
				continue
			}
			switch c.Kind() {
			case "dotted_name":
				name := m.Text(c)
				set(name, strings.Trim(from+"."+name, "."))
			case "aliased_import":
				set(m.Text(c.ChildByFieldName("alias")), strings.Trim(from+"."+m.Text(c.ChildByFieldName("name")), "."))
			}
		}
	}
}

// StringValue returns the value of a plain string literal (concatenations of
// plain literals included); ok is false for f-strings and expressions.
func (m *Module) StringValue(n *sitter.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	switch n.Kind() {
	case "string":
		t := m.Text(n)
		prefix := ""
		for len(t) > 0 && strings.ContainsRune("rRbBuUfF", rune(t[0])) {
			prefix += strings.ToLower(t[:1])
			t = t[1:]
		}
		if strings.Contains(prefix, "f") {
			for _, c := range Children(n) {
				if c.Kind() == "interpolation" {
					return "", false
				}
			}
		}
		for _, q := range []string{`"""`, `'''`, `"`, `'`} {
			if strings.HasPrefix(t, q) && strings.HasSuffix(t, q) && len(t) >= 2*len(q) {
				t = t[len(q) : len(t)-len(q)]
				break
			}
		}
		if !strings.Contains(prefix, "r") {
			t = Unescape(t, strings.Contains(prefix, "b"))
		}
		return t, true
	case "concatenated_string":
		var b strings.Builder
		for _, c := range Children(n) {
			v, ok := m.StringValue(c)
			if !ok {
				return "", false
			}
			b.WriteString(v)
		}
		return b.String(), true
	case "parenthesized_expression":
		cs := Children(n)
		if len(cs) == 1 {
			return m.StringValue(cs[0])
		}
	}
	return "", false
}

// Call describes a call expression: its dotted function name, positional
// arguments and keyword arguments.
type Call struct {
	Fn   string
	Args []*sitter.Node
	Kw   map[string]*sitter.Node
	Node *sitter.Node
}

// AsCall reads n as a call: the dotted function name, positional and
// keyword arguments (ok false when n is not a call).
func (m *Module) AsCall(n *sitter.Node) (Call, bool) {
	if n == nil || n.Kind() != "call" {
		return Call{}, false
	}
	c := Call{Fn: m.Text(n.ChildByFieldName("function")), Kw: map[string]*sitter.Node{}, Node: n}
	for _, a := range Children(n.ChildByFieldName("arguments")) {
		if a.Kind() == "keyword_argument" {
			c.Kw[m.Text(a.ChildByFieldName("name"))] = a.ChildByFieldName("value")
			continue
		}
		c.Args = append(c.Args, a)
	}
	return c, true
}

// LastName returns the last part of a dotted name.
func LastName(s string) string {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Resolve turns a local dotted name into a module and the rest (an
// attribute within it): "views.home" in a module that did "from app import
// views" is (app.views, home).
func (p *Project) Resolve(m *Module, dotted string) (*Module, string) {
	head, rest, _ := strings.Cut(dotted, ".")
	if target, ok := m.Imports[head]; ok {
		target = p.reexported(target, 0)
		full := strings.Trim(target+"."+rest, ".")
		// The longest module prefix of full.
		parts := strings.Split(full, ".")
		for i := len(parts); i > 0; i-- {
			if mod := p.FindModule(strings.Join(parts[:i], ".")); mod != nil {
				return mod, strings.Join(parts[i:], ".")
			}
		}
		return nil, full
	}
	if _, ok := m.Defs[head]; ok {
		return m, dotted
	}
	if mod := p.FindModule(dotted); mod != nil {
		return mod, ""
	}
	return nil, dotted
}

// reexported follows an imported name pkg.NAME to what the package binds
// NAME to when its __init__ imports it (from .auth import auth): Python's
// from pkg import NAME takes the package's attribute before a submodule
// or namespace folder of that name.
func (p *Project) reexported(target string, depth int) string {
	pkg, name := SplitLast(target)
	if pkg == "" || depth > 8 {
		return target
	}
	pm, found := p.Modules[pkg]
	if !found || !strings.HasSuffix(pm.File, "__init__.py") {
		return target
	}
	if _, def := pm.Defs[name]; def {
		return target
	}
	if next, ok := pm.Imports[name]; ok && next != target {
		return p.reexported(next, depth+1)
	}
	return target
}

// FindModule finds a module by dotted name, also when the project root is
// above the package root (src layouts): a unique suffix match is accepted.
func (p *Project) FindModule(name string) *Module {
	if m, ok := p.Modules[name]; ok {
		return m
	}
	if m, ok := p.found[name]; ok {
		return m
	}
	m := p.findModule(name)
	if p.found == nil {
		p.found = map[string]*Module{}
	}
	p.found[name] = m
	return m
}

func (p *Project) findModule(name string) *Module {
	var found *Module
	for n, m := range p.Modules {
		if strings.HasSuffix(n, "."+name) {
			// "django" is not config.django: a one-part name matches
			// only below a folder that is not a package (src/).
			if _, pkg := p.Modules[n[:len(n)-len(name)-1]]; pkg && !strings.Contains(name, ".") {
				continue
			}
			if found != nil && found != m {
				return nil
			}
			found = m
		}
	}
	return found
}

package pysrc

import (
	"fmt"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// ClassAt is one class of a class's lookup chain: the module it is defined
// in and its class_definition node.
type ClassAt struct {
	M    *Module
	Node *sitter.Node
}

// Name is the class's own name.
func (c ClassAt) Name() string { return c.M.Text(c.Node.ChildByFieldName("name")) }

// Body is the class's block.
func (c ClassAt) Body() *sitter.Node { return c.Node.ChildByFieldName("body") }

// ClassChain lists a (decorated) class definition and the classes of the
// project it inherits from, depth first and left to right (as Python's
// attribute lookup mostly goes), each once, at most 8 levels deep. Bases
// outside the project are left out: External lists their dotted names.
func (p *Project) ClassChain(m *Module, def *sitter.Node) []ClassAt {
	var out []ClassAt
	seen := map[*sitter.Node]bool{}
	var walk func(m *Module, cls *sitter.Node, depth int)
	walk = func(m *Module, cls *sitter.Node, depth int) {
		if depth > 8 || seen[cls] || len(out) > 64 {
			return
		}
		seen[cls] = true
		out = append(out, ClassAt{M: m, Node: cls})
		for _, b := range Children(cls.ChildByFieldName("superclasses")) {
			if b.Kind() != "identifier" && b.Kind() != "attribute" {
				continue
			}
			bm, rest := p.Resolve(m, m.Text(b))
			if bm == nil || rest == "" {
				continue
			}
			if bdef, ok := bm.Defs[rest]; ok && IsClass(bdef) {
				walk(bm, ClassNode(bdef), depth+1)
			}
		}
	}
	walk(m, ClassNode(def), 0)
	return out
}

// External lists the dotted names of the bases of a class chain that are
// not classes of the project (flask_restx.Resource, fastapi.APIRouter).
func (p *Project) External(chain []ClassAt) []string {
	var out []string
	for _, c := range chain {
		for _, b := range Children(c.Node.ChildByFieldName("superclasses")) {
			if b.Kind() != "identifier" && b.Kind() != "attribute" {
				continue
			}
			bm, rest := p.Resolve(c.M, c.M.Text(b))
			if bm != nil && rest != "" && bm.Defs[rest] != nil {
				continue
			}
			if bm != nil && rest == "" {
				continue
			}
			out = append(out, rest)
		}
	}
	return out
}

// ClassAssignment finds the first assignment to a class attribute in a
// class chain (name = value, or name: T = value, at the class body's top
// level): the class it is in and the value.
func ClassAssignment(chain []ClassAt, name string) (ClassAt, *sitter.Node, bool) {
	for _, c := range chain {
		for _, st := range Children(c.Body()) {
			if st.Kind() != "expression_statement" {
				continue
			}
			for _, a := range Children(st) {
				if a.Kind() == "assignment" && c.M.Text(a.ChildByFieldName("left")) == name {
					if v := a.ChildByFieldName("right"); v != nil {
						return c, v, true
					}
				}
			}
		}
	}
	return ClassAt{}, nil, false
}

// ClassMethod finds a method in a class chain: the class it is in and its
// (decorated) definition.
func ClassMethod(chain []ClassAt, name string) (ClassAt, *sitter.Node, bool) {
	for _, c := range chain {
		for _, st := range Children(c.Body()) {
			f := st
			if f.Kind() == "decorated_definition" {
				f = f.ChildByFieldName("definition")
			}
			if f != nil && f.Kind() == "function_definition" && c.M.Text(f.ChildByFieldName("name")) == name {
				return c, st, true
			}
		}
	}
	return ClassAt{}, nil, false
}

// FunctionDef finds the function of the project a called name refers to
// (a module-level def, not a class): its module and (decorated)
// definition, or nil.
func (p *Project) FunctionDef(m *Module, fn string) (*Module, *sitter.Node) {
	fm, rest := p.Resolve(m, fn)
	if fm == nil || rest == "" || strings.Contains(rest, ".") {
		return nil, nil
	}
	def := fm.Defs[rest]
	if def == nil || IsClass(def) {
		return nil, nil
	}
	return fm, def
}

// PassedParam says whether a call of the project gives the parameter
// param of the module-level function def (of module m) a value, by
// position or keyword. The calls are indexed once per project.
func (p *Project) PassedParam(m *Module, def *sitter.Node, param string) bool {
	if p.passed == nil {
		p.passed = map[string]bool{}
		for _, cm := range p.Files {
			EachCall(cm, cm.Root, func(c Call) {
				p.EachArg(cm, c, func(fm *Module, fdef *sitter.Node, param string, _ *sitter.Node) {
					p.passed[passedKey(fm, fdef, param)] = true
				})
			})
		}
	}
	return p.passed[passedKey(m, def, param)]
}

func passedKey(m *Module, def *sitter.Node, param string) string {
	return fmt.Sprintf("%s|%d|%s", m.Name, FuncNode(def).StartByte(), param)
}

// EachCall calls fn for every call inside n, nested ones included, in
// source order.
func EachCall(m *Module, n *sitter.Node, fn func(Call)) {
	var visit func(n *sitter.Node, depth int)
	visit = func(n *sitter.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		if n.Kind() == "call" {
			if c, ok := m.AsCall(n); ok {
				fn(c)
			}
		}
		for _, ch := range Children(n) {
			visit(ch, depth+1)
		}
	}
	visit(n, 0)
}

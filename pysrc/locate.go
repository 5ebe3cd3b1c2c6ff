package pysrc

import (
	"bytes"
	"path/filepath"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// LocateDef finds the definition of a view in the parsed source by the file
// and first line the interpreter reports (the first decorator's line for a
// decorated one): a function or class at any depth (methods, nested
// functions), whose name is the qualname's last part when one is given.
func (p *Project) LocateDef(file string, ln int, qualname string) (*Module, *sitter.Node) {
	if file == "" || ln <= 0 || filepath.IsAbs(file) {
		return nil, nil
	}
	var m *Module
	for _, f := range p.Files {
		if f.File == file {
			m = f
			break
		}
	}
	if m == nil {
		return nil, nil
	}
	want := LastName(qualname)
	var found *sitter.Node
	var visit func(n *sitter.Node)
	visit = func(n *sitter.Node) {
		for _, c := range Children(n) {
			if found != nil {
				return
			}
			def, outer := c, c
			if c.Kind() == "decorated_definition" {
				def = c.ChildByFieldName("definition")
			}
			if def != nil && (def.Kind() == "function_definition" || def.Kind() == "class_definition") {
				if (Line(outer) == ln || Line(def) == ln) && (want == "" || m.Text(def.ChildByFieldName("name")) == want) {
					found = outer
					return
				}
				visit(def.ChildByFieldName("body"))
				continue
			}
			switch c.Kind() {
			case "if_statement", "try_statement", "with_statement", "block", "else_clause", "except_clause", "finally_clause", "elif_clause":
				visit(c)
			}
		}
	}
	visit(m.Root)
	if found == nil {
		return nil, nil
	}
	return m, found
}

// SameNode finds in p the node that n is in another parse of the same file.
func (p *Project) SameNode(m *Module, n *sitter.Node) (*Module, *sitter.Node) {
	if m == nil || n == nil {
		return nil, nil
	}
	t, ok := p.Modules[m.Name]
	if !ok || !bytes.Equal(t.Src, m.Src) {
		return nil, nil
	}
	d := t.Root.DescendantForByteRange(n.StartByte(), n.EndByte())
	for d != nil && d.Kind() != n.Kind() {
		par := d.Parent()
		if par == nil || par.StartByte() != n.StartByte() || par.EndByte() != n.EndByte() {
			return nil, nil
		}
		d = par
	}
	if d == nil {
		return nil, nil
	}
	return t, d
}

// Assigned returns the right-hand sides of module-level assignments (and
// += augmentations) to name.
func (m *Module) Assigned(name string) []*sitter.Node {
	var out []*sitter.Node
	for _, st := range Children(m.Root) {
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, a := range Children(st) {
			if (a.Kind() == "assignment" || a.Kind() == "augmented_assignment") && m.Text(a.ChildByFieldName("left")) == name {
				if a.Kind() == "assignment" {
					out = out[:0]
				}
				out = append(out, a.ChildByFieldName("right"))
			}
		}
	}
	return out
}

package pysrc

import (
	"bytes"
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// ClassNode returns the class definition of a (decorated) definition.
func ClassNode(def *sitter.Node) *sitter.Node {
	if def.Kind() == "decorated_definition" {
		return def.ChildByFieldName("definition")
	}
	return def
}

// ClassMethods lists the names of the methods a class defines itself, in
// source order.
func ClassMethods(m *Module, def *sitter.Node) []string {
	var out []string
	for _, st := range Children(ClassNode(def).ChildByFieldName("body")) {
		f := st
		if f.Kind() == "decorated_definition" {
			f = f.ChildByFieldName("definition")
		}
		if f != nil && f.Kind() == "function_definition" {
			out = append(out, m.Text(f.ChildByFieldName("name")))
		}
	}
	return out
}

var methodRe = regexp.MustCompile(`(?i)["'](get|post|put|patch|delete|head|options)["']|\b\w*Methods?\.(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b`)

// MethodsIn lists the HTTP methods named as strings in s ("get", 'POST'),
// upper-cased; GET when none is.
func MethodsIn(s string) []string {
	var out []string
	for _, m := range methodRe.FindAllStringSubmatch(s, -1) {
		// A string ("POST"), or an enum member (HTTPMethod.POST,
		// HTTPMethods.POST).
		out = append(out, strings.ToUpper(m[1]+m[2]))
	}
	if len(out) == 0 {
		return []string{"GET"}
	}
	return out
}

// IsClass reports whether a (decorated) definition is a class.
func IsClass(def *sitter.Node) bool {
	if def.Kind() == "decorated_definition" {
		def = def.ChildByFieldName("definition")
	}
	return def != nil && def.Kind() == "class_definition"
}

// Decorators returns the decorator expressions of a definition (without @).
func Decorators(m *Module, def *sitter.Node) []string {
	if def == nil || def.Kind() != "decorated_definition" {
		return nil
	}
	var out []string
	for _, d := range Children(def) {
		if d.Kind() == "decorator" {
			out = append(out, strings.TrimSpace(strings.TrimPrefix(m.Text(d), "@")))
		}
	}
	return out
}

// LineAt returns the 0-based line n of src ("" past its end).
func LineAt(src []byte, n int) string {
	lines := bytes.Split(src, []byte("\n"))
	if n < len(lines) {
		return string(lines[n])
	}
	return ""
}

// LeadingSpace returns the indentation a line starts with.
func LeadingSpace(s string) string { return s[:len(s)-len(strings.TrimLeft(s, " 	"))] }

type decoLine struct {
	Line int
	Text string
}

// DecoratorLines lists the single-line decorators of a definition
// (0-based line and text).
func DecoratorLines(m *Module, def *sitter.Node) []decoLine {
	if def.Kind() != "decorated_definition" {
		return nil
	}
	var out []decoLine
	for _, d := range Children(def) {
		if d.Kind() == "decorator" && d.StartPosition().Row == d.EndPosition().Row {
			out = append(out, decoLine{Line: int(d.StartPosition().Row), Text: m.Text(d)})
		}
	}
	return out
}

// ClassNameNode returns the name node of a (decorated) class definition.
func ClassNameNode(def *sitter.Node) *sitter.Node {
	if def.Kind() == "decorated_definition" {
		def = def.ChildByFieldName("definition")
	}
	return def.ChildByFieldName("name")
}

// ImportAfter returns the line where a new import goes: after the module's
// last top-level import, or after its docstring when it has none.
func ImportAfter(m *Module) int {
	at := 0
	for _, st := range Children(m.Root) {
		switch st.Kind() {
		case "import_statement", "import_from_statement", "future_import_statement":
			at = int(st.EndPosition().Row) + 1
		case "expression_statement":
			if at == 0 && len(Children(st)) == 1 && Children(st)[0].Kind() == "string" {
				at = int(st.EndPosition().Row) + 1
			}
		}
	}
	return at
}

// First returns the first node of a, or nil.
func First(a []*sitter.Node) *sitter.Node {
	if len(a) > 0 {
		return a[0]
	}
	return nil
}

// Second returns the second node of a, or nil.
func Second(a []*sitter.Node) *sitter.Node {
	if len(a) > 1 {
		return a[1]
	}
	return nil
}

// SplitLast splits a dotted name at its last dot: "app.get" -> "app", "get".
func SplitLast(s string) (string, string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

// ParamNames lists a function definition's parameter names in order,
// without self and cls (and without *args and **kwargs).
func ParamNames(m *Module, def *sitter.Node) []string {
	fn := def
	if fn.Kind() == "decorated_definition" {
		fn = fn.ChildByFieldName("definition")
	}
	var out []string
	for _, p := range Children(fn.ChildByFieldName("parameters")) {
		var name string
		switch p.Kind() {
		case "identifier":
			name = m.Text(p)
		case "default_parameter", "typed_default_parameter":
			name = m.Text(p.ChildByFieldName("name"))
		case "typed_parameter":
			for _, x := range Children(p) {
				if x.Kind() == "identifier" {
					name = m.Text(x)
					break
				}
			}
		}
		if name != "" && name != "self" && name != "cls" {
			out = append(out, name)
		}
	}
	return out
}

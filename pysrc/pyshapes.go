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

// Param is a parameter of a function definition: its name and default
// (nil: none).
type Param struct {
	Name    string
	Default *sitter.Node
}

// FuncNode is the function_definition of a (decorated) definition.
func FuncNode(def *sitter.Node) *sitter.Node {
	if def.Kind() == "decorated_definition" {
		return def.ChildByFieldName("definition")
	}
	return def
}

// Params lists a function definition's parameters in order, without self
// and cls (and without *args and **kwargs).
func Params(m *Module, def *sitter.Node) []Param {
	var out []Param
	for _, p := range Children(FuncNode(def).ChildByFieldName("parameters")) {
		var q Param
		switch p.Kind() {
		case "identifier":
			q.Name = m.Text(p)
		case "default_parameter", "typed_default_parameter":
			q.Name, q.Default = m.Text(p.ChildByFieldName("name")), p.ChildByFieldName("value")
		case "typed_parameter":
			for _, x := range Children(p) {
				if x.Kind() == "identifier" {
					q.Name = m.Text(x)
					break
				}
			}
		}
		if q.Name != "" && q.Name != "self" && q.Name != "cls" {
			out = append(out, q)
		}
	}
	return out
}

// EachArg calls fn for each argument a call gives a function of the
// project (the function's module and definition, the parameter it fills,
// the argument); nothing when the call names no such function.
func (p *Project) EachArg(m *Module, c Call, fn func(fm *Module, def *sitter.Node, param string, arg *sitter.Node)) {
	fm, def := p.FunctionDef(m, c.Fn)
	if def == nil {
		return
	}
	params := Params(fm, def)
	for i, a := range c.Args {
		if i < len(params) {
			fn(fm, def, params[i].Name, a)
		}
	}
	for k, a := range c.Kw {
		for _, q := range params {
			if q.Name == k {
				fn(fm, def, k, a)
			}
		}
	}
}

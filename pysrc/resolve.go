package pysrc

import (
	"fmt"
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// This file is a small constant evaluator for Python expressions: it reads
// what a careful reader of the source would, without running anything.
// String literals, f-strings, concatenations, names bound at module level
// (through imports, star imports, pydantic settings classes and the settings
// objects framework homes register), defaults
// of os.getenv-style calls and a few str methods are evaluated; every guess
// (a default taken, a conditional reassignment ignored) is an assumption
// reported with the value.

// binding is an expression node of a module, the value of a local name
// (a for loop's variable).
type binding struct {
	M *Module
	N *sitter.Node
}

// Env binds local names (loop variables) to expressions.
type Env map[string]binding

// with returns a copy of e with name bound to b.
func (e Env) with(name string, b binding) Env {
	out := make(Env, len(e)+1)
	for k, v := range e {
		out[k] = v
	}
	out[name] = b
	return out
}

// Evaluator evaluates constant expressions of a project.
type Evaluator struct {
	P     *Project
	depth int
	// label is the name being resolved (prefix, settings.API_PREFIX), for
	// the assumptions made while evaluating its value.
	label string
	// Settings are the settings objects a framework home registers: the
	// import path of the object (django.conf.settings) -> how its modules
	// are found, most preferred first; settings.X then resolves in them.
	Settings map[string]func() []*Module
	// settings caches the modules found per settings object.
	settings map[string][]*Module
	// steps counts the work of one top-level evaluation, against inputs
	// whose names double at every level (A = B + B, B = C + C, ...).
	steps int
}

const (
	maxEvalDepth = 40
	maxEvalSteps = 20000
)

// budget counts a step of the current evaluation; false once it is spent.
func (e *Evaluator) budget() bool {
	if e.depth == 0 {
		e.steps = 0
	}
	e.steps++
	return e.steps <= maxEvalSteps
}

// Str evaluates n to a string. assume lists the assumptions made.
func (e *Evaluator) Str(m *Module, n *sitter.Node, locals Env) (val string, assume []string, ok bool) {
	if n == nil || m == nil || !e.budget() {
		return "", nil, false
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxEvalDepth {
		return "", nil, false
	}
	switch n.Kind() {
	case "string":
		return e.stringLit(m, n, locals)
	case "concatenated_string":
		var b strings.Builder
		for _, c := range Children(n) {
			v, a, ok := e.Str(m, c, locals)
			if !ok {
				return "", nil, false
			}
			b.WriteString(v)
			assume = append(assume, a...)
		}
		return b.String(), assume, true
	case "parenthesized_expression":
		if cs := Children(n); len(cs) == 1 {
			return e.Str(m, cs[0], locals)
		}
	case "binary_operator":
		if m.Text(n.ChildByFieldName("operator")) != "+" {
			return "", nil, false
		}
		l, la, ok := e.Str(m, n.ChildByFieldName("left"), locals)
		if !ok {
			return "", nil, false
		}
		r, ra, ok := e.Str(m, n.ChildByFieldName("right"), locals)
		if !ok {
			return "", nil, false
		}
		return l + r, append(la, ra...), true
	case "identifier":
		name := m.Text(n)
		if b, ok := locals[name]; ok {
			return e.Str(b.M, b.N, nil)
		}
		return e.Name(m, name, name)
	case "attribute":
		return e.attribute(m, n)
	case "call":
		return e.call(m, n, locals)
	}
	return "", nil, false
}

// stringLit evaluates a string literal, f-strings included.
func (e *Evaluator) stringLit(m *Module, n *sitter.Node, locals Env) (string, []string, bool) {
	t := m.Text(n)
	prefix := ""
	for len(t) > 0 && strings.ContainsRune("rRbBuUfF", rune(t[0])) {
		prefix += strings.ToLower(t[:1])
		t = t[1:]
	}
	if !strings.Contains(prefix, "f") {
		v, ok := m.StringValue(n)
		return v, nil, ok
	}
	raw := strings.Contains(prefix, "r")
	// The text between the quotes, with each interpolation evaluated.
	cs := Children(n)
	var b strings.Builder
	var assume []string
	start, end := n.StartByte(), n.EndByte()
	for _, c := range cs {
		switch c.Kind() {
		case "string_start":
			start = c.EndByte()
		case "string_end":
			end = c.StartByte()
		}
	}
	pos := start
	lit := func(s string) {
		s = strings.NewReplacer("{{", "{", "}}", "}").Replace(s)
		if !raw {
			s = Unescape(s, false)
		}
		b.WriteString(s)
	}
	for _, c := range cs {
		if c.Kind() != "interpolation" {
			continue
		}
		if c.StartByte() < pos || c.EndByte() > end {
			return "", nil, false
		}
		lit(string(m.Src[pos:c.StartByte()]))
		if c.ChildByFieldName("format_specifier") != nil {
			return "", nil, false
		}
		if tc := c.ChildByFieldName("type_conversion"); tc != nil && m.Text(tc) != "!s" {
			return "", nil, false
		}
		v, a, ok := e.Str(m, c.ChildByFieldName("expression"), locals)
		if !ok {
			return "", nil, false
		}
		b.WriteString(v)
		assume = append(assume, a...)
		pos = c.EndByte()
	}
	if pos > end {
		return "", nil, false
	}
	lit(string(m.Src[pos:end]))
	return b.String(), assume, true
}

// envCallRe matches calls reading an environment variable with a default:
// os.getenv, os.environ.get, django-environ's env()/env.str(), decouple's
// config(), confi's confi.str().
var envCallRe = regexp.MustCompile(`(^|\.)(getenv|environ\.get|environ\.setdefault|env|env\.str|env\.get_value|config|get_env|env_str|confi\.str)$`)

// call evaluates os.getenv-style defaults, str() and str methods.
func (e *Evaluator) call(m *Module, n *sitter.Node, locals Env) (string, []string, bool) {
	c, _ := m.AsCall(n)
	fnNode := n.ChildByFieldName("function")
	if envCallRe.MatchString(c.Fn) && len(c.Args) >= 1 {
		name, ok := m.StringValue(c.Args[0])
		if !ok {
			return "", nil, false
		}
		def := Second(c.Args)
		if v, ok := c.Kw["default"]; ok {
			def = v
		}
		if def == nil {
			return "", nil, false
		}
		v, a, ok := e.Str(m, def, locals)
		if !ok {
			return "", nil, false
		}
		label := e.label
		if label == "" {
			label = name
		}
		a = append(a, fmt.Sprintf("assumed %s = %q, the default of %s(%q) (%s:%d)", label, v, c.Fn, name, m.File, Line(n)))
		return v, a, true
	}
	if c.Fn == "str" && len(c.Args) == 1 {
		return e.Str(m, c.Args[0], locals)
	}
	if fnNode == nil || fnNode.Kind() != "attribute" {
		return "", nil, false
	}
	method := m.Text(fnNode.ChildByFieldName("attribute"))
	switch method {
	case "removesuffix", "removeprefix", "rstrip", "lstrip", "strip", "lower", "upper", "format":
	default:
		return "", nil, false
	}
	obj, assume, ok := e.Str(m, fnNode.ChildByFieldName("object"), locals)
	if !ok {
		return "", nil, false
	}
	var args []string
	for _, a := range c.Args {
		v, aa, ok := e.Str(m, a, locals)
		if !ok {
			return "", nil, false
		}
		args = append(args, v)
		assume = append(assume, aa...)
	}
	arg := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		return args[0], true
	}
	switch method {
	case "removesuffix":
		s, ok := arg()
		return strings.TrimSuffix(obj, s), assume, ok
	case "removeprefix":
		s, ok := arg()
		return strings.TrimPrefix(obj, s), assume, ok
	case "rstrip", "lstrip", "strip":
		cut, ok := arg()
		if !ok {
			cut = " \t\n\r"
		}
		switch method {
		case "rstrip":
			return strings.TrimRight(obj, cut), assume, true
		case "lstrip":
			return strings.TrimLeft(obj, cut), assume, true
		}
		return strings.Trim(obj, cut), assume, true
	case "lower":
		return strings.ToLower(obj), assume, true
	case "upper":
		return strings.ToUpper(obj), assume, true
	case "format":
		if len(c.Kw) > 0 {
			kw := map[string]string{}
			for k, v := range c.Kw {
				s, aa, ok := e.Str(m, v, locals)
				if !ok {
					return "", nil, false
				}
				kw[k] = s
				assume = append(assume, aa...)
			}
			return formatString(obj, args, kw)
		}
		s, a, ok := formatString(obj, args, nil)
		return s, append(assume, a...), ok
	}
	return "", nil, false
}

// formatString applies str.format with plain {} / {0} / {name} fields.
func formatString(f string, args []string, kw map[string]string) (string, []string, bool) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(f); i++ {
		ch := f[i]
		switch {
		case ch == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case ch == '{':
			j := strings.IndexByte(f[i:], '}')
			if j < 0 {
				return "", nil, false
			}
			field := f[i+1 : i+j]
			switch {
			case field == "":
				if next >= len(args) {
					return "", nil, false
				}
				b.WriteString(args[next])
				next++
			case field[0] >= '0' && field[0] <= '9':
				k := 0
				for _, d := range field {
					if d < '0' || d > '9' {
						return "", nil, false
					}
					k = k*10 + int(d-'0')
				}
				if k >= len(args) {
					return "", nil, false
				}
				b.WriteString(args[k])
			default:
				v, ok := kw[field]
				if !ok {
					return "", nil, false
				}
				b.WriteString(v)
			}
			i += j
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), nil, true
}

// attribute evaluates settings.X, module.X and obj.X where obj is an
// instance of a settings class.
func (e *Evaluator) attribute(m *Module, n *sitter.Node) (string, []string, bool) {
	objNode := n.ChildByFieldName("object")
	attr := m.Text(n.ChildByFieldName("attribute"))
	obj := m.Text(objNode)
	label := m.Text(n)
	// A framework's settings object.
	if target, ok := m.Imports[obj]; ok && e.Settings[target] != nil {
		for _, sm := range e.SettingsOf(target) {
			if v, a, ok := e.Name(sm, attr, label); ok {
				return v, a, true
			}
		}
		return e.anywhere(m, n)
	}
	// A module: module.X.
	if t, rest := e.P.Resolve(m, obj); t != nil {
		if rest == "" {
			if v, a, ok := e.Name(t, attr, label); ok {
				return v, a, true
			}
			return e.anywhere(m, n)
		}
		// An object of a module: settings = Settings() in app.config.
		if v, a, ok := e.instanceAttr(t, rest, attr, label, 0); ok {
			return v, a, true
		}
	} else if objNode != nil && objNode.Kind() == "identifier" {
		if v, a, ok := e.instanceAttr(m, obj, attr, label, 0); ok {
			return v, a, true
		}
	}
	if v, a, ok := e.dynaconfDefault(m, n); ok {
		return v, a, true
	}
	return e.anywhere(m, n)
}

// dynaconfDefault evaluates settings.a.b where settings = Dynaconf(...)
// (or LazySettings) in the project: the default of the project's
// Validator("a.b", default=...) for it, as an assumption (the settings
// file or the environment may set another value).
func (e *Evaluator) dynaconfDefault(m *Module, n *sitter.Node) (string, []string, bool) {
	var names []string
	x := n
	for x != nil && x.Kind() == "attribute" {
		names = append([]string{m.Text(x.ChildByFieldName("attribute"))}, names...)
		x = x.ChildByFieldName("object")
	}
	if x == nil || x.Kind() != "identifier" || len(names) == 0 {
		return "", nil, false
	}
	sm, root := m, m.Text(x)
	if _, ok := m.Imports[root]; ok {
		t, rest := e.P.Resolve(m, root)
		if t == nil || rest == "" || strings.Contains(rest, ".") {
			return "", nil, false
		}
		sm, root = t, rest
	}
	val, _, _, ok := sm.Binding(root)
	if !ok {
		return "", nil, false
	}
	c, ok := sm.AsCall(val)
	if !ok || (LastName(c.Fn) != "Dynaconf" && LastName(c.Fn) != "LazySettings") {
		return "", nil, false
	}
	key := strings.Join(names, ".")
	var found *sitter.Node
	var at Call
	var visit func(n *sitter.Node, depth int)
	visit = func(n *sitter.Node, depth int) {
		if found != nil || depth > 40 {
			return
		}
		if n.Kind() == "call" {
			if vc, ok := sm.AsCall(n); ok && strings.HasSuffix(LastName(vc.Fn), "Validator") {
				if k, ok := sm.StringValue(First(vc.Args)); ok && strings.EqualFold(k, key) {
					if d, ok := vc.Kw["default"]; ok {
						found, at = d, vc
						return
					}
				}
			}
		}
		for _, ch := range Children(n) {
			visit(ch, depth+1)
		}
	}
	visit(sm.Root, 0)
	if found == nil {
		return "", nil, false
	}
	v, a, ok := e.Str(sm, found, nil)
	if !ok {
		return "", nil, false
	}
	a = append(a, fmt.Sprintf("assumed %s = %q, the default of Validator(%q) (%s:%d): the settings file or environment may set another", m.Text(n), v, key, sm.File, Line(at.Node)))
	return v, a, true
}

// instanceAttr evaluates obj.attr where obj is a module-level name of m
// bound to Cls() (or to a function returning Cls()), Cls a class of the
// project: the class attribute's default.
func (e *Evaluator) instanceAttr(m *Module, obj, attr, label string, depth int) (string, []string, bool) {
	if depth > 4 || strings.Contains(obj, ".") {
		return "", nil, false
	}
	if _, ok := m.Defs[obj]; ok {
		// A class used directly (Settings.X) or a function.
		return e.classAttr(m, obj, attr, label, 0)
	}
	val, _, _, ok := m.Binding(obj)
	if !ok {
		if target, ok := m.Imports[obj]; ok {
			if t, rest := e.P.Resolve(m, obj); t != nil && rest != "" && t != m {
				return e.instanceAttr(t, rest, attr, label, depth+1)
			}
			_ = target
		}
		return "", nil, false
	}
	c, ok := m.AsCall(val)
	if !ok {
		return "", nil, false
	}
	return e.classAttr(m, c.Fn, attr, label, depth+1)
}

// classAttr finds attr in class cls (a dotted name in m) or in the class a
// function named cls returns, following the project's base classes.
func (e *Evaluator) classAttr(m *Module, cls, attr, label string, depth int) (string, []string, bool) {
	if depth > 6 {
		return "", nil, false
	}
	cm, rest := e.P.Resolve(m, cls)
	if cm == nil || rest == "" || strings.Contains(rest, ".") {
		return "", nil, false
	}
	def := cm.Defs[rest]
	if def == nil {
		return "", nil, false
	}
	if def.Kind() == "decorated_definition" {
		def = def.ChildByFieldName("definition")
	}
	if def == nil {
		return "", nil, false
	}
	if def.Kind() == "function_definition" {
		// def get_settings(): return Settings()
		var found string
		var visit func(x *sitter.Node, d int)
		visit = func(x *sitter.Node, d int) {
			if d > 6 {
				return
			}
			for _, s := range Children(x) {
				if s.Kind() == "return_statement" {
					for _, r := range Children(s) {
						if c, ok := cm.AsCall(r); ok && found == "" {
							found = c.Fn
						}
					}
				}
				switch s.Kind() {
				case "block", "if_statement", "else_clause", "try_statement", "with_statement":
					visit(s, d+1)
				}
			}
		}
		visit(def.ChildByFieldName("body"), 0)
		if found == "" {
			return "", nil, false
		}
		return e.classAttr(cm, found, attr, label, depth+1)
	}
	if def.Kind() != "class_definition" {
		return "", nil, false
	}
	for _, st := range Children(def.ChildByFieldName("body")) {
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, a := range Children(st) {
			if a.Kind() != "assignment" || cm.Text(a.ChildByFieldName("left")) != attr {
				continue
			}
			right := a.ChildByFieldName("right")
			if right == nil {
				continue
			}
			old := e.label
			e.label = label
			v, as, ok := e.Str(cm, right, nil)
			e.label = old
			if !ok {
				return "", nil, false
			}
			if right.Kind() == "string" || right.Kind() == "concatenated_string" {
				if bases := cm.Text(def.ChildByFieldName("superclasses")); strings.Contains(bases, "Settings") {
					as = append(as, fmt.Sprintf("assumed %s = %q, the default of %s.%s (%s:%d; the environment may override it)", label, v, rest, attr, cm.File, Line(a)))
				}
			}
			return v, as, true
		}
	}
	for _, b := range Children(def.ChildByFieldName("superclasses")) {
		if b.Kind() == "keyword_argument" {
			continue
		}
		if v, a, ok := e.classAttr(cm, cm.Text(b), attr, label, depth+1); ok {
			return v, a, true
		}
	}
	return "", nil, false
}

// anywhere is the last resort for a name or attribute: the one string
// literal the project assigns to that name anywhere (module constants,
// class attributes).
func (e *Evaluator) anywhere(m *Module, n *sitter.Node) (string, []string, bool) {
	name := LastName(m.Text(n))
	type hit struct {
		v    string
		file string
		line int
	}
	var hits []hit
	values := map[string]bool{}
	for _, mod := range e.P.Files {
		var visit func(x *sitter.Node, depth int)
		visit = func(x *sitter.Node, depth int) {
			if depth > 3 {
				return
			}
			for _, c := range Children(x) {
				switch c.Kind() {
				case "expression_statement":
					for _, a := range Children(c) {
						if a.Kind() == "assignment" && mod.Text(a.ChildByFieldName("left")) == name {
							if v, ok := mod.StringValue(a.ChildByFieldName("right")); ok {
								if !values[v] {
									hits = append(hits, hit{v, mod.File, Line(a)})
								}
								values[v] = true
							}
						}
					}
				case "class_definition":
					visit(c.ChildByFieldName("body"), depth+1)
				case "decorated_definition":
					if d := c.ChildByFieldName("definition"); d != nil && d.Kind() == "class_definition" {
						visit(d.ChildByFieldName("body"), depth+1)
					}
				}
			}
		}
		visit(mod.Root, 0)
		if len(hits) > 1 {
			return "", nil, false
		}
	}
	if len(hits) != 1 {
		return "", nil, false
	}
	return hits[0].v, []string{fmt.Sprintf("assumed %s = %q, the only string the project assigns to %s (%s:%d)", m.Text(n), hits[0].v, name, hits[0].file, hits[0].line)}, true
}

// Name evaluates a module-level name of m: its last unconditional
// binding, else an import of it, else a star import providing it. label
// names it in assumptions.
func (e *Evaluator) Name(m *Module, name, label string) (string, []string, bool) {
	if !e.budget() {
		return "", nil, false
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > maxEvalDepth {
		return "", nil, false
	}
	val, at, cond, ok := m.Binding(name)
	if ok {
		old := e.label
		e.label = label
		v, a, ok := e.Str(m, val, nil)
		e.label = old
		if !ok {
			return "", nil, false
		}
		if len(cond) > 0 {
			var where []string
			for _, c := range cond {
				where = append(where, fmt.Sprintf("%s:%d", m.File, Line(c)))
			}
			a = append(a, fmt.Sprintf("assumed %s = %q (%s:%d; reassigned under a condition at %s)", label, v, m.File, Line(at), strings.Join(where, ", ")))
		}
		return v, a, true
	}
	if len(cond) > 0 {
		// Only bound under a condition: the first such binding.
		c := cond[0]
		right := c.ChildByFieldName("right")
		old := e.label
		e.label = label
		v, a, ok := e.Str(m, right, nil)
		e.label = old
		if !ok {
			return "", nil, false
		}
		return v, append(a, fmt.Sprintf("assumed %s = %q (%s:%d, bound under a condition)", label, v, m.File, Line(c))), true
	}
	if _, ok := m.Imports[name]; ok {
		if t, rest := e.P.Resolve(m, name); t != nil && t != m && rest != "" && !strings.Contains(rest, ".") {
			return e.Name(t, rest, label)
		}
		return "", nil, false
	}
	for _, sm := range m.starImports(e.P) {
		if sm == m {
			continue
		}
		if v, a, ok := e.Name(sm, name, label); ok {
			return v, a, true
		}
	}
	return "", nil, false
}

// starImports lists the modules m imports with "from X import *", last
// first (a later one wins).
func (m *Module) starImports(p *Project) []*Module {
	var out []*Module
	for _, st := range Children(m.Root) {
		if st.Kind() != "import_from_statement" {
			continue
		}
		star := false
		for i := uint(0); i < st.ChildCount(); i++ {
			if c := st.Child(i); c != nil && c.Kind() == "wildcard_import" {
				star = true
			}
		}
		if !star {
			continue
		}
		from := m.absolute(m.Text(st.ChildByFieldName("module_name")))
		if t := p.FindModule(from); t != nil {
			out = append([]*Module{t}, out...)
		}
	}
	return out
}

// Binding finds the value of a module-level name: the last unconditional
// assignment (=, or annotated) and the assignments after it made under a
// condition (in if, try, for, while or with blocks). ok is false when there
// is no unconditional assignment.
func (m *Module) Binding(name string) (val, at *sitter.Node, cond []*sitter.Node, ok bool) {
	var visit func(n *sitter.Node, conditional bool, depth int)
	visit = func(n *sitter.Node, conditional bool, depth int) {
		if depth > 8 {
			return
		}
		for _, st := range Children(n) {
			switch st.Kind() {
			case "expression_statement":
				for _, a := range Children(st) {
					right, found := assignedTo(m, a, name)
					if !found {
						continue
					}
					if conditional {
						if right != nil {
							cond = append(cond, a)
						}
						continue
					}
					val, at, cond, ok = right, a, nil, right != nil
				}
			case "if_statement", "try_statement", "for_statement", "while_statement", "with_statement",
				"block", "elif_clause", "else_clause", "except_clause", "finally_clause":
				visit(st, true, depth+1)
			}
		}
	}
	visit(m.Root, false, 0)
	return
}

// assignedTo returns the value a statement expression assigns to name
// (a = "x", a: str = "x", a = b = "x"); found with a nil value for other
// bindings of the name (+=, tuple targets).
func assignedTo(m *Module, a *sitter.Node, name string) (*sitter.Node, bool) {
	for depth := 0; depth < 8 && a != nil; depth++ {
		switch a.Kind() {
		case "assignment":
			left := a.ChildByFieldName("left")
			right := a.ChildByFieldName("right")
			if m.Text(left) == name {
				for right != nil && right.Kind() == "assignment" {
					right = right.ChildByFieldName("right")
				}
				return right, true
			}
			a = right
		case "augmented_assignment":
			if m.Text(a.ChildByFieldName("left")) == name {
				return nil, true
			}
			return nil, false
		default:
			return nil, false
		}
	}
	return nil, false
}

// SettingsOf returns the modules of a registered settings object (see
// Settings), found once.
func (e *Evaluator) SettingsOf(object string) []*Module {
	if mods, ok := e.settings[object]; ok {
		return mods
	}
	if e.settings == nil {
		e.settings = map[string][]*Module{}
	}
	var mods []*Module
	if find := e.Settings[object]; find != nil {
		mods = find()
	}
	e.settings[object] = mods
	return mods
}

// condition describes an if condition for assumptions: its text on one
// line, shortened.
func condition(m *Module, n *sitter.Node) string {
	s := strings.Join(strings.Fields(m.Text(n)), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

var debugCondRe = regexp.MustCompile(`^(settings\.)?DEBUG$`)

// branches lists the blocks of an if statement with the assumption under
// which each runs and whether it runs only when settings.DEBUG is true.
type Branch struct {
	Body   *sitter.Node
	Assume string
	debug  bool
}

// TryBranches lists the blocks of a try statement: the body and its else
// (assumed to run without error), each except block (assumed to run when
// it fails), and finally (always).
func TryBranches(m *Module, st *sitter.Node) []Branch {
	where := fmt.Sprintf("%s:%d", m.File, Line(st))
	ok, fails := "assumed the try block at "+where+" runs without error", "assumed the try block at "+where+" fails"
	out := []Branch{{Body: st.ChildByFieldName("body"), Assume: ok}}
	for _, cl := range Children(st) {
		switch cl.Kind() {
		case "except_clause", "finally_clause":
			for _, b := range Children(cl) {
				if b.Kind() == "block" {
					if cl.Kind() == "except_clause" {
						out = append(out, Branch{Body: b, Assume: fails})
					} else {
						out = append(out, Branch{Body: b})
					}
				}
			}
		case "else_clause":
			out = append(out, Branch{Body: cl.ChildByFieldName("body"), Assume: ok})
		}
	}
	return out
}

// IfBranches lists the bodies of an if statement with the assumption
// each is taken under (DEBUG branches marked).
func IfBranches(m *Module, st *sitter.Node) []Branch {
	var out []Branch
	where := fmt.Sprintf("%s:%d", m.File, Line(st))
	cond := st.ChildByFieldName("condition")
	var prior []string
	add := func(c, body *sitter.Node) {
		t := condition(m, c)
		b := Branch{Body: body}
		switch {
		case debugCondRe.MatchString(t):
			b.Assume, b.debug = "assumed settings.DEBUG is true ("+where+"; development only)", true
		case strings.HasPrefix(t, "not ") && debugCondRe.MatchString(strings.TrimSpace(t[4:])):
			b.Assume = "assumed settings.DEBUG is false (" + where + ")"
		default:
			b.Assume = "assumed `" + t + "` holds (" + where + ")"
		}
		out = append(out, b)
		prior = append(prior, t)
	}
	add(cond, st.ChildByFieldName("consequence"))
	for _, alt := range Children(st) {
		switch alt.Kind() {
		case "elif_clause":
			add(alt.ChildByFieldName("condition"), alt.ChildByFieldName("consequence"))
		case "else_clause":
			b := Branch{Body: alt.ChildByFieldName("body")}
			if len(prior) == 1 && debugCondRe.MatchString(prior[0]) {
				b.Assume = "assumed settings.DEBUG is false (" + where + ")"
			} else {
				b.Assume = "assumed `" + strings.Join(prior, "` and `") + "` does not hold (" + where + ")"
			}
			out = append(out, b)
		}
	}
	return out
}

// forItems lists the items a for loop iterates over, when the iterable is
// a list or tuple literal or a name bound to one (up to 500 items).
func (e *Evaluator) forItems(m *Module, it *sitter.Node, locals Env, depth int) ([]binding, bool) {
	if it == nil || depth > 8 {
		return nil, false
	}
	switch it.Kind() {
	case "list", "tuple", "set":
		var out []binding
		for _, c := range Children(it) {
			if c.Kind() == "list_splat" {
				if cs := Children(c); len(cs) == 1 {
					sub, ok := e.forItems(m, cs[0], locals, depth+1)
					if !ok {
						return nil, false
					}
					out = append(out, sub...)
				}
				continue
			}
			out = append(out, binding{m, c})
		}
		if len(out) > 500 {
			out = out[:500]
		}
		return out, true
	case "parenthesized_expression":
		if cs := Children(it); len(cs) == 1 {
			return e.forItems(m, cs[0], locals, depth+1)
		}
	case "binary_operator":
		if m.Text(it.ChildByFieldName("operator")) == "+" {
			l, ok := e.forItems(m, it.ChildByFieldName("left"), locals, depth+1)
			if !ok {
				return nil, false
			}
			r, ok := e.forItems(m, it.ChildByFieldName("right"), locals, depth+1)
			return append(l, r...), ok
		}
	case "identifier":
		name := m.Text(it)
		if b, ok := locals[name]; ok {
			return e.forItems(b.M, b.N, nil, depth+1)
		}
		if v, _, _, ok := m.Binding(name); ok {
			return e.forItems(m, v, nil, depth+1)
		}
		if t, rest := e.P.Resolve(m, name); t != nil && t != m && rest != "" && !strings.Contains(rest, ".") {
			if v, _, _, ok := t.Binding(rest); ok {
				return e.forItems(t, v, nil, depth+1)
			}
		}
	case "attribute":
		if t, rest := e.P.Resolve(m, m.Text(it)); t != nil && rest != "" && !strings.Contains(rest, ".") {
			if v, _, _, ok := t.Binding(rest); ok {
				return e.forItems(t, v, nil, depth+1)
			}
		}
	}
	return nil, false
}

// bindTarget binds a for loop's target (a name, or a tuple of names
// unpacking a tuple item) to an item.
// forBindings lists the locals each iteration of a for loop binds, when it
// loops over something the evaluator can list; why says what stopped it
// (the items, or a target that cannot be bound). *budget counts iterations
// across loops: none are listed past 2,000.
func (e *Evaluator) ForBindings(m *Module, st *sitter.Node, locals Env, budget *int) ([]Env, string) {
	items, ok := e.forItems(m, st.ChildByFieldName("right"), locals, 0)
	if !ok {
		return nil, fmt.Sprintf("%s:%d: the for loop over %s cannot be followed statically", m.File, Line(st), m.Text(st.ChildByFieldName("right")))
	}
	var out []Env
	for _, it := range items {
		if *budget++; *budget > 2000 {
			return out, fmt.Sprintf("%s:%d: too many loop iterations to follow", m.File, Line(st))
		}
		l, ok := bindTarget(m, st.ChildByFieldName("left"), it, locals)
		if !ok {
			return out, fmt.Sprintf("%s:%d: the for loop's target %s cannot be bound statically", m.File, Line(st), m.Text(st.ChildByFieldName("left")))
		}
		out = append(out, l)
	}
	return out, ""
}

func bindTarget(m *Module, target *sitter.Node, item binding, locals Env) (Env, bool) {
	if target == nil {
		return nil, false
	}
	switch target.Kind() {
	case "identifier":
		return locals.with(m.Text(target), item), true
	case "pattern_list", "tuple_pattern", "list_pattern":
		names := Children(target)
		it := item.N
		for it != nil && it.Kind() == "parenthesized_expression" && len(Children(it)) == 1 {
			it = Children(it)[0]
		}
		if it == nil || (it.Kind() != "tuple" && it.Kind() != "list" && it.Kind() != "parenthesized_expression") {
			return nil, false
		}
		vals := Children(it)
		if len(vals) != len(names) {
			return nil, false
		}
		out := locals
		for i, nm := range names {
			if nm.Kind() != "identifier" {
				return nil, false
			}
			out = out.with(m.Text(nm), binding{item.M, vals[i]})
		}
		return out, true
	}
	return nil, false
}

// patPart is a piece of a urlpatterns list as the module builds it: a list
// expression (=, +=, .extend) or one element (.append, .insert), with the
// assumptions under which it is added.
type patPart struct {
	M      *Module
	N      *sitter.Node
	Elem   bool
	Assume []string
	Debug  bool
	Locals Env
}

// ListParts follows how module m builds the list called name at module
// level: assignments (a = [...], a = a + [...], a = b + c), +=, .append,
// .extend and .insert, in if blocks (each branch, with its assumption),
// try blocks and for loops over literal lists. notes collects what cannot
// be followed.
func (e *Evaluator) ListParts(m *Module, name string, notes *[]string) []patPart {
	var parts []patPart
	type ctx struct {
		assume []string
		debug  bool
		locals Env
	}
	push := func(c ctx, a string) ctx {
		if a == "" {
			return c
		}
		c.assume = append(append([]string(nil), c.assume...), a)
		return c
	}
	iterations := 0
	var walk func(n *sitter.Node, c ctx, depth int)
	walk = func(n *sitter.Node, c ctx, depth int) {
		if depth > 8 {
			return
		}
		for _, st := range Children(n) {
			switch st.Kind() {
			case "expression_statement":
				for _, x := range Children(st) {
					e.listStatement(m, name, x, &parts, patPart{M: m, Assume: c.assume, Debug: c.debug, Locals: c.locals}, notes)
				}
			case "if_statement":
				for _, b := range IfBranches(m, st) {
					c2 := push(c, b.Assume)
					c2.debug = c.debug || b.debug
					walk(b.Body, c2, depth+1)
				}
			case "try_statement":
				for _, b := range TryBranches(m, st) {
					walk(b.Body, push(c, b.Assume), depth+1)
				}
			case "with_statement":
				walk(st.ChildByFieldName("body"), c, depth+1)
			case "for_statement":
				if !strings.Contains(m.Text(st), name) {
					continue
				}
				envs, why := e.ForBindings(m, st, c.locals, &iterations)
				if why != "" {
					*notes = append(*notes, why+" (adding to "+name+")")
				}
				for _, l := range envs {
					c2 := c
					c2.locals = l
					walk(st.ChildByFieldName("body"), c2, depth+1)
				}
			case "block":
				walk(st, c, depth+1)
			}
		}
	}
	walk(m.Root, ctx{}, 0)
	return parts
}

// listStatement applies one statement expression to the parts of list name.
func (e *Evaluator) listStatement(m *Module, name string, x *sitter.Node, parts *[]patPart, base patPart, notes *[]string) {
	part := func(n *sitter.Node, elem bool) patPart {
		p := base
		p.N, p.Elem = n, elem
		return p
	}
	switch x.Kind() {
	case "assignment":
		if m.Text(x.ChildByFieldName("left")) != name {
			return
		}
		right := x.ChildByFieldName("right")
		if right == nil {
			return
		}
		// a = a + [...]: the operands other than a are added.
		operands := flattenPlus(right)
		self := false
		for _, o := range operands {
			if o.Kind() == "identifier" && m.Text(o) == name {
				self = true
			}
		}
		if self {
			for _, o := range operands {
				if !(o.Kind() == "identifier" && m.Text(o) == name) {
					*parts = append(*parts, part(o, false))
				}
			}
			return
		}
		// a = f(a): format_suffix_patterns keeps the routes (and adds
		// suffixed variants); another function is assumed to keep them.
		if c, ok := m.AsCall(right); ok {
			for _, arg := range c.Args {
				if arg.Kind() == "identifier" && m.Text(arg) == name {
					if LastName(c.Fn) != "format_suffix_patterns" {
						*notes = append(*notes, fmt.Sprintf("%s:%d: assumed %s() keeps the %s it is given; patterns it may add are not listed", m.File, Line(x), c.Fn, name))
					}
					return
				}
			}
		}
		if len(base.Assume) == 0 {
			*parts = (*parts)[:0]
		}
		*parts = append(*parts, part(right, false))
	case "augmented_assignment":
		if m.Text(x.ChildByFieldName("left")) == name && m.Text(x.ChildByFieldName("operator")) == "+=" {
			*parts = append(*parts, part(x.ChildByFieldName("right"), false))
		}
	case "call":
		c, _ := m.AsCall(x)
		obj, method := SplitLast(c.Fn)
		if obj != name {
			return
		}
		switch method {
		case "append":
			if len(c.Args) == 1 {
				*parts = append(*parts, part(c.Args[0], true))
			}
		case "extend":
			if len(c.Args) == 1 {
				*parts = append(*parts, part(c.Args[0], false))
			}
		case "insert":
			if len(c.Args) == 2 {
				*parts = append(*parts, part(c.Args[1], true))
			}
		}
	}
}

// flattenPlus lists the operands of a chain of + (a + b + c).
func flattenPlus(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	var walk func(n *sitter.Node, depth int)
	walk = func(n *sitter.Node, depth int) {
		if n == nil {
			return
		}
		if depth < 50 && n.Kind() == "binary_operator" && n.ChildByFieldName("operator") != nil && n.ChildByFieldName("operator").Kind() == "+" {
			walk(n.ChildByFieldName("left"), depth+1)
			walk(n.ChildByFieldName("right"), depth+1)
			return
		}
		if depth < 50 && n.Kind() == "parenthesized_expression" && len(Children(n)) == 1 && Children(n)[0].Kind() == "binary_operator" {
			walk(Children(n)[0], depth+1)
			return
		}
		out = append(out, n)
	}
	walk(n, 0)
	return out
}

// CallLocals binds the names a call of a project function sees: its
// parameters (to the call's arguments, in the caller's module cm, else to
// their defaults) and the names its body assigns once at its top level
// (base_pattern = "beta/<int:pk>"), over base. The function's return
// value can then be read with the result (ReturnValue).
func (e *Evaluator) CallLocals(cm *Module, c Call, fm *Module, def *sitter.Node, base Env) Env {
	fn := FuncNode(def)
	env := base
	for pos, p := range Params(fm, def) {
		if a, ok := c.Kw[p.Name]; ok {
			env = env.with(p.Name, binding{M: cm, N: a})
		} else if pos < len(c.Args) {
			env = env.with(p.Name, binding{M: cm, N: c.Args[pos]})
		} else if p.Default != nil {
			env = env.with(p.Name, binding{M: fm, N: p.Default})
		}
	}
	count := map[string]int{}
	var last map[string]*sitter.Node = map[string]*sitter.Node{}
	for _, st := range Children(fn.ChildByFieldName("body")) {
		if st.Kind() != "expression_statement" {
			continue
		}
		for _, a := range Children(st) {
			if a.Kind() != "assignment" {
				continue
			}
			left := a.ChildByFieldName("left")
			if left == nil || left.Kind() != "identifier" {
				continue
			}
			count[fm.Text(left)]++
			last[fm.Text(left)] = a.ChildByFieldName("right")
		}
	}
	for name, n := range last {
		if count[name] == 1 && n != nil {
			env = env.with(name, binding{M: fm, N: n})
		}
	}
	return env
}

// ReturnValue is the expression a function returns at the top level of
// its body (the last return there), or nil.
func ReturnValue(def *sitter.Node) *sitter.Node {
	var out *sitter.Node
	for _, st := range Children(FuncNode(def).ChildByFieldName("body")) {
		if st.Kind() == "return_statement" {
			for _, x := range Children(st) {
				out = x
			}
		}
	}
	return out
}

// ParamDefaults binds the parameters of a function definition that have
// a default to it, over base (names base binds already keep their value),
// those keep accepts (nil: all).
func (e *Evaluator) ParamDefaults(m *Module, def *sitter.Node, base Env, keep func(param string) bool) Env {
	env := base
	for _, p := range Params(m, def) {
		if _, ok := env[p.Name]; ok || p.Default == nil || m.Text(p.Default) == "None" || (keep != nil && !keep(p.Name)) {
			continue
		}
		env = env.with(p.Name, binding{M: m, N: p.Default})
	}
	return env
}

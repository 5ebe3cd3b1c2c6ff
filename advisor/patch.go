package advisor

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

// PatchResult is the unified diff and what it did to each route.
type PatchResult struct {
	Diff    string         `json:"diff"`
	Files   []string       `json:"files"`
	Changes []PatchChange  `json:"changes"`
	Applied []PatchRow     `json:"applied"`
	Skipped []PatchSkipped `json:"skipped"`
}

// PatchChange is one view (or one method or action of a class) that gets a
// header.
type PatchChange struct {
	View         string   `json:"view"`
	File         string   `json:"file"`
	Line         int      `json:"line"`
	Routes       []string `json:"routes"`
	CacheControl string   `json:"cache_control"`
	How          string   `json:"how"`
}

// PatchSkipped is a route row left alone, and why.
type PatchSkipped struct {
	Route   string `json:"route"` // "METHOD pattern"
	Method  string `json:"method"`
	Pattern string `json:"pattern"`
	Reason  string `json:"reason"`
}

// PatchRow is a route row the patch gives a header: every advised row is
// either here, with exactly the advised header, or in Skipped with why.
type PatchRow struct {
	Method       string `json:"method"`
	Pattern      string `json:"pattern"`
	CacheControl string `json:"cache_control"`
	File         string `json:"file"`
	// Note says why the header differs from the row's advice: the view
	// serves other rows too, and the strictest of their headers is written.
	Note string `json:"note,omitempty"`
}

// edit inserts lines before a 0-based line, or replaces one line.
type edit struct {
	at      int
	replace bool
	lines   []string
}

// Patch writes the recommendations into the project's source as a unified
// diff relative to src. Only files under src are touched; a view that
// already sets Cache-Control is left alone unless replace. Only rows of a
// safe method (GET, with HEAD) get a header: Django class views and DRF
// viewsets are decorated per method or action (get, list, retrieve, a GET
// @action), function views that also take unsafe methods get a decorator
// that sets the header on GET and HEAD responses only, and the FastAPI
// middleware is keyed by method.
func Patch(src string, rt *Routes, recs []*Recommendation, replace bool) (*PatchResult, error) {
	res := &PatchResult{}
	edits := map[*module][]edit{}
	newFiles := map[string]string{}

	// One header per decorated target (a function view, or a method or
	// action of a class): rows sharing a target take the most conservative
	// recommendation (shortest shared TTL; private wins).
	type plan struct {
		route  *Route
		rec    *Recommendation
		target string // "" (the function or class itself) or a method/action name
		safe   bool   // a function view that also takes unsafe methods
		routes []string
		recs   []*Recommendation
	}
	plans := map[string]*plan{}
	// helperFor writes the generated module (source) next to m once, unless
	// the project has it already, and returns its file and import path.
	helpers := map[string]bool{}
	helperFor := func(m *module, source string) (file, imp string, err error) {
		if file, imp, err = djangoHelper(src, m); err != nil {
			return "", "", err
		}
		if !helpers[file] {
			helpers[file] = true
			if _, err := os.Stat(filepath.Join(src, file)); err != nil {
				newFiles[file] = source
			}
		}
		return file, imp, nil
	}
	var order []string
	fastapiEntries := map[[2]string]string{}
	var fastapiImmutable []string
	var fastapiRecs []*Recommendation
	for _, rec := range recs {
		r := rec.route
		if r == nil {
			continue
		}
		row := rec.Method + " " + r.Pattern
		skip := func(why string) {
			res.Skipped = append(res.Skipped, PatchSkipped{Route: row, Method: rec.Method, Pattern: r.Pattern, Reason: why})
		}
		switch {
		case !SafeMethod(rec.Method):
			skip(rec.Method + " never gets a shared-cache header (" + rec.Class + ")")
			continue
		case rec.Kept:
			skip("the view sets its own Cache-Control (" + dash(rec.CacheControl) + "), kept; --replace to override")
			continue
		case rec.CacheControl == "":
			skip("no header recommended (" + rec.Class + ")")
			continue
		case r.HasCacheControl && !replace:
			skip("the view already sets Cache-Control; --replace to override")
			continue
		}
		if r.Framework == "flask" && r.Kind == "static" {
			if rec.Class != ClassImmutable || r.appAssign == nil || r.viewMod == nil {
				skip("Flask's static route: only fingerprinted files get a header (immutable)")
				continue
			}
			m := r.viewMod
			if err := underRoot(src, m.file); err != nil {
				skip(err.Error())
				continue
			}
			if strings.Contains(string(m.src), "static_immutable(") {
				skip("static_immutable(app) is already there")
				continue
			}
			helper, imp, err := helperFor(m, flaskHelperSource)
			if err != nil {
				skip(err.Error())
				continue
			}
			at := int(r.appAssign.EndPosition().Row) + 1
			ind := leadingSpace(lineAt(m.src, int(r.appAssign.StartPosition().Row)))
			app := m.text(r.appAssign.ChildByFieldName("left"))
			edits[m] = append(edits[m], importEdit(m, imp, "static_immutable"))
			edits[m] = append(edits[m], edit{at: at, lines: []string{fmt.Sprintf("%sstatic_immutable(%s)", ind, app)}})
			res.Changes = append(res.Changes, PatchChange{View: r.View, File: m.file, Line: at + 1, Routes: []string{row}, CacheControl: rec.CacheControl,
				How: "static_immutable(app) (" + helper + "): fingerprinted files under the static route get " + rec.CacheControl})
			res.Applied = append(res.Applied, PatchRow{Method: rec.Method, Pattern: r.Pattern, CacheControl: rec.CacheControl, File: m.file})
			continue
		}
		if r.Framework == "fastapi" {
			if r.Kind == "static" {
				if rec.Class == ClassImmutable || strings.Contains(rec.CacheControl, "immutable") {
					fastapiImmutable = append(fastapiImmutable, r.routeName)
					fastapiRecs = append(fastapiRecs, rec)
				} else {
					skip("static mount: only fingerprinted files get a header")
				}
				continue
			}
			fastapiEntries[[2]string{"GET", r.Pattern}] = rec.CacheControl
			fastapiRecs = append(fastapiRecs, rec)
			continue
		}
		if r.viewNode == nil || r.viewMod == nil {
			skip("view not found under --src: the header cannot be written")
			continue
		}
		key, target, safe := r.View, "", false
		switch {
		case r.Framework == "flask" && isClass(r.viewNode):
			key, target = r.viewMod.name+"."+r.viewMod.text(classNameNode(r.viewNode)), flaskClassTarget
		case r.Framework == "flask":
			target = flaskFuncTarget
		case r.Kind == "viewset":
			key = r.viewMod.name + "." + r.viewMod.text(classNameNode(r.viewNode))
			target = r.Action
			if target == "" {
				skip("the viewset action of this route is unknown")
				continue
			}
		case isClass(r.viewNode):
			key = r.viewMod.name + "." + r.viewMod.text(classNameNode(r.viewNode))
			if !classServesGet(r.viewMod, r.viewNode) {
				skip("the class defines no get() of its own and its bases are not known views: decorate it by hand")
				continue
			}
			target = "get"
		default:
			safe = !onlySafe(r.Methods)
		}
		pk := key + "|" + target
		p, ok := plans[pk]
		if !ok {
			p = &plan{route: r, rec: rec, target: target, safe: safe}
			plans[pk] = p
			order = append(order, pk)
		} else if stricter(rec, p.rec) {
			p.rec = rec
		}
		p.routes = append(p.routes, row)
		p.recs = append(p.recs, rec)
	}
	sort.Strings(order)
	for _, pk := range order {
		p := plans[pk]
		r := p.route
		m := r.viewMod
		if err := underRoot(src, m.file); err != nil {
			for _, row := range p.routes {
				res.Skipped = append(res.Skipped, PatchSkipped{Route: row, Method: "GET", Pattern: strings.TrimPrefix(row, "GET "), Reason: err.Error()})
			}
			continue
		}
		def := r.viewNode
		startLine := int(def.StartPosition().Row)
		indent := leadingSpace(lineAt(m.src, startLine))
		args := djangoArgs(p.rec.CacheControl)
		flask := p.target == flaskFuncTarget || p.target == flaskClassTarget
		// helper is the generated module next to the views (Flask views and
		// Django views that also take unsafe methods), "" for none.
		helper, imp := "", ""
		if flask || (p.target == "" && p.safe) {
			var err error
			if helper, imp, err = helperFor(m, map[bool]string{true: flaskHelperSource, false: djangoHelperSource}[flask]); err != nil {
				for _, row := range p.routes {
					res.Skipped = append(res.Skipped, PatchSkipped{Route: row, Method: "GET", Pattern: strings.TrimPrefix(row, "GET "), Reason: err.Error()})
				}
				continue
			}
		}
		at := startLine // where the line goes: above the view's decorators by default
		var deco, how string
		switch {
		case flask:
			edits[m] = append(edits[m], importEdit(m, imp, "cache_control_header"))
			call := fmt.Sprintf("cache_control_header(%q%s)", p.rec.CacheControl, map[bool]string{true: ", replace=True", false: ""}[replace])
			if p.target == flaskClassTarget {
				// View.as_view applies the class's decorators list.
				at = int(classNode(def).ChildByFieldName("body").StartPosition().Row)
				deco = leadingSpace(lineAt(m.src, at)) + "decorators = [" + call + "]"
				how = "decorators = [cache_control_header(...)] on the View class (" + helper + "): GET and HEAD responses only"
			} else {
				// Closest to the function, under the route decorators: the
				// view Flask registers is the wrapped one.
				at = int(classNode(def).StartPosition().Row)
				deco = leadingSpace(lineAt(m.src, at)) + "@" + call
				how = "@cache_control_header(...) (" + helper + ") under the route decorators: GET and HEAD responses only"
			}
		case p.target != "":
			deco = fmt.Sprintf(`%s@method_decorator(cache_control(%s), name=%q)`, indent, args, p.target)
			how = fmt.Sprintf(`@method_decorator(cache_control(...), name=%q) on the class: %s responses only`, p.target, p.target)
			edits[m] = append(edits[m], importEdit(m, "django.utils.decorators", "method_decorator"))
			edits[m] = append(edits[m], importEdit(m, "django.views.decorators.cache", "cache_control"))
		case p.safe:
			deco = fmt.Sprintf("%s@cache_control_safe(%s)", indent, args)
			how = "@cache_control_safe(...) (" + helper + ") above the view's other decorators: GET and HEAD responses only, the view also takes other methods"
			edits[m] = append(edits[m], importEdit(m, imp, "cache_control_safe"))
		default:
			deco = fmt.Sprintf("%s@cache_control(%s)", indent, args)
			how = "@cache_control(...) above the view's other decorators (the view takes GET/HEAD only)"
			edits[m] = append(edits[m], importEdit(m, "django.views.decorators.cache", "cache_control"))
		}
		if replace && !flask {
			// Our decorator replaces a single-line cache_control decorator
			// for the same target (Flask's helper replaces the header itself).
			for _, d := range decoratorLines(m, def) {
				if strings.Contains(d.text, "cache_control(") && (p.target == "" || strings.Contains(d.text, `"`+p.target+`"`) || strings.Contains(d.text, `'`+p.target+`'`)) {
					edits[m] = append(edits[m], edit{at: d.line, replace: true, lines: []string{}})
				}
			}
		}
		edits[m] = append(edits[m], edit{at: at, lines: []string{deco}})
		res.Changes = append(res.Changes, PatchChange{View: r.View, File: m.file, Line: startLine + 1, Routes: p.routes, CacheControl: p.rec.CacheControl, How: how})
		for _, rec := range p.recs {
			row := PatchRow{Method: rec.Method, Pattern: rec.route.Pattern, CacheControl: p.rec.CacheControl, File: m.file}
			if rec.CacheControl != p.rec.CacheControl {
				row.Note = fmt.Sprintf("the view also serves %s %s: the stricter header of its rows is written", p.rec.Method, p.rec.route.Pattern)
			}
			res.Applied = append(res.Applied, row)
		}
	}
	if len(fastapiEntries) > 0 || len(fastapiImmutable) > 0 {
		if err := fastapiPatch(src, rt, fastapiEntries, fastapiImmutable, replace, edits, newFiles, res); err != nil {
			return nil, err
		}
		for _, rec := range fastapiRecs {
			res.Applied = append(res.Applied, PatchRow{Method: rec.Method, Pattern: rec.route.Pattern, CacheControl: rec.CacheControl, File: "cdnadvise_cache.py"})
		}
	}
	sort.SliceStable(res.Applied, func(i, j int) bool {
		a, b := res.Applied[i], res.Applied[j]
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		return methodRank(a.Method) < methodRank(b.Method)
	})
	// Render the diff.
	var files []string
	byFile := map[string]*module{}
	for m := range edits {
		files = append(files, m.file)
		byFile[m.file] = m
	}
	sort.Strings(files)
	var out strings.Builder
	for _, f := range files {
		m := byFile[f]
		if len(m.src) > 0 && m.src[len(m.src)-1] != '\n' {
			return nil, fmt.Errorf("%s does not end with a newline: add one first", f)
		}
		after := applyEdits(m.src, edits[m])
		d := difflib.UnifiedDiff{A: splitLines(string(m.src)), B: splitLines(after), FromFile: "a/" + f, ToFile: "b/" + f, Context: 3}
		text, err := difflib.GetUnifiedDiffString(d)
		if err != nil {
			return nil, err
		}
		out.WriteString(fmt.Sprintf("diff --git a/%s b/%s\n", f, f))
		out.WriteString(text)
		res.Files = append(res.Files, f)
	}
	var nf []string
	for f := range newFiles {
		nf = append(nf, f)
	}
	sort.Strings(nf)
	for _, f := range nf {
		body := newFiles[f]
		lines := strings.SplitAfter(body, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		fmt.Fprintf(&out, "diff --git a/%s b/%s\nnew file mode 100644\n--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", f, f, f, len(lines))
		for _, l := range lines {
			out.WriteString("+" + l)
		}
		res.Files = append(res.Files, f)
	}
	res.Diff = out.String()
	return res, nil
}

// stricter reports whether a's header is more conservative than b's.
func stricter(a, b *Recommendation) bool {
	ap, bp := strings.Contains(a.CacheControl, "private") || strings.Contains(a.CacheControl, "no-store"), strings.Contains(b.CacheControl, "private") || strings.Contains(b.CacheControl, "no-store")
	if ap != bp {
		return ap
	}
	return a.TTLSeconds < b.TTLSeconds
}

// underRoot refuses paths that would leave src.
func underRoot(src, rel string) error {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.Clean(rel), "..") {
		return fmt.Errorf("%s is outside --src", rel)
	}
	full := filepath.Join(src, rel)
	if fi, err := os.Lstat(full); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: not touched", rel)
	}
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return nil
	}
	root, err := filepath.EvalSymlinks(src)
	if err != nil {
		return err
	}
	if r, err := filepath.Rel(root, real); err != nil || strings.HasPrefix(r, "..") {
		return fmt.Errorf("%s resolves outside --src", rel)
	}
	return nil
}

var ccDirective = regexp.MustCompile(`^([a-z-]+)(?:=(\d+))?$`)

// djangoArgs turns "public, max-age=0, s-maxage=300" into cache_control's
// keyword arguments: public=True, max_age=0, s_maxage=300.
func djangoArgs(cc string) string {
	var args []string
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		m := ccDirective.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		name := strings.ReplaceAll(m[1], "-", "_")
		if m[2] != "" {
			args = append(args, name+"="+m[2])
		} else {
			args = append(args, name+"=True")
		}
	}
	return strings.Join(args, ", ")
}

func lineAt(src []byte, n int) string {
	lines := bytes.Split(src, []byte("\n"))
	if n < len(lines) {
		return string(lines[n])
	}
	return ""
}

func leadingSpace(s string) string { return s[:len(s)-len(strings.TrimLeft(s, " \t"))] }

type decoLine struct {
	line int
	text string
}

// decoratorLines lists the single-line decorators of a definition
// (0-based line and text).
func decoratorLines(m *module, def *sitter.Node) []decoLine {
	if def.Kind() != "decorated_definition" {
		return nil
	}
	var out []decoLine
	for _, d := range children(def) {
		if d.Kind() == "decorator" && d.StartPosition().Row == d.EndPosition().Row {
			out = append(out, decoLine{line: int(d.StartPosition().Row), text: m.text(d)})
		}
	}
	return out
}

// classNameNode returns the name node of a (decorated) class definition.
func classNameNode(def *sitter.Node) *sitter.Node {
	if def.Kind() == "decorated_definition" {
		def = def.ChildByFieldName("definition")
	}
	return def.ChildByFieldName("name")
}

// importEdit adds "from mod import name" (merged into an existing
// single-line "from mod import ..." when there is one; nothing when the
// name is already imported).
func importEdit(m *module, mod, name string) edit {
	if full, ok := m.imports[name]; ok && full == mod+"."+name {
		return edit{at: -1}
	}
	lines := strings.Split(string(m.src), "\n")
	re := regexp.MustCompile(`^from\s+` + regexp.QuoteMeta(mod) + `\s+import\s+([^()\\#]+?)\s*(#.*)?$`)
	for i, l := range lines {
		if mm := re.FindStringSubmatch(l); mm != nil {
			names := strings.Split(mm[1], ",")
			for j := range names {
				names[j] = strings.TrimSpace(names[j])
			}
			names = append(names, name)
			sort.Strings(names)
			return edit{at: i, replace: true, lines: []string{"from " + mod + " import " + strings.Join(names, ", ")}}
		}
	}
	return edit{at: importAfter(m), lines: []string{"from " + mod + " import " + name}}
}

// applyEdits applies insertions and replacements (deduplicated).
func applyEdits(src []byte, es []edit) string {
	lines := strings.Split(string(src), "\n")
	ins := map[int][]string{}
	rep := map[int]*edit{}
	seen := map[string]bool{}
	for i := range es {
		e := es[i]
		if e.at < 0 {
			continue
		}
		if e.replace {
			if prev, ok := rep[e.at]; ok && len(prev.lines) == 1 && len(e.lines) == 1 {
				// Two merges into the same import line: combine the names.
				prev.lines = []string{mergeImport(prev.lines[0], e.lines[0])}
				continue
			}
			rep[e.at] = &e
			continue
		}
		for _, l := range e.lines {
			k := fmt.Sprint(e.at, l)
			if !seen[k] {
				seen[k] = true
				ins[e.at] = append(ins[e.at], l)
			}
		}
	}
	var out []string
	for i, l := range lines {
		out = append(out, ins[i]...)
		if r, ok := rep[i]; ok {
			out = append(out, r.lines...)
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func mergeImport(a, b string) string {
	ia, ib := strings.Index(a, " import "), strings.Index(b, " import ")
	if ia < 0 || ib < 0 || a[:ia] != b[:ib] {
		return a
	}
	set := map[string]bool{}
	for _, n := range strings.Split(a[ia+8:]+","+b[ib+8:], ",") {
		if n = strings.TrimSpace(n); n != "" {
			set[n] = true
		}
	}
	var names []string
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return a[:ia] + " import " + strings.Join(names, ", ")
}

// importAfter returns the line where a new import goes: after the module's
// last top-level import, or after its docstring when it has none.
func importAfter(m *module) int {
	at := 0
	for _, st := range children(m.root) {
		switch st.Kind() {
		case "import_statement", "import_from_statement", "future_import_statement":
			at = int(st.EndPosition().Row) + 1
		case "expression_statement":
			if at == 0 && len(children(st)) == 1 && children(st)[0].Kind() == "string" {
				at = int(st.EndPosition().Row) + 1
			}
		}
	}
	return at
}

// splitLines splits text into lines that keep their newline (difflib's own
// SplitLines adds a phantom empty last line).
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

package framework

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/cdnadvise/cdnadvise/pysrc"

	"github.com/pmezard/go-difflib/difflib"
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

// Edit inserts lines before a 0-based line, or replaces one line.
type Edit struct {
	At      int
	Replace bool
	Lines   []string
}

// Advised is one route row's advice, as a patch writes it.
type Advised struct {
	Route        *Route
	Method       string
	Class        string // the advice's class, for the reasons a row is left alone
	CacheControl string
	TTLSeconds   int64
	// Kept: the view keeps the header it sets itself.
	Kept bool
	// Immutable: the row is a fingerprinted static file.
	Immutable bool
}

// WritePatch writes the advised rows into the project's source as a
// unified diff relative to src (see Patch).
func WritePatch(src string, rt *Routes, recs []*Advised, replace bool) (*PatchResult, error) {
	pw := &PatchWriter{Src: src, Rt: rt, Replace: replace, Res: &PatchResult{}, Edits: map[*pysrc.Module][]Edit{}, NewFiles: map[string]string{},
		helpers: map[string]bool{}, plans: map[string]*PatchPlan{}, State: map[string]any{}}
	res := pw.Res
	for _, rec := range recs {
		r := rec.Route
		switch {
		case !SafeMethod(rec.Method):
			pw.Skip(r, rec, rec.Method+" never gets a shared-cache header ("+rec.Class+")")
			continue
		case rec.Kept:
			pw.Skip(r, rec, "the view sets its own Cache-Control ("+dash(rec.CacheControl)+"), kept; --replace to override")
			continue
		case rec.CacheControl == "":
			pw.Skip(r, rec, "no header recommended ("+rec.Class+")")
			continue
		case r.HasCacheControl && !replace:
			pw.Skip(r, rec, "the view already sets Cache-Control; --replace to override")
			continue
		}
		if f := rt.home(r.Framework); f != nil {
			f.PatchRow(pw, r, rec)
		}
	}
	sort.Strings(pw.order)
	for _, pk := range pw.order {
		p := pw.plans[pk]
		if err := UnderRoot(src, p.Route.ViewMod.File); err != nil {
			for _, row := range p.routes {
				res.Skipped = append(res.Skipped, PatchSkipped{Route: row, Method: "GET", Pattern: strings.TrimPrefix(row, "GET "), Reason: err.Error()})
			}
			continue
		}
		rt.home(p.Route.Framework).WritePlan(pw, p)
	}
	for _, f := range rt.table {
		if err := f.FinishPatch(pw); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(res.Applied, func(i, j int) bool {
		a, b := res.Applied[i], res.Applied[j]
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		return MethodRank(a.Method) < MethodRank(b.Method)
	})
	if err := pw.render(); err != nil {
		return nil, err
	}
	return res, nil
}

// PatchWriter is the patch being written: the edits per module, the files
// it adds, the plans the frameworks filed, and the result.
type PatchWriter struct {
	Src      string
	Rt       *Routes
	Replace  bool
	Res      *PatchResult
	Edits    map[*pysrc.Module][]Edit
	NewFiles map[string]string
	// helpers are the generated modules already placed (by file).
	helpers map[string]bool
	plans   map[string]*PatchPlan
	order   []string
	// State is what a framework collects over its rows (by framework).
	State map[string]any
}

// PatchPlan is one decorated target (a function view, or a method or
// action of a class): rows sharing a target take the most conservative
// recommendation (shortest shared TTL; private wins).
type PatchPlan struct {
	Route  *Route
	Rec    *Advised
	Target string // "" (the function or class itself) or a method/action name
	Safe   bool   // a function view that also takes unsafe methods
	routes []string
	recs   []*Advised
}

// Skip leaves a row alone, saying why.
func (pw *PatchWriter) Skip(r *Route, rec *Advised, why string) {
	pw.Res.Skipped = append(pw.Res.Skipped, PatchSkipped{Route: rec.Method + " " + r.Pattern, Method: rec.Method, Pattern: r.Pattern, Reason: why})
}

// Plan files a row under the target key (a view and its method or action).
func (pw *PatchWriter) Plan(key, target string, safe bool, r *Route, rec *Advised) {
	pk := key + "|" + target
	p, ok := pw.plans[pk]
	if !ok {
		p = &PatchPlan{Route: r, Rec: rec, Target: target, Safe: safe}
		pw.plans[pk] = p
		pw.order = append(pw.order, pk)
	} else if stricter(rec, p.Rec) {
		p.Rec = rec
	}
	p.routes = append(p.routes, rec.Method+" "+r.Pattern)
	p.recs = append(p.recs, rec)
}

// HelperFor writes the generated module (source) next to m once, unless
// the project has it already, and returns its file and import path. A file
// of that name that is not cdnadvise's (or lacks what source defines) is
// never taken for it: the next free name is used (cdnadvise_cache_2.py).
func (pw *PatchWriter) HelperFor(m *pysrc.Module, source string) (file, imp string, err error) {
	dir := filepath.ToSlash(filepath.Dir(m.File))
	name, exists, err := HelperName(pw.Src, dir, source, pw.NewFiles)
	if err != nil {
		return "", "", err
	}
	file, imp = name+".py", name
	if dir != "." {
		file, imp = dir+"/"+name+".py", "."+name
	}
	if err := UnderRoot(pw.Src, file); err != nil {
		return "", "", err
	}
	if !pw.helpers[file] {
		pw.helpers[file] = true
		if !exists {
			pw.NewFiles[file] = source
		}
	}
	return file, imp, nil
}

// HelperName picks the module name of a generated helper in dir (relative
// to src): cdnadvise_cache, else cdnadvise_cache_2, ... the first that is
// free or already holds this helper (a file written by cdnadvise patch
// that defines every function source defines). exists says the file is
// there already. planned are the files this patch adds.
func HelperName(src, dir, source string, planned map[string]string) (name string, exists bool, err error) {
	for i := 1; i <= 20; i++ {
		name = "cdnadvise_cache"
		if i > 1 {
			name = fmt.Sprintf("cdnadvise_cache_%d", i)
		}
		rel := name + ".py"
		if dir != "." {
			rel = dir + "/" + rel
		}
		if body, ok := planned[rel]; ok {
			if body == source {
				return name, false, nil
			}
			continue
		}
		full := filepath.Join(src, rel)
		if _, err := os.Stat(filepath.Join(src, strings.TrimSuffix(rel, ".py"))); err == nil {
			continue // a package of that name
		}
		b, err := os.ReadFile(full)
		if err != nil {
			if os.IsNotExist(err) {
				return name, false, nil
			}
			return "", false, fmt.Errorf("%s: %w", rel, err)
		}
		if IsOwnHelper(string(b), source) {
			return name, true, nil
		}
	}
	return "", false, fmt.Errorf("%s: cdnadvise_cache.py to cdnadvise_cache_20.py are all taken by other files", dir)
}

// helperDefRe finds the functions a helper module defines.
var helperDefRe = regexp.MustCompile(`(?m)^(?:async )?def ([A-Za-z_][A-Za-z0-9_]*)\(`)

// IsOwnHelper reports whether body is a helper cdnadvise patch wrote that
// defines every top-level function of source.
func IsOwnHelper(body, source string) bool {
	if !strings.Contains(body, "written by cdnadvise patch") {
		return false
	}
	for _, m := range helperDefRe.FindAllStringSubmatch(source, -1) {
		if !regexp.MustCompile(`(?m)^(?:async )?def ` + m[1] + `\(`).MatchString(body) {
			return false
		}
	}
	return true
}

// SkipPlan leaves every row of a plan alone, saying why.
func (pw *PatchWriter) SkipPlan(p *PatchPlan, why string) {
	for _, row := range p.routes {
		pw.Res.Skipped = append(pw.Res.Skipped, PatchSkipped{Route: row, Method: "GET", Pattern: strings.TrimPrefix(row, "GET "), Reason: why})
	}
}

// WritePlan adds a plan's line (deco, inserted before the 0-based line at)
// and records the change and its rows.
func (pw *PatchWriter) WritePlan(p *PatchPlan, at int, deco, how string) {
	r := p.Route
	m := r.ViewMod
	pw.Edits[m] = append(pw.Edits[m], Edit{At: at, Lines: []string{deco}})
	pw.Res.Changes = append(pw.Res.Changes, PatchChange{View: r.View, File: m.File, Line: int(r.ViewNode.StartPosition().Row) + 1, Routes: p.routes, CacheControl: p.Rec.CacheControl, How: how})
	for _, rec := range p.recs {
		row := PatchRow{Method: rec.Method, Pattern: rec.Route.Pattern, CacheControl: p.Rec.CacheControl, File: m.File}
		if rec.CacheControl != p.Rec.CacheControl {
			row.Note = fmt.Sprintf("the view also serves %s %s: the stricter header of its rows is written", p.Rec.Method, p.Rec.Route.Pattern)
		}
		pw.Res.Applied = append(pw.Res.Applied, row)
	}
}

// render writes the unified diff of every edited module and new file.
func (pw *PatchWriter) render() error {
	res := pw.Res
	var files []string
	byFile := map[string]*pysrc.Module{}
	for m := range pw.Edits {
		files = append(files, m.File)
		byFile[m.File] = m
	}
	sort.Strings(files)
	var out strings.Builder
	for _, f := range files {
		m := byFile[f]
		after := applyEdits(m.Src, pw.Edits[m])
		d := difflib.UnifiedDiff{A: splitLines(string(m.Src)), B: splitLines(after), FromFile: "a/" + f, ToFile: "b/" + f, Context: 3}
		text, err := difflib.GetUnifiedDiffString(d)
		if err != nil {
			return err
		}
		out.WriteString(fmt.Sprintf("diff --git a/%s b/%s\n", f, f))
		out.WriteString(noNewlineMarks(text))
		res.Files = append(res.Files, f)
	}
	var nf []string
	for f := range pw.NewFiles {
		nf = append(nf, f)
	}
	sort.Strings(nf)
	for _, f := range nf {
		body := pw.NewFiles[f]
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
	return nil
}

// stricter reports whether a's header is more conservative than b's.
func stricter(a, b *Advised) bool {
	ap, bp := strings.Contains(a.CacheControl, "private") || strings.Contains(a.CacheControl, "no-store"), strings.Contains(b.CacheControl, "private") || strings.Contains(b.CacheControl, "no-store")
	if ap != bp {
		return ap
	}
	return a.TTLSeconds < b.TTLSeconds
}

// UnderRoot refuses paths that would leave src.
func UnderRoot(src, rel string) error {
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

// Import adds "from mod import name" and returns the name the module
// then uses for it: merged into an existing single-line "from mod import
// ..." when there is one; nothing when the name is already imported from
// mod. When the module binds the name to something else (its own
// function, another import, an assignment), it is imported as
// cdnadvise_NAME instead, so that the module's own name is left alone.
func Import(m *pysrc.Module, mod, name string) (Edit, string) {
	if full, ok := m.Imports[name]; ok && full == mod+"."+name {
		return Edit{At: -1}, name
	}
	if boundInModule(m, name) {
		alias := "cdnadvise_" + name
		if full, ok := m.Imports[alias]; ok && full == mod+"."+name {
			return Edit{At: -1}, alias
		}
		return Edit{At: pysrc.ImportAfter(m), Lines: []string{"from " + mod + " import " + name + " as " + alias}}, alias
	}
	lines := strings.Split(string(m.Src), "\n")
	re := regexp.MustCompile(`^from\s+` + regexp.QuoteMeta(mod) + `\s+import\s+([^()\\#]+?)\s*(#.*)?$`)
	for i, l := range lines {
		if mm := re.FindStringSubmatch(l); mm != nil {
			names := strings.Split(mm[1], ",")
			for j := range names {
				names[j] = strings.TrimSpace(names[j])
			}
			names = append(names, name)
			sort.Strings(names)
			return Edit{At: i, Replace: true, Lines: []string{"from " + mod + " import " + strings.Join(names, ", ")}}, name
		}
	}
	return Edit{At: pysrc.ImportAfter(m), Lines: []string{"from " + mod + " import " + name}}, name
}

// boundInModule reports whether a module binds name at its top level: an
// import, a function or class, an assignment.
func boundInModule(m *pysrc.Module, name string) bool {
	if _, ok := m.Imports[name]; ok {
		return true
	}
	if _, ok := m.Defs[name]; ok {
		return true
	}
	_, _, _, ok := m.Binding(name)
	return ok
}

// noNewlineMarks adds the "\\ No newline at end of file" line after a
// diff line that has no newline of its own (the last line of a file that
// does not end with one), as diff and git apply expect.
func noNewlineMarks(text string) string {
	lines := strings.SplitAfter(text, "\n")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		if l != "" && !strings.HasSuffix(l, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
	return b.String()
}

// applyEdits applies insertions and replacements (deduplicated). The
// lines it adds take the file's own line ending (CRLF files stay CRLF);
// the file's last line keeps its final-newline state.
func applyEdits(src []byte, es []Edit) string {
	lines := strings.Split(string(src), "\n")
	// In a CRLF file every line split on \n ends with \r: so do ours.
	eol := ""
	if crlf := strings.Count(string(src), "\r\n"); crlf > 0 && 2*crlf >= strings.Count(string(src), "\n") {
		eol = "\r"
	}
	own := func(ls []string) []string {
		out := make([]string, len(ls))
		for i, l := range ls {
			out[i] = strings.TrimSuffix(l, "\r") + eol
		}
		return out
	}
	ins := map[int][]string{}
	rep := map[int]*Edit{}
	seen := map[string]bool{}
	for i := range es {
		e := es[i]
		if e.At < 0 {
			continue
		}
		if e.Replace {
			if prev, ok := rep[e.At]; ok && len(prev.Lines) == 1 && len(e.Lines) == 1 {
				// Two merges into the same import line: combine the names.
				prev.Lines = []string{mergeImport(prev.Lines[0], e.Lines[0])}
				continue
			}
			rep[e.At] = &e
			continue
		}
		for _, l := range e.Lines {
			k := fmt.Sprint(e.At, l)
			if !seen[k] {
				seen[k] = true
				ins[e.At] = append(ins[e.At], l)
			}
		}
	}
	var out []string
	for i, l := range lines {
		out = append(out, own(ins[i])...)
		if r, ok := rep[i]; ok {
			out = append(out, own(r.Lines)...)
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

// splitLines splits text into lines that keep their newline (difflib's own
// SplitLines adds a phantom empty last line).
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

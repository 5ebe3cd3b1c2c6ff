package charts

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestChartsComputesNothing keeps the renderer a renderer: of the packages
// that compute (read the store, run a step), charts may use the result
// types it draws and the pure formatters listed here, and nothing
// else; it imports none of the packages that read the store or run the
// pipeline. The pipeline gathers the Data (pipeline.Report).
func TestChartsComputesNothing(t *testing.T) {
	const mod = "github.com/cdnadvise/cdnadvise/"
	forbidden := []string{"internal/store", "ingest", "pipeline", "routes", "runs", "pysrc", "framework/django", "framework/fastapi", "framework/flask"}
	allowed := map[string]bool{
		"advisor.Advice": true, "analyze.Report": true, "analyze.Row": true, "analyze.Percentiles": true,
		"replay.SweepResult": true, "replay.Outcome": true, "verify.Result": true, "framework.PatchResult": true,
		"advisor.Summary": true,
		// Pure formatters: a rate change as text, the row name of an unsafe
		// method, a group's description; and one pure predicate on a
		// header string (may a shared cache store it).
		"analyze.Rates": true, "replay.UnsafeEndpoint": true, "advisor.GroupWhy": true, "advisor.SharedHeader": true,
	}
	watched := map[string]string{"advisor": "advisor", "analyze": "analyze", "replay": "replay", "verify": "verify", "framework": "framework"}
	files, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		name := f.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		local := map[string]string{} // local name -> watched package
		for _, imp := range file.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			rel := strings.TrimPrefix(path, mod)
			for _, fb := range forbidden {
				if rel == fb {
					t.Errorf("%s imports %s: charts renders the Data it is handed", name, path)
				}
			}
			if pkg, ok := watched[rel]; ok {
				ln := pkg
				if imp.Name != nil {
					ln = imp.Name.Name
				}
				local[ln] = pkg
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			if pkg, ok := local[id.Name]; ok && !allowed[pkg+"."+sel.Sel.Name] {
				t.Errorf("%s: %s uses %s.%s: only result types and pure formatters of the computing packages belong in charts", name, fset.Position(sel.Pos()), pkg, sel.Sel.Name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no source file checked")
	}
}

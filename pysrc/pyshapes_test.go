package pysrc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMethodsIn(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{`["GET", 'post']`, "GET,POST"},
		{`[HTTPMethods.PATCH]`, "PATCH"},
		{`[HTTPMethod.DELETE, "get"]`, "DELETE,GET"},
		{`methods`, "GET"},
	} {
		if got := strings.Join(MethodsIn(c.in), ","); got != c.want {
			t.Errorf("MethodsIn(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

// TestSrcThatIsAPackage: when --src is itself a package, its modules are
// known by both names Python may import them with (from --src, and from
// its parent), so that either style of absolute import resolves.
func TestSrcThatIsAPackage(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "backend")
	for name, body := range map[string]string{
		"__init__.py":      "",
		"app/__init__.py":  "",
		"app/router.py":    "router = object()\n",
		"app/main.py":      "from backend.app.router import router\n",
		"../not_a_pkg.txt": "",
	} {
		p := filepath.Join(src, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	p, err := LoadProject(src)
	if err != nil {
		t.Fatal(err)
	}
	main := p.Modules["backend.app.main"]
	if main == nil || p.Modules["backend"] == nil || p.Modules["app.main"] != main {
		t.Fatalf("modules: %v", p.Modules)
	}
	if m, rest := p.Resolve(main, "router"); m == nil || m.Name != "app.router" || rest != "router" {
		t.Errorf("router resolves to %v %q", m, rest)
	}
	if m := p.FindModule("app.router"); m == nil {
		t.Error("app.router is ambiguous: its two names are one module")
	}
}

package pysrc

import (
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/lab"
)

// TestEvaluator evaluates module-level names of small modules.
func TestEvaluator(t *testing.T) {
	for _, tc := range []struct {
		name   string
		files  map[string]string
		want   string
		ok     bool
		assume string
	}{
		{"literal", map[string]string{"m.py": "X = 'a/'\n"}, "a/", true, ""},
		{"concat", map[string]string{"m.py": "A = 'api'\nX = A + '/' + \"v1\"\n"}, "api/v1", true, ""},
		{"fstring", map[string]string{"m.py": "A = 'api'\nV = 2\nX = f'{A}/v{{2}}/'\n"}, "api/v{2}/", true, ""},
		{"fstring int", map[string]string{"m.py": "V = 2\nX = f'v{V}'\n"}, "", false, ""},
		{"fstring format spec", map[string]string{"m.py": "A = 'a'\nX = f'{A:>3}'\n"}, "", false, ""},
		{"conditional", map[string]string{"m.py": "X = ''\nif cond():\n    X = 'sub/'\n"}, "", true, `assumed X = "" (m.py:1; reassigned under a condition at m.py:3)`},
		{"only conditional", map[string]string{"m.py": "try:\n    X = 'a'\nexcept Exception:\n    X = 'b'\n"}, "a", true, `assumed X = "a" (m.py:2, bound under a condition)`},
		{"getenv", map[string]string{"m.py": "import os\nX = os.getenv('P', '/p')\n"}, "/p", true, `assumed X = "/p", the default of os.getenv("P") (m.py:2)`},
		{"environ.get", map[string]string{"m.py": "import os\nX = os.environ.get('P', default='/q').rstrip('/')\n"}, "/q", true, `assumed X = "/q", the default of os.environ.get("P") (m.py:2)`},
		{"getenv no default", map[string]string{"m.py": "import os\nX = os.getenv('P')\n"}, "", false, ""},
		{"format", map[string]string{"m.py": "X = '{}/{v}'.format('a', v='b')\n"}, "a/b", true, ""},
		{"import", map[string]string{"c.py": "P = '/c'\n", "m.py": "from c import P\nX = P + '/x'\n"}, "/c/x", true, ""},
		{"star import", map[string]string{"base.py": "P = '/b'\n", "m.py": "from base import *\nX = P\n"}, "/b", true, ""},
		{"self reference", map[string]string{"m.py": "X = X + 'a'\n"}, "", false, ""},
		{"cycle", map[string]string{"m.py": "A = B\nB = A\nX = A\n"}, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := lab.WriteFiles(t, tc.files)
			p, err := LoadProject(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			ev := &Evaluator{P: p}
			v, a, ok := ev.Name(p.Modules["m"], "X", "X")
			if ok != tc.ok || v != tc.want {
				t.Fatalf("got %q %v, want %q %v", v, ok, tc.want, tc.ok)
			}
			if ok && strings.Join(a, "\n") != tc.assume {
				t.Errorf("assumptions %q, want %q", a, tc.assume)
			}
		})
	}
}

package pysrc

import (
	"os/exec"
	"testing"
)

// TestUnescape: Python's own reading of each literal is the expected
// value (Debian's python3 evaluates them; the table holds its answers so
// that the test runs without it too).
func TestUnescape(t *testing.T) {
	cases := []struct{ lit, want string }{
		{`a\x2db`, "a-b"},
		{`caf\u00e9`, "café"},
		{`\U0001F600`, "😀"},
		{`tab\there`, "tab\there"},
		{`^blog/(\d+)/$`, `^blog/(\d+)/$`},
		{`\\d`, `\d`},
		{`it\'s \"q\"`, `it's "q"`},
		{`\101\60`, "A0"},
		{`\N{DASH}`, `\N{DASH}`},
		{`end\`, `end\`},
		{`\x4`, `\x4`},
		{"line\\\ncont", "linecont"},
	}
	for _, c := range cases {
		if got := Unescape(c.lit, false); got != c.want {
			t.Errorf("Unescape(%q) = %q, want %q", c.lit, got, c.want)
		}
	}
	if got := Unescape(`\u00e9\xff`, true); got != `\u00e9`+"\xff" {
		t.Errorf("bytes: %q", got)
	}
	// The table agrees with Python, where it runs.
	if _, err := exec.LookPath("/usr/bin/python3"); err != nil {
		return
	}
	for _, c := range cases {
		if c.lit == `end\` || c.lit == `\x4` || c.lit == `\N{DASH}` {
			continue // not valid Python literals
		}
		out, err := exec.Command("/usr/bin/python3", "-W", "ignore", "-c", "import sys; sys.stdout.write("+`"`+c.lit+`"`+")").Output()
		if err != nil {
			t.Errorf("python3 on %q: %v", c.lit, err)
			continue
		}
		if string(out) != c.want {
			t.Errorf("python3 reads %q as %q, the table says %q", c.lit, out, c.want)
		}
	}
}

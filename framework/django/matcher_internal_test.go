package django

import (
	"regexp"
	"testing"
)

// TestGoRegex: Python's \Z (taiga's kept DRF writes the API root's format
// suffix after it) compiles, and escaped backslashes stay escaped.
func TestGoRegex(t *testing.T) {
	for _, c := range []struct{ in, path string }{
		{`api/v1/\Z\.(?P<format>[a-z0-9]+)`, ""},
		{`feed\Z`, "/feed"},
		{`a\\Zb`, `/a\Zb`},
	} {
		re, err := regexp.Compile("^/" + goRegex(c.in) + "$")
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if c.path != "" && !re.MatchString(c.path) {
			t.Errorf("%s does not match %s", re, c.path)
		}
	}
}

package edge

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// fastlySnippets splits the file into its snippets by type.
func fastlySnippets(t *testing.T, src string) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile(`(?s)# ==== snippet type: (\w+) \(name: (\w+)\) ====\n(.*?)# ==== end snippet (\w+) ====\n`)
	for _, m := range re.FindAllStringSubmatch(src, -1) {
		if m[1] != m[4] || m[2] != "cdnadvise_"+m[1] {
			t.Errorf("snippet %s: name %s, end %s", m[1], m[2], m[4])
		}
		out[m[1]] = m[3]
	}
	return out
}

func TestFastlyVCL(t *testing.T) {
	c := cdnSample()
	src := writeArtifact(t, Fastly{}, ".vcl", c)
	sn := fastlySnippets(t, src)
	if len(sn) != 2 || sn["recv"] == "" || sn["fetch"] == "" {
		t.Fatalf("snippets %v", sn)
	}
	// Snippet types the API accepts.
	for typ := range sn {
		if !strings.Contains(" init recv hash hit miss pass fetch error deliver log none ", " "+typ+" ") {
			t.Errorf("snippet type %q", typ)
		}
	}
	for typ, body := range sn {
		if _, err := scanVCL(body); err != nil {
			t.Errorf("%s: %v\n%s", typ, err, body)
		}
	}
	for _, tc := range []struct {
		name, snippet, want string
	}{
		{"per-user pass", "recv", "} else if (req.url.path ~ \"^/account/[^/]+$\") {\n  # GET /account/{x} (private; Cache-Control: private, no-store)\n  # HEAD /account/{x} (private; Cache-Control: private, no-store)\n  return(pass);\n"},
		{"shared: cookie and tracking", "recv", "if ((req.method == \"GET\" || req.method == \"HEAD\") && req.url.path ~ \"^/api/items/[^/]+$\") {\n  # GET /api/items/{item_id} (cacheable; Cache-Control: public, max-age=60, s-maxage=300)\n  unset req.http.Cookie;\n  set req.url = querystring.filter(req.url, \"gclid\" + querystring.filtersep() + \"utm_source\");\n"},
		{"shared: no query", "recv", "unset req.http.Cookie;\n  set req.url = querystring.remove(req.url);\n"},
		{"shared: set-cookie", "fetch", "req.url.path ~ \"^/about/$\") {\n  unset beresp.http.Set-Cookie;\n"},
	} {
		if !strings.Contains(sn[tc.snippet], tc.want) {
			t.Errorf("%s: %s lacks\n%s\ngot:\n%s", tc.name, tc.snippet, tc.want, sn[tc.snippet])
		}
	}
	if strings.Contains(sn["fetch"], "account") {
		t.Errorf("fetch snippet touches the per-user route")
	}
	if !strings.Contains(src, "# Source: access.log (5 rows)") {
		t.Errorf("no source comment")
	}
}

func TestFastlyHostile(t *testing.T) {
	c := cdnHostile()
	src := writeArtifact(t, Fastly{}, ".vcl", c)
	sn := fastlySnippets(t, src)
	strs := map[string]bool{}
	for typ, body := range sn {
		got, err := scanVCL(body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", typ, err, body)
		}
		for _, s := range got {
			strs[s] = true
		}
	}
	for _, r := range c.Rules {
		// As written: each character a browser percent-encodes also
		// matches its %XX form (req.url.path is as received).
		if !strs[encodedAlternatives(r.Regex)] {
			t.Errorf("regex %q does not read back", r.Regex)
		}
	}
	if !strs["evil\"}\n${x}%{y}%"] {
		t.Errorf("tracking parameter does not read back")
	}
	// Outside strings, every line is code the writer wrote or a comment.
	for _, line := range strings.Split(src, "\n") {
		if strings.Contains(line, "injected") && !strings.HasPrefix(line, "#") {
			t.Errorf("source escaped its comment: %q", line)
		}
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "# evil") || strings.HasPrefix(l, "}/{id}") {
			t.Errorf("pattern text on a line of its own: %q", line)
		}
	}
	nul := Config{Rules: []Rule{{Method: "GET", Pattern: "/x", Regex: "^/x\x00|.*$", Shared: true}}}
	if err := (Fastly{}).Write(&bytes.Buffer{}, ".vcl", nul); err == nil {
		t.Errorf("regex with NUL accepted")
	}
}

func TestFastlyString(t *testing.T) {
	for in, want := range map[string]string{
		`^/a\.b$`:  `"^/a\.b$"`,
		`a"b`:      `"a%22b"`,
		"100%\n":   `"100%25%0A"`,
		"é":        `"%C3%A9"`,
		`{"x"}`:    `"{%22x%22}"`,
		"\x01\x7f": `"%01%7F"`,
	} {
		if got := fastlyString(in); got != want {
			t.Errorf("fastlyString(%q) = %s, want %s", in, got, want)
		}
	}
}

package edge

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cdnSample is a small advised site: a parameterized shared route, a
// static prefix, a literal page, a per-user route and its HEAD twin.
func cdnSample() Config {
	return Config{
		Upstream:       "https://app.example.com:8443",
		Source:         "access.log (5 rows)",
		TrackingParams: []string{"utm_source", "gclid", "utm_source"},
		Rules: []Rule{
			{Method: "GET", Pattern: "/api/items/{item_id}", Regex: `^/api/items/[^/]+$`, Prefix: "/api/items/", Class: "cacheable", CacheControl: "public, max-age=60, s-maxage=300", TTL: 300 * time.Second, Shared: true, Query: "no-tracking"},
			{Method: "GET", Pattern: "/static/{path}", Regex: `^/static/(?P<path>.*)$`, Prefix: "/static/", Class: "static-immutable", CacheControl: "public, max-age=31536000, immutable", TTL: 8760 * time.Hour, Shared: true, Query: "none"},
			{Method: "GET", Pattern: "/about/", Regex: `^/about/$`, Prefix: "/about/", Class: "cacheable", CacheControl: "public, s-maxage=600", TTL: 600 * time.Second, Shared: true, Query: "all"},
			{Method: "GET", Pattern: "/account/{x}", Regex: `^/account/[^/]+$`, Prefix: "/account/", Class: "private", CacheControl: "private, no-store", PerUser: true, Query: "all"},
			{Method: "HEAD", Pattern: "/account/{x}", Regex: `^/account/[^/]+$`, Prefix: "/account/", Class: "private", CacheControl: "private, no-store", PerUser: true, Query: "all"},
		},
	}
}

// hostileRules are routes whose text tries to break out of every format:
// quotes, backslashes, braces, {{, ${ and %{ (HCL templates), %XX (Fastly
// escapes), newlines (comments), r#"..."# delimiters (Cloudflare raw
// strings) and non-UTF-8 bytes.
func hostileRules() []Rule {
	return []Rule{
		{Method: "GET", Pattern: "/h/\"}{{x}}\\\n# evil ${var.x} %{if}", Regex: `^/h/"\}\{\{\\` + "\n" + `\$\{var\}%22%{if}/[^/]+$`, Prefix: "/h/\"}{{\\\n${var}%22%{if}/", Class: "cacheable", CacheControl: "public, s-maxage=60", Shared: true, Query: "no-tracking"},
		{Method: "GET", Pattern: "/lit\"{{}}\\", Regex: `^/lit"\{\{\}\}\\$`, Prefix: "/lit\"{{}}\\", Class: "cacheable", CacheControl: "public, s-maxage=60", Shared: true, Query: "none"},
		{Method: "GET", Pattern: "/raw\"#/{x}", Regex: `^/raw"#"##/` + "\n" + `.*$`, Prefix: "/raw\"#\"##/\n", Class: "cacheable", CacheControl: "public, s-maxage=60", Shared: true, Query: "all"},
		{Method: "GET", Pattern: "/u\"\n}/{id}", Regex: "^/u\"é}/[0-9]+$", Prefix: "/u\"é}/", Class: "private", CacheControl: "private", PerUser: true, Query: "all"},
	}
}

func cdnHostile() Config {
	c := cdnSample()
	c.Source = "log \"}\n# injected ${x}"
	c.Upstream = "http://127.0.0.1:8000"
	c.TrackingParams = append(c.TrackingParams, "evil\"}\n${x}%{y}%")
	c.Rules = append(c.Rules, hostileRules()...)
	return c
}

func writeArtifact(t *testing.T, w Writer, suffix string, c Config) string {
	t.Helper()
	var b bytes.Buffer
	if err := w.Write(&b, suffix, c); err != nil {
		t.Fatalf("%s%s: %v", w.Name(), suffix, err)
	}
	return b.String()
}

// scanHCL reads the HCL the writers produce: it checks that braces and
// brackets balance outside strings and comments, that strings end on their
// line, and returns the decoded strings and the interpolations found.
func scanHCL(src string) (strs, interps []string, err error) {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
			if depth < 0 {
				return nil, nil, fmt.Errorf("unbalanced %q at %d", c, i)
			}
		case '"':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(src) || src[j] == '\n' {
					return nil, nil, fmt.Errorf("unterminated string at %d", i)
				}
				ch := src[j]
				if ch == '"' {
					break
				}
				if ch == '\\' {
					j++
					switch src[j] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					case '"', '\\':
						b.WriteByte(src[j])
					case 'u':
						n, err := strconv.ParseUint(src[j+1:j+5], 16, 32)
						if err != nil {
							return nil, nil, err
						}
						b.WriteRune(rune(n))
						j += 4
					default:
						return nil, nil, fmt.Errorf("bad escape \\%c at %d", src[j], j)
					}
					continue
				}
				if (ch == '$' || ch == '%') && j+2 < len(src) && src[j+1] == ch && src[j+2] == '{' {
					b.WriteByte(ch)
					b.WriteByte('{')
					j += 2
					continue
				}
				if (ch == '$' || ch == '%') && j+1 < len(src) && src[j+1] == '{' {
					end := strings.IndexByte(src[j:], '}')
					if end < 0 {
						return nil, nil, fmt.Errorf("unterminated interpolation at %d", j)
					}
					interps = append(interps, src[j:j+end+1])
					b.WriteString(src[j : j+end+1])
					j += end
					continue
				}
				b.WriteByte(ch)
			}
			strs = append(strs, b.String())
			i = j
		}
	}
	if depth != 0 {
		return nil, nil, fmt.Errorf("unbalanced braces: depth %d at end", depth)
	}
	return strs, interps, nil
}

// scanVCL reads Fastly VCL: # comments, "..." strings without escapes
// (decoded from %XX), balanced braces. It returns the decoded strings.
func scanVCL(src string) ([]string, error) {
	var strs []string
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced } at %d", i)
			}
		case '"':
			end := strings.IndexAny(src[i+1:], "\"\n")
			if end < 0 || src[i+1+end] != '"' {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			raw := src[i+1 : i+1+end]
			var b strings.Builder
			for k := 0; k < len(raw); k++ {
				if raw[k] == '%' {
					n, err := strconv.ParseUint(raw[k+1:min(k+3, len(raw))], 16, 8)
					if err != nil || k+3 > len(raw) {
						return nil, fmt.Errorf("bad %%-escape in %q", raw)
					}
					b.WriteByte(byte(n))
					k += 2
					continue
				}
				b.WriteByte(raw[k])
			}
			strs = append(strs, b.String())
			i += 1 + end
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced braces: depth %d at end", depth)
	}
	return strs, nil
}

func TestRouteShape(t *testing.T) {
	for _, tc := range []struct {
		re   string
		lit  string
		kind pathKind
	}{
		{`^/about/$`, "/about/", pathLiteral},
		{`^/a\.b$`, "/a.b", pathLiteral},
		{`^/static/.*$`, "/static/", pathPrefix},
		{`^/static/(?P<path>.*)$`, "/static/", pathPrefix},
		{`^/static/`, "/static/", pathPrefix},
		{`^/api/items/[^/]+$`, "/api/items/", pathOther},
		{`^/about/?$`, "/about", pathOther},
		{`^(?i)/about$`, "", pathOther},
		{`/about$`, "", pathOther},
		{`^/a(`, "", pathOther},
	} {
		lit, kind := routeShape(tc.re)
		if lit != tc.lit || kind != tc.kind {
			t.Errorf("routeShape(%q) = %q, %v; want %q, %v", tc.re, lit, kind, tc.lit, tc.kind)
		}
	}
}

func TestHCLQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "plain", `a"b\c`, "x\ny\tz\r", "${var.x}", "%{if x}", "$${", "$$${x}", "{{ }}", "\x01\x7f", "é \xff"} {
		strs, interps, err := scanHCL("a = " + hclQuote(s) + "\n")
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if len(strs) != 1 || strs[0] != want || len(interps) != 0 {
			t.Errorf("hclQuote(%q) = %s: read back %q, interpolations %q", s, hclQuote(s), strs, interps)
		}
	}
}

// TestCDNDeterministic: the same rules, in any order, give the same bytes.
func TestCDNDeterministic(t *testing.T) {
	for _, c := range []Config{cdnSample(), cdnHostile()} {
		rev := c
		rev.Rules = append([]Rule(nil), c.Rules...)
		for i, j := 0, len(rev.Rules)-1; i < j; i, j = i+1, j-1 {
			rev.Rules[i], rev.Rules[j] = rev.Rules[j], rev.Rules[i]
		}
		rev.TrackingParams = append([]string(nil), c.TrackingParams...)
		for i, j := 0, len(rev.TrackingParams)-1; i < j; i, j = i+1, j-1 {
			rev.TrackingParams[i], rev.TrackingParams[j] = rev.TrackingParams[j], rev.TrackingParams[i]
		}
		for _, w := range []Writer{Cloudflare{}, Cloudflare{AllPlans: true}, CloudFront{}, Fastly{}} {
			for _, s := range w.Files() {
				a, b, r := writeArtifact(t, w, s, c), writeArtifact(t, w, s, c), writeArtifact(t, w, s, rev)
				if a != b || a != r {
					t.Errorf("%s%s: output differs between runs or rule orders", w.Name(), s)
				}
			}
		}
	}
}

func TestCDNWritersRegistered(t *testing.T) {
	for _, name := range []string{"cloudflare", "cloudfront", "fastly"} {
		w, err := Lookup(name)
		if err != nil || w.Name() != name {
			t.Fatalf("Lookup(%q) = %v, %v", name, w, err)
		}
		var b bytes.Buffer
		if err := w.Write(&b, ".nope", cdnSample()); err == nil {
			t.Errorf("%s: unknown suffix accepted", name)
		}
		for _, s := range w.Files() {
			if out := writeArtifact(t, w, s, Config{}); out == "" {
				t.Errorf("%s%s: empty output for no rules", name, s)
			}
		}
	}
}

// TestCDNExternalTools checks the artifacts with the vendors' tools when
// they are installed (cfn-lint for CloudFormation, terraform fmt for HCL);
// it skips otherwise, so CI without them does not run it.
func TestCDNExternalTools(t *testing.T) {
	if testing.Short() {
		t.Skip("external tools: not in -short")
	}
	dir := t.TempDir()
	ran := false
	for _, c := range []Config{cdnSample(), cdnHostile()} {
		if path, err := exec.LookPath("cfn-lint"); err == nil {
			ran = true
			f := filepath.Join(dir, "cloudfront.json")
			if err := os.WriteFile(f, []byte(writeArtifact(t, CloudFront{}, ".json", c)), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(path, f).CombinedOutput(); err != nil {
				t.Errorf("cfn-lint: %v\n%s", err, out)
			}
		}
		if path, err := exec.LookPath("terraform"); err == nil {
			ran = true
			for _, w := range []Writer{Cloudflare{}, CloudFront{}} {
				src := writeArtifact(t, w, ".tf", c)
				cmd := exec.Command(path, "fmt", "-")
				cmd.Stdin = strings.NewReader(src)
				cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null")
				out, err := cmd.Output()
				if err != nil {
					t.Errorf("terraform fmt %s.tf: %v", w.Name(), err)
				} else if string(out) != src {
					t.Errorf("terraform fmt changes %s.tf:\n%s", w.Name(), out)
				}
			}
		}
	}
	if !ran {
		t.Skip("neither cfn-lint nor terraform on PATH")
	}
}

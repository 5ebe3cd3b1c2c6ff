package edge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// cfLiteral reads one Rules language string at the start of s (quoted with
// \" and \\ escapes, or raw r#"..."#) and returns it and the rest of s.
func cfLiteral(s string) (val, rest string, err error) {
	if strings.HasPrefix(s, "r") {
		n := 1
		for n < len(s) && s[n] == '#' {
			n++
		}
		hashes := s[1:n]
		if n >= len(s) || s[n] != '"' {
			return "", "", fmt.Errorf("bad raw string %q", s)
		}
		end := strings.Index(s[n+1:], `"`+hashes)
		if end < 0 {
			return "", "", fmt.Errorf("unterminated raw string %q", s)
		}
		return s[n+1 : n+1+end], s[n+1+end+1+len(hashes):], nil
	}
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("no string at %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			i++
			if i >= len(s) || s[i] != '"' && s[i] != '\\' {
				return "", "", fmt.Errorf("bad escape in %q", s)
			}
		}
		b.WriteByte(s[i])
	}
	return "", "", fmt.Errorf("unterminated string %q", s)
}

// cfParseExpr reads the three expression shapes the writer produces and
// returns the operator and its decoded operand. Anything else (an operand
// that ends early and leaves text behind: an injection) is an error.
func cfParseExpr(e string) (op, operand string, err error) {
	for _, form := range []struct{ op, head, tail string }{
		{"eq", "http.request.uri.path eq ", ""},
		{"matches", "http.request.uri.path matches ", ""},
		{"starts_with", "starts_with(http.request.uri.path, ", ")"},
	} {
		if !strings.HasPrefix(e, form.head) {
			continue
		}
		val, rest, err := cfLiteral(e[len(form.head):])
		if err != nil {
			return "", "", err
		}
		if rest != form.tail {
			return "", "", fmt.Errorf("text after the operand: %q", rest)
		}
		return form.op, val, nil
	}
	return "", "", fmt.Errorf("unknown expression %q", e)
}

type cfTestRule struct {
	Ref              string         `json:"ref"`
	Description      string         `json:"description"`
	Expression       string         `json:"expression"`
	Action           string         `json:"action"`
	Enabled          *bool          `json:"enabled"`
	ActionParameters map[string]any `json:"action_parameters"`
}

// cfAuthorizationBypass is the rule that ends every ruleset: requests
// carrying Authorization bypass the cache.
const cfAuthorizationBypass = `any(lower(http.request.headers.names[*])[*] eq "authorization")`

// cfDecodeBody decodes the ruleset and checks that its last rule bypasses
// requests with Authorization; it returns the route rules before it.
func cfDecodeBody(t *testing.T, out string) []cfTestRule {
	t.Helper()
	rules := cfDecodeAll(t, out)
	last := rules[len(rules)-1]
	if last.Expression != cfAuthorizationBypass || last.ActionParameters["cache"] != false || len(last.ActionParameters) != 1 {
		t.Fatalf("the last rule is not the Authorization bypass: %+v", last)
	}
	return rules[:len(rules)-1]
}

func cfDecodeAll(t *testing.T, out string) []cfTestRule {
	t.Helper()
	var body struct {
		Description string       `json:"description"`
		Rules       []cfTestRule `json:"rules"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("cloudflare.json: %v\n%s", err, out)
	}
	if len(body.Rules) == 0 {
		t.Fatalf("cloudflare.json: no rules")
	}
	return body.Rules
}

// cfCheckRule checks a rule against the documented Rulesets API shape.
func cfCheckRule(t *testing.T, r cfTestRule) {
	t.Helper()
	if r.Expression == "" || r.Ref == "" || r.Action != "set_cache_settings" || r.Enabled == nil || !*r.Enabled {
		t.Errorf("rule %+v: needs expression, ref, action set_cache_settings, enabled", r)
	}
	if _, _, err := cfParseExpr(r.Expression); err != nil {
		t.Errorf("rule %s: %v", r.Ref, err)
	}
	cache, ok := r.ActionParameters["cache"].(bool)
	if !ok {
		t.Fatalf("rule %s: action_parameters.cache is not a bool: %v", r.Ref, r.ActionParameters)
	}
	if !cache {
		if len(r.ActionParameters) != 1 {
			t.Errorf("rule %s: a bypass rule sets only cache: %v", r.Ref, r.ActionParameters)
		}
		return
	}
	for _, k := range []string{"edge_ttl", "browser_ttl"} {
		ttl, _ := r.ActionParameters[k].(map[string]any)
		mode, _ := ttl["mode"].(string)
		allowed := map[string]bool{"respect_origin": true, "bypass_by_default": true, "override_origin": true, "bypass": k == "browser_ttl"}
		if !allowed[mode] {
			t.Errorf("rule %s: %s.mode %q not allowed", r.Ref, k, mode)
		}
	}
	if ck, ok := r.ActionParameters["cache_key"].(map[string]any); ok {
		qs := ck["custom_key"].(map[string]any)["query_string"].(map[string]any)
		if len(qs) != 1 {
			t.Fatalf("rule %s: query_string needs exactly one of include/exclude: %v", r.Ref, qs)
		}
		for k, v := range qs {
			m := v.(map[string]any)
			_, all := m["all"]
			_, list := m["list"]
			if k != "include" && k != "exclude" || all == list || all && m["all"] != true {
				t.Errorf("rule %s: bad query_string %v", r.Ref, qs)
			}
		}
	}
}

func TestCloudflareJSON(t *testing.T) {
	c := cdnSample()
	rules := cfDecodeBody(t, writeArtifact(t, Cloudflare{}, ".json", c))
	type want struct {
		op, operand string
		cache       bool
		query       string // "", "exclude-all", "exclude:gclid,utm_source"
	}
	wants := []want{
		{"eq", "/about/", true, ""},
		{"starts_with", "/static/", true, "exclude-all"},
		{"matches", `^/account/[^/]+$`, false, ""},
		{"matches", `^/api/items/[^/]+$`, true, "exclude:gclid,utm_source"},
	}
	if len(rules) != len(wants) {
		t.Fatalf("got %d rules, want %d (GET and HEAD of one route make one rule)", len(rules), len(wants))
	}
	refs := map[string]bool{}
	for i, w := range wants {
		r := rules[i]
		cfCheckRule(t, r)
		op, operand, _ := cfParseExpr(r.Expression)
		if op != w.op || operand != w.operand {
			t.Errorf("rule %d: %s %q, want %s %q", i, op, operand, w.op, w.operand)
		}
		if r.ActionParameters["cache"] != w.cache {
			t.Errorf("rule %d: cache %v, want %v", i, r.ActionParameters["cache"], w.cache)
		}
		query := ""
		if ck, ok := r.ActionParameters["cache_key"].(map[string]any); ok {
			ex := ck["custom_key"].(map[string]any)["query_string"].(map[string]any)["exclude"].(map[string]any)
			if ex["all"] == true {
				query = "exclude-all"
			} else {
				var l []string
				for _, p := range ex["list"].([]any) {
					l = append(l, p.(string))
				}
				query = "exclude:" + strings.Join(l, ",")
			}
		}
		if query != w.query {
			t.Errorf("rule %d: query key %q, want %q", i, query, w.query)
		}
		if w.cache && r.ActionParameters["edge_ttl"].(map[string]any)["mode"] != "bypass_by_default" {
			t.Errorf("rule %d: edge TTL must follow the origin", i)
		}
		if refs[r.Ref] {
			t.Errorf("duplicate ref %s", r.Ref)
		}
		refs[r.Ref] = true
	}
}

// TestCloudflareOrder: the last matching rule wins, so a more specific
// route's rule comes after a broader one, and a bypass comes after a cache
// rule of the same specificity.
func TestCloudflareOrder(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []Rule
		want  []string // operands in order
	}{
		{"specific cache inside bypassed prefix", []Rule{
			{Method: "GET", Pattern: "/account/help/", Regex: `^/account/help/$`, Prefix: "/account/help/", Shared: true, Query: "all"},
			{Method: "GET", Pattern: "/account/{p}", Regex: `^/account/.*$`, Prefix: "/account/", PerUser: true},
		}, []string{"/account/", "/account/help/"}},
		{"bypass after cache at equal specificity", []Rule{
			{Method: "GET", Pattern: "/a/{x}/private", Regex: `^/a/[^/]+/private$`, Prefix: "/a/", PerUser: true},
			{Method: "GET", Pattern: "/a/{x}", Regex: `^/a/[^/]+$`, Prefix: "/a/", Shared: true, Query: "all"},
		}, []string{`^/a/[^/]+$`, `^/a/[^/]+/private$`}},
		{"same expression shared and per-user: one bypass wins", []Rule{
			{Method: "GET", Pattern: "/b/{x}", Regex: `^/b/[^/]+$`, Prefix: "/b/", Shared: true, Query: "all"},
			{Method: "HEAD", Pattern: "/b/{x}", Regex: `^/b/[^/]+$`, Prefix: "/b/", PerUser: true},
		}, []string{`^/b/[^/]+$`, `^/b/[^/]+$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules := cfDecodeBody(t, writeArtifact(t, Cloudflare{}, ".json", Config{Rules: tc.rules}))
			var got []string
			for _, r := range rules {
				_, operand, err := cfParseExpr(r.Expression)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, operand)
			}
			if strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
				t.Errorf("order %q, want %q", got, tc.want)
			}
			if last := rules[len(rules)-1]; tc.name != "specific cache inside bypassed prefix" && last.ActionParameters["cache"] != false {
				t.Errorf("last rule should bypass: %v", last.ActionParameters)
			}
		})
	}
}

func TestCloudflareAllPlans(t *testing.T) {
	for _, w := range []Cloudflare{{}, {AllPlans: true}} {
		out := writeArtifact(t, w, ".json", cdnSample())
		n := strings.Count(out, "uri.path matches ")
		if w.AllPlans && n != 0 || !w.AllPlans && n != 2 {
			t.Errorf("AllPlans=%v: %d matches operators", w.AllPlans, n)
		}
		for _, r := range cfDecodeBody(t, out) {
			cfCheckRule(t, r)
		}
	}
}

// TestCloudflareHostile: route text cannot leave its string in the
// expression, in JSON, or in HCL; the operand reads back exactly.
func TestCloudflareHostile(t *testing.T) {
	c := cdnHostile()
	for _, w := range []Cloudflare{{}, {AllPlans: true}} {
		rules := cfDecodeBody(t, writeArtifact(t, w, ".json", c))
		operands := map[string]bool{}
		for _, r := range rules {
			cfCheckRule(t, r)
			_, operand, _ := cfParseExpr(r.Expression)
			operands[operand] = true
		}
		for _, r := range hostileRules() {
			// As written: literals percent-encoded, regexes matching both
			// forms (the path field is normalized, percent-encoded).
			lit, kind := routeShape(r.Regex)
			want := encodedAlternatives(r.Regex)
			switch {
			case kind != pathOther:
				want = percentEncodePath(lit)
			case w.AllPlans:
				want = percentEncodePath(r.Prefix)
			}
			if !operands[want] {
				t.Errorf("AllPlans=%v: no rule reads back %q", w.AllPlans, want)
			}
		}
		tf := writeArtifact(t, w, ".tf", c)
		strs, interps, err := scanHCL(tf)
		if err != nil {
			t.Fatalf("cloudflare.tf: %v\n%s", err, tf)
		}
		if len(interps) != 0 {
			t.Errorf("cloudflare.tf: interpolations %q", interps)
		}
		inTF := map[string]bool{}
		for _, s := range strs {
			inTF[s] = true
		}
		for _, r := range rules {
			if !inTF[r.Expression] || !inTF[r.Description] {
				t.Errorf("cloudflare.tf: rule %s does not read back the JSON expression/description", r.Ref)
			}
		}
		for _, line := range strings.Split(tf, "\n") {
			if strings.Contains(line, "injected") && !strings.HasPrefix(line, "#") {
				t.Errorf("cloudflare.tf: source escaped its comment: %q", line)
			}
		}
	}
	bad := Config{Rules: []Rule{{Method: "GET", Pattern: "/x", Regex: "^/\xff$", Prefix: "/\xff", Shared: true}}}
	if err := (Cloudflare{}).Write(&bytes.Buffer{}, ".json", bad); err == nil {
		t.Errorf("invalid UTF-8 regex accepted")
	}
}

// TestCloudflareTF checks the Terraform resource: provider v4 blocks, one
// rules block per JSON rule with its required attributes.
func TestCloudflareTF(t *testing.T) {
	c := cdnSample()
	tf := writeArtifact(t, Cloudflare{}, ".tf", c)
	if _, _, err := scanHCL(tf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "cloudflare_ruleset" "cdnadvise_cache"`, `phase       = "http_request_cache_settings"`, `kind        = "zone"`, `version = "~> 4.0"`, "zone_id     = var.zone_id", "# Source: access.log (5 rows)"} {
		if !strings.Contains(tf, want) {
			t.Errorf("cloudflare.tf lacks %q", want)
		}
	}
	blocks := strings.Split(tf, "\n  rules {\n")[1:]
	rules := cfDecodeAll(t, writeArtifact(t, Cloudflare{}, ".json", c))
	if len(blocks) != len(rules) {
		t.Fatalf("%d rules blocks, %d JSON rules", len(blocks), len(rules))
	}
	for i, b := range blocks {
		for _, attr := range []string{"ref ", "expression ", "action ", "action_parameters {", "cache "} {
			if !strings.Contains(b, "\n    "+attr) && !strings.Contains(b, "\n      "+attr) && !strings.HasPrefix(b, "    "+attr) {
				t.Errorf("rules block %d lacks %q:\n%s", i, attr, b)
			}
		}
	}
	if !strings.Contains(tf, `exclude = ["*"]`) || !strings.Contains(tf, `exclude = ["gclid", "utm_source"]`) {
		t.Errorf("cloudflare.tf: query_string exclude lists missing:\n%s", tf)
	}
}

// TestCloudflarePercentEncoded: Cloudflare's path field is normalized with
// non-ASCII bytes and a few ASCII ones percent-encoded in upper case, so a
// route /menu/café/ is written as browsers send it, and a regex also
// matches the encoded form.
func TestCloudflarePercentEncoded(t *testing.T) {
	c := Config{Rules: []Rule{
		{Method: "GET", Pattern: "/menu/café/", Regex: `^/menu/café/$`, Prefix: "/menu/café/", Shared: true, Query: "all"},
		{Method: "GET", Pattern: "/tags/é{x}", Regex: `^/tags/é[^/]+$`, Prefix: "/tags/é", Shared: true, Query: "all"},
	}}
	rules := cfDecodeBody(t, writeArtifact(t, Cloudflare{}, ".json", c))
	var got []string
	for _, r := range rules {
		_, operand, err := cfParseExpr(r.Expression)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, operand)
	}
	if len(got) != 2 || got[1] != "/menu/caf%C3%A9/" {
		t.Fatalf("operands %q, want the literal percent-encoded", got)
	}
	re := regexp.MustCompile(got[0])
	for _, p := range []string{"/tags/%C3%A9t%C3%A9", "/tags/été", "/tags/%c3%a9x"} {
		if !re.MatchString(p) {
			t.Errorf("%s does not match %s", got[0], p)
		}
	}
}

package edge

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

type cfnTemplate struct {
	Version    string                     `json:"AWSTemplateFormatVersion"`
	Metadata   map[string]any             `json:"Metadata"`
	Parameters map[string]map[string]any  `json:"Parameters"`
	Conditions map[string]any             `json:"Conditions"`
	Resources  map[string]json.RawMessage `json:"Resources"`
	Outputs    map[string]map[string]any  `json:"Outputs"`
}

func cfnDecode(t *testing.T, out string) cfnTemplate {
	t.Helper()
	var tmpl cfnTemplate
	if err := json.Unmarshal([]byte(out), &tmpl); err != nil {
		t.Fatalf("cloudfront.json: %v", err)
	}
	if tmpl.Version != "2010-09-09" {
		t.Errorf("AWSTemplateFormatVersion %q", tmpl.Version)
	}
	return tmpl
}

// cfnBehaviors checks every resource against the documented shapes and
// returns the distribution's cache behaviors.
func cfnBehaviors(t *testing.T, tmpl cfnTemplate) []map[string]any {
	t.Helper()
	var behaviors []map[string]any
	for id, raw := range tmpl.Resources {
		var res struct {
			Type       string
			Condition  string
			Properties map[string]any
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			t.Fatal(err)
		}
		switch res.Type {
		case "AWS::CloudFront::CachePolicy":
			cfg := res.Properties["CachePolicyConfig"].(map[string]any)
			for _, k := range []string{"Name", "MinTTL", "DefaultTTL", "MaxTTL", "ParametersInCacheKeyAndForwardedToOrigin"} {
				if _, ok := cfg[k]; !ok {
					t.Errorf("%s: CachePolicyConfig lacks %s", id, k)
				}
			}
			if cfg["MinTTL"] != 0.0 {
				t.Errorf("%s: MinTTL %v: private/no-store would be cached", id, cfg["MinTTL"])
			}
			if cfg["DefaultTTL"] != 0.0 || cfg["MaxTTL"] != 31536000.0 {
				t.Errorf("%s: DefaultTTL %v MaxTTL %v", id, cfg["DefaultTTL"], cfg["MaxTTL"])
			}
			p := cfg["ParametersInCacheKeyAndForwardedToOrigin"].(map[string]any)
			for _, k := range []string{"EnableAcceptEncodingGzip", "HeadersConfig", "CookiesConfig", "QueryStringsConfig"} {
				if _, ok := p[k]; !ok {
					t.Errorf("%s: ParametersInCacheKeyAndForwardedToOrigin lacks %s", id, k)
				}
			}
			if p["EnableAcceptEncodingGzip"] != true || p["EnableAcceptEncodingBrotli"] != true {
				t.Errorf("%s: compression not in the key", id)
			}
			// Authorization only: CloudFront removes it otherwise, and a
			// request that carries it is then cached for that credential.
			if hc := p["HeadersConfig"].(map[string]any); hc["HeaderBehavior"] != "whitelist" || fmt.Sprint(hc["Headers"]) != "[Authorization]" {
				t.Errorf("%s: HeadersConfig %v", id, hc)
			}
			if cb := p["CookiesConfig"].(map[string]any)["CookieBehavior"]; cb != "none" {
				t.Errorf("%s: CookieBehavior %v", id, cb)
			}
			qs := p["QueryStringsConfig"].(map[string]any)
			switch qs["QueryStringBehavior"] {
			case "none", "all":
				if _, ok := qs["QueryStrings"]; ok {
					t.Errorf("%s: QueryStrings with %v", id, qs["QueryStringBehavior"])
				}
			case "allExcept", "whitelist":
				if l, _ := qs["QueryStrings"].([]any); len(l) == 0 {
					t.Errorf("%s: %v without QueryStrings", id, qs["QueryStringBehavior"])
				}
			default:
				t.Errorf("%s: QueryStringBehavior %v not allowed", id, qs["QueryStringBehavior"])
			}
		case "AWS::CloudFront::Distribution":
			if _, ok := tmpl.Conditions[res.Condition]; !ok {
				t.Errorf("%s: condition %q not defined", id, res.Condition)
			}
			dc := res.Properties["DistributionConfig"].(map[string]any)
			cfnCheckBehavior(t, tmpl, dc["DefaultCacheBehavior"].(map[string]any), false)
			for _, b := range dc["CacheBehaviors"].([]any) {
				cfnCheckBehavior(t, tmpl, b.(map[string]any), true)
				behaviors = append(behaviors, b.(map[string]any))
			}
		case "AWS::CloudFront::OriginRequestPolicy":
			cfg := res.Properties["OriginRequestPolicyConfig"].(map[string]any)
			for _, k := range []string{"Name", "CookiesConfig", "HeadersConfig", "QueryStringsConfig"} {
				if _, ok := cfg[k]; !ok {
					t.Errorf("%s: OriginRequestPolicyConfig lacks %s", id, k)
				}
			}
			if h, _ := cfg["HeadersConfig"].(map[string]any)["Headers"].([]any); len(h) > 10 {
				t.Errorf("%s: %d headers, over the quota of 10", id, len(h))
			}
		case "AWS::CloudFront::Function":
			for _, k := range []string{"Name", "FunctionCode", "FunctionConfig", "AutoPublish"} {
				if _, ok := res.Properties[k]; !ok {
					t.Errorf("%s: Function lacks %s", id, k)
				}
			}
		default:
			t.Errorf("%s: unexpected type %s", id, res.Type)
		}
	}
	return behaviors
}

var cfnPathPattern = regexp.MustCompile(`^/[A-Za-z0-9_\-.$/~'@:+]*\*?$`)

func cfnCheckBehavior(t *testing.T, tmpl cfnTemplate, b map[string]any, ordered bool) {
	t.Helper()
	for _, k := range []string{"TargetOriginId", "ViewerProtocolPolicy", "CachePolicyId", "AllowedMethods", "CachedMethods"} {
		if _, ok := b[k]; !ok {
			t.Errorf("behavior %v lacks %s", b["PathPattern"], k)
		}
	}
	if p, _ := b["PathPattern"].(string); ordered && !cfnPathPattern.MatchString(p) {
		t.Errorf("PathPattern %q", p)
	}
	if b["ViewerProtocolPolicy"] != "redirect-to-https" || b["TargetOriginId"] != "origin" {
		t.Errorf("behavior %v: %v %v", b["PathPattern"], b["ViewerProtocolPolicy"], b["TargetOriginId"])
	}
	methods := strings.Join(toStrings(b["AllowedMethods"]), ",")
	switch methods {
	case "GET,HEAD", "GET,HEAD,OPTIONS", "GET,HEAD,OPTIONS,PUT,PATCH,POST,DELETE":
	default:
		t.Errorf("AllowedMethods %s not allowed", methods)
	}
	if c := strings.Join(toStrings(b["CachedMethods"]), ","); c != "GET,HEAD" && c != "GET,HEAD,OPTIONS" {
		t.Errorf("CachedMethods %s", c)
	}
	switch id := b["CachePolicyId"].(type) {
	case string:
		if id != cfrontCachingDisabled || b["OriginRequestPolicyId"] != cfrontAllViewer || !strings.HasSuffix(methods, "DELETE") {
			t.Errorf("pass behavior %v: %v %v %s", b["PathPattern"], id, b["OriginRequestPolicyId"], methods)
		}
	case map[string]any:
		if _, ok := tmpl.Resources[id["Ref"].(string)]; !ok {
			t.Errorf("behavior %v: Ref to missing %v", b["PathPattern"], id)
		}
		// A shared behavior forwards viewer values only when its path
		// takes writes, with the viewer-request function dropping the
		// cookies of reads.
		if orp, ok := b["OriginRequestPolicyId"]; ok && (fmt.Sprint(orp) != "map[Ref:OriginRequestPolicyWrites]" || b["FunctionAssociations"] == nil) {
			t.Errorf("shared behavior %v forwards viewer values: %v", b["PathPattern"], orp)
		}
	default:
		t.Errorf("CachePolicyId %v", id)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestCloudFrontJSON(t *testing.T) {
	tmpl := cfnDecode(t, writeArtifact(t, CloudFront{}, ".json", cdnSample()))
	bs := cfnBehaviors(t, tmpl)
	type want struct{ path, policy string }
	wants := []want{
		{"/api/items/*", "CachePolicyQueryNoTracking"},
		{"/account/*", cfrontCachingDisabled},
		{"/static/*", "CachePolicyQueryNone"},
		{"/about/", "CachePolicyQueryAll"},
	}
	if len(bs) != len(wants) {
		t.Fatalf("%d behaviors, want %d", len(bs), len(wants))
	}
	for i, w := range wants {
		policy, _ := bs[i]["CachePolicyId"].(string)
		if m, ok := bs[i]["CachePolicyId"].(map[string]any); ok {
			policy = m["Ref"].(string)
		}
		if bs[i]["PathPattern"] != w.path || policy != w.policy {
			t.Errorf("behavior %d: %v %v, want %v %v", i, bs[i]["PathPattern"], policy, w.path, w.policy)
		}
	}
	if d := tmpl.Parameters["OriginDomainName"]["Default"]; d != "app.example.com" {
		t.Errorf("origin default %v", d)
	}
	for _, p := range []string{"CachePolicyQueryAll", "CachePolicyQueryNone", "CachePolicyQueryNoTracking"} {
		if _, ok := tmpl.Outputs[p+"Id"]; !ok {
			t.Errorf("no output for %s", p)
		}
	}
	if tmpl.Metadata["cdnadvise"].(map[string]any)["Source"] != "access.log (5 rows)" {
		t.Errorf("metadata source %v", tmpl.Metadata)
	}
}

func TestCloudFrontPathPattern(t *testing.T) {
	for _, tc := range []struct {
		regex, prefix, want string
		ok                  bool
	}{
		{`^/about/$`, "/about/", "/about/", true},
		{`^/a b/$`, "/a b/", "/a*", true},
		{`^/static/.*$`, "/static/", "/static/*", true},
		{`^/api/items/[^/]+$`, "/api/items/", "/api/items/*", true},
		{`^/q\?x/[^/]+$`, "/q?x/", "/q*", true},
		{`^/[^/]+/$`, "/", "", false},
		{`^/"x/[^/]+$`, `/"x/`, "", false},
	} {
		got, ok := cfrontPathPattern(Rule{Regex: tc.regex, Prefix: tc.prefix})
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.regex, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCloudFrontHostile(t *testing.T) {
	c := cdnHostile()
	tmpl := cfnDecode(t, writeArtifact(t, CloudFront{}, ".json", c))
	cfnBehaviors(t, tmpl)
	if d := tmpl.Parameters["OriginDomainName"]["Default"]; d != "" {
		t.Errorf("an IP upstream gave origin default %v", d)
	}
	tf := writeArtifact(t, CloudFront{}, ".tf", c)
	strs, interps, err := scanHCL(tf)
	if err != nil {
		t.Fatalf("cloudfront.tf: %v\n%s", err, tf)
	}
	for _, in := range interps {
		if in != "${var.name_prefix}" {
			t.Errorf("cloudfront.tf: interpolation %q", in)
		}
	}
	found := false
	for _, s := range strs {
		found = found || s == "evil\"}\n${x}%{y}%"
	}
	if !found {
		t.Errorf("cloudfront.tf: tracking parameter does not read back")
	}
	for _, line := range strings.Split(tf, "\n") {
		if strings.Contains(line, "injected") && !strings.HasPrefix(line, "#") {
			t.Errorf("cloudfront.tf: source escaped its comment: %q", line)
		}
	}
}

func TestCloudFrontTF(t *testing.T) {
	tf := writeArtifact(t, CloudFront{}, ".tf", cdnSample())
	if _, _, err := scanHCL(tf); err != nil {
		t.Fatal(err)
	}
	resources := strings.Split(tf, "\nresource \"aws_cloudfront_cache_policy\" ")[1:]
	if len(resources) != 3 {
		t.Fatalf("%d cache policies, want 3", len(resources))
	}
	for _, r := range resources {
		r = r[:strings.Index(r, "\n}\n")]
		for _, attr := range []string{"name ", "min_ttl     = 0", "default_ttl = 0", "max_ttl     = 31536000",
			"parameters_in_cache_key_and_forwarded_to_origin {", "enable_accept_encoding_gzip ", "enable_accept_encoding_brotli ",
			"cookies_config {", `cookie_behavior = "none"`, "headers_config {", `header_behavior = "whitelist"`, `items = ["Authorization"]`, "query_strings_config {", "query_string_behavior "} {
			if !strings.Contains(r, attr) {
				t.Errorf("cache policy %s lacks %q", strings.SplitN(r, " ", 2)[0], attr)
			}
		}
	}
	if !strings.Contains(tf, `query_string_behavior = "allExcept"`) || !strings.Contains(tf, `items = ["gclid", "utm_source"]`) {
		t.Errorf("allExcept policy missing")
	}
	for _, want := range []string{"#   ordered_cache_behavior {", `#     path_pattern           = "/api/items/*"`, "aws_cloudfront_cache_policy.query_no_tracking.id", cfrontCachingDisabled} {
		if !strings.Contains(tf, want) {
			t.Errorf("cloudfront.tf lacks %q", want)
		}
	}
}

// TestCloudFrontWritesAndQuota: a shared path that also takes writes
// allows every method, forwards cookies and CSRF headers through the
// writes origin request policy, and drops the cookies of GET and HEAD in
// a viewer-request function (run here with node, when it is there, on a
// GET and a POST); the 22 default tracking names exceed CloudFront's
// quota of 10 query strings, so the no-tracking key is an allow-list of
// the parameters the route was seen with, and the file says so.
func TestCloudFrontWritesAndQuota(t *testing.T) {
	tracking := []string{"utm_*", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "yclid", "igshid", "ttclid", "twclid"}
	c := Config{Upstream: "https://app.example.com", TrackingParams: tracking, Rules: []Rule{
		{Method: "GET", Pattern: "/api/items/", Regex: `^/api/items/$`, Prefix: "/api/items/", Class: "cacheable", CacheControl: "public, s-maxage=60", TTL: time.Minute, Shared: true, Query: "no-tracking",
			Params: []string{"page", "q", "utm_source", "gclid"}, Writes: []string{"POST"}},
		{Method: "GET", Pattern: "/about/", Regex: `^/about/$`, Prefix: "/about/", Class: "cacheable", CacheControl: "public, s-maxage=600", TTL: 10 * time.Minute, Shared: true, Query: "all"},
	}}
	tmpl := cfnDecode(t, writeArtifact(t, CloudFront{}, ".json", c))
	bs := cfnBehaviors(t, tmpl)
	byPath := map[string]map[string]any{}
	for _, b := range bs {
		byPath[b["PathPattern"].(string)] = b
	}
	items, about := byPath["/api/items/"], byPath["/about/"]
	if m := strings.Join(toStrings(items["AllowedMethods"]), ","); !strings.HasSuffix(m, "DELETE") {
		t.Errorf("/api/items/ takes POST: AllowedMethods %s", m)
	}
	if fmt.Sprint(items["OriginRequestPolicyId"]) != "map[Ref:OriginRequestPolicyWrites]" || items["FunctionAssociations"] == nil {
		t.Errorf("/api/items/: %v %v", items["OriginRequestPolicyId"], items["FunctionAssociations"])
	}
	if m := strings.Join(toStrings(about["AllowedMethods"]), ","); m != "GET,HEAD,OPTIONS" || about["FunctionAssociations"] != nil || about["OriginRequestPolicyId"] != nil {
		t.Errorf("/about/ takes reads only: %s %v %v", m, about["FunctionAssociations"], about["OriginRequestPolicyId"])
	}
	var pol struct {
		Properties struct {
			CachePolicyConfig struct {
				ParametersInCacheKeyAndForwardedToOrigin struct {
					QueryStringsConfig struct {
						QueryStringBehavior string
						QueryStrings        []string
					}
				}
			}
		}
	}
	if err := json.Unmarshal(tmpl.Resources["CachePolicyQueryNoTracking"], &pol); err != nil {
		t.Fatal(err)
	}
	if q := pol.Properties.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin.QueryStringsConfig; q.QueryStringBehavior != "whitelist" || strings.Join(q.QueryStrings, ",") != "page,q" {
		t.Errorf("no-tracking key: %+v, want the allow-list page,q", q)
	}
	if notes := fmt.Sprint(tmpl.Metadata["cdnadvise"]); !strings.Contains(notes, "allow-list of the 2 parameters the routes were seen with (page, q)") {
		t.Errorf("the file does not say it chose an allow-list: %s", notes)
	}
	tf := writeArtifact(t, CloudFront{}, ".tf", c)
	if _, _, err := scanHCL(tf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`resource "aws_cloudfront_origin_request_policy" "writes"`, `resource "aws_cloudfront_function" "cookieless_reads"`,
		"function_arn = aws_cloudfront_function.cookieless_reads.arn", `query_string_behavior = "whitelist"`, `items = ["page", "q"]`} {
		if !strings.Contains(tf, want) {
			t.Errorf("cloudfront.tf lacks %q", want)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Log("node not found: the function's code is not run")
		return
	}
	script := cfrontReadsCode + `
for (const method of ["GET", "HEAD", "POST"]) {
  const out = handler({request: {method, uri: "/api/items/", cookies: {sessionid: {value: "s"}, csrftoken: {value: "c"}}, headers: {}}});
  console.log(method + " " + Object.keys(out.cookies).sort().join(","));
}
`
	out, err := exec.Command("node", "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "GET \nHEAD \nPOST csrftoken,sessionid" {
		t.Errorf("the function keeps %q, want no cookies on GET/HEAD and both on POST", got)
	}
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/replay"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// examplePaths are requests for the example apps' routes, with campaign
// and click parameters on some (the no-tracking key drops them).
var examplePaths = map[string][]string{
	"django_app":  {"/", "/api/items/", "/api/leaderboard/", "/search/?q=a", "/search/?q=b&utm_source=mail", "/api/me/", "/api/family/chores/", "/static/app.3f2a9c1b.js", "/api/items/3/?utm_campaign=x&gclid=y"},
	"fastapi_app": {"/", "/api/items", "POST /api/items", "/api/leaderboard", "/search?q=a", "/search?q=b&utm_source=mail", "/api/me", "/api/family/chores", "/static/app.3f2a9c1b.js", "/api/items/3?utm_campaign=x&gclid=y"},
	"flask_app":   {"/", "/api/items", "POST /api/items", "/api/leaderboard", "/search?q=a", "/search?q=b&utm_source=mail", "/api/me", "/api/family/chores", "/static/app.3f2a9c1b.js", "/api/items/3?utm_campaign=x&gclid=y"},
}

// TestVendorToolsAcceptEdgeFiles: for the three example apps and both key
// policies (raw, no-tracking), the files cdnadvise edge writes are
// accepted by the vendors' own tools: the Fastly snippets, placed at the
// #FASTLY macros of the boilerplate, by falco's lint; the Cloudflare
// ruleset body and the CloudFront policies, functions and cache
// behaviors (CloudFormation's shapes turned into the API's: lists become
// {Quantity, Items}) by tsc --strict against the official SDK request
// types (cloudflare's PhaseUpdateParams, @aws-sdk/client-cloudfront's
// CreateCachePolicyRequest, CreateOriginRequestPolicyRequest,
// CreateFunctionRequest, CacheBehavior), each pasted as a literal with
// satisfies so that every string keeps its literal type; the Terraform
// files (read with cdktf's hcl2json) against the providers' schemas as
// cdktf generates them (@cdktf/provider-cloudflare for cloudflare/cloudflare
// 4.52, @cdktf/provider-aws for hashicorp/aws 5.84: RulesetConfig,
// CloudfrontCachePolicyConfig, CloudfrontOriginRequestPolicyConfig,
// CloudfrontFunctionConfig), which catch a misnamed or misplaced block or
// attribute.
func TestVendorToolsAcceptEdgeFiles(t *testing.T) {
	falco := lab.Falco(t)
	vc := lab.VendorCheck(t, "..")
	var ts strings.Builder
	ts.WriteString(`import type { PhaseUpdateParams } from "cloudflare/resources/rulesets/phases/phases";
import type { CacheBehavior, CreateCachePolicyRequest, CreateFunctionRequest, CreateOriginRequestPolicyRequest, DefaultCacheBehavior } from "@aws-sdk/client-cloudfront";
import type { RulesetConfig } from "@cdktf/provider-cloudflare/lib/ruleset";
import type { CloudfrontCachePolicyConfig } from "@cdktf/provider-aws/lib/cloudfront-cache-policy";
import type { CloudfrontOriginRequestPolicyConfig } from "@cdktf/provider-aws/lib/cloudfront-origin-request-policy";
import type { CloudfrontFunctionConfig } from "@cdktf/provider-aws/lib/cloudfront-function";
`)
	tfDir := t.TempDir()
	n := 0
	for _, app := range []string{"django_app", "fastapi_app", "flask_app"} {
		dir := lab.CopyTree(t, "../examples/"+app)
		rt := routestest.Static(t, dir)
		paths := examplePaths[app]
		for i := 1; i <= 30; i++ {
			paths = append(paths, strings.Replace(map[bool]string{true: "/api/items/%d/", false: "/api/items/%d"}[app == "django_app"], "%d", fmt.Sprint(i), 1))
		}
		st := trafficStore(t, paths, 3000)
		adv, err := Advise(context.Background(), st, advisor.Options{Routes: rt, Sweep: sweepGeneric()})
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []replay.KeyPolicy{replay.KeyRaw, replay.KeyNoTracking} {
			c := edge.Config{Upstream: "https://app.example.com", Rules: advisor.EdgeRules(adv, key), Source: app}
			if key == replay.KeyNoTracking {
				c.TrackingParams = analyze.TrackingParams()
			}
			name := strings.TrimSuffix(app, "_app") + "_" + strings.ReplaceAll(string(key), "-", "_")
			// Fastly: falco lint on the boilerplate with the snippets.
			var fb bytes.Buffer
			if err := (edge.Fastly{}).Write(&fb, ".vcl", c); err != nil {
				t.Fatal(err)
			}
			main, err := edge.FastlyMainVCL(fb.String(), "app.example.com", "443")
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "main.vcl")
			os.WriteFile(f, []byte(main), 0o644)
			if out, err := exec.Command(falco, "lint", f).CombinedOutput(); err != nil {
				t.Errorf("%s: falco lint: %v\n%s\n%s", name, err, out, main)
			}
			// Cloudflare: the rulesets API body.
			var cb bytes.Buffer
			if err := (edge.Cloudflare{}).Write(&cb, ".json", c); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&ts, "\nexport const cloudflare_%s = %s satisfies PhaseUpdateParams;\n", name, strings.TrimSpace(cb.String()))
			// CloudFront: the template's resources, as API requests.
			var fr bytes.Buffer
			if err := (edge.CloudFront{}).Write(&fr, ".json", c); err != nil {
				t.Fatal(err)
			}
			n += cloudFrontAsTS(t, &ts, name, fr.Bytes())
			// The Terraform files, for the providers' schemas below.
			for _, w := range []edge.Writer{edge.Cloudflare{}, edge.CloudFront{}} {
				var tb bytes.Buffer
				if err := w.Write(&tb, ".tf", c); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(tfDir, w.Name()+"_"+name+".tf"), tb.Bytes(), 0o644)
			}
		}
	}
	if m := terraformAsTS(t, &ts, vc, tfDir); m == 0 {
		t.Fatal("no Terraform resource was checked")
	}
	if n == 0 {
		t.Fatal("no CloudFront resource was checked")
	}
	work := t.TempDir()
	check := filepath.Join(work, "check.ts")
	os.WriteFile(check, []byte(ts.String()), 0o644)
	cmd := exec.Command(filepath.Join(vc, "node_modules", ".bin", "tsc"), "--strict", "--noEmit", "--skipLibCheck", "--target", "es2020", "--module", "commonjs",
		"--moduleResolution", "node", "--typeRoots", filepath.Join(vc, "node_modules", "@types"), "--baseUrl", filepath.Join(vc, "node_modules"), check)
	cmd.Dir = vc
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("tsc --strict: %v\n%s", err, out)
	}
}

// cloudFrontAsTS writes each resource of a CloudFront template as the API
// request it stands for, checked with satisfies; it returns how many.
func cloudFrontAsTS(t *testing.T, ts *strings.Builder, name string, tmpl []byte) int {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(tmpl, &doc); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(doc.Resources))
	for id := range doc.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	n := 0
	lit := func(v any) string {
		b, err := json.MarshalIndent(apiShape(v), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, id := range ids {
		r := doc.Resources[id]
		v := fmt.Sprintf("cloudfront_%s_%s", name, id)
		switch r.Type {
		case "AWS::CloudFront::CachePolicy":
			fmt.Fprintf(ts, "\nexport const %s = {CachePolicyConfig: %s} satisfies CreateCachePolicyRequest;\n", v, lit(r.Properties["CachePolicyConfig"]))
		case "AWS::CloudFront::OriginRequestPolicy":
			fmt.Fprintf(ts, "\nexport const %s = {OriginRequestPolicyConfig: %s} satisfies CreateOriginRequestPolicyRequest;\n", v, lit(r.Properties["OriginRequestPolicyConfig"]))
		case "AWS::CloudFront::Function":
			code, _ := json.Marshal(r.Properties["FunctionCode"])
			fmt.Fprintf(ts, "\nexport const %s = {Name: %s, FunctionConfig: %s, FunctionCode: new TextEncoder().encode(%s)} satisfies CreateFunctionRequest;\n",
				v, lit(r.Properties["Name"]), lit(r.Properties["FunctionConfig"]), code)
		case "AWS::CloudFront::Distribution":
			dc := r.Properties["DistributionConfig"].(map[string]any)
			fmt.Fprintf(ts, "\nexport const %s_default = %s satisfies DefaultCacheBehavior;\n", v, lit(behaviorShape(dc["DefaultCacheBehavior"].(map[string]any))))
			for i, b := range dc["CacheBehaviors"].([]any) {
				fmt.Fprintf(ts, "\nexport const %s_%d = %s satisfies CacheBehavior;\n", v, i, lit(behaviorShape(b.(map[string]any))))
			}
		default:
			t.Errorf("%s: resource type %s not checked", id, r.Type)
			continue
		}
		n++
	}
	return n
}

// behaviorShape moves CachedMethods under AllowedMethods, as the API has it.
func behaviorShape(b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	if am, ok := out["AllowedMethods"].([]any); ok {
		allowed := map[string]any{"Quantity": len(am), "Items": am}
		if cm, ok := out["CachedMethods"].([]any); ok {
			allowed["CachedMethods"] = map[string]any{"Quantity": len(cm), "Items": cm}
		}
		out["AllowedMethods"] = allowed
		delete(out, "CachedMethods")
	}
	return out
}

// apiShape turns CloudFormation's property shapes into the CloudFront
// API's: the lists the API wraps become {Quantity, Items}, and
// CloudFormation's intrinsic functions (Ref, Fn::Sub, Fn::GetAtt) become
// a placeholder string.
func apiShape(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				return "resolved-by-cloudformation"
			}
		}
		out := map[string]any{}
		for k, val := range x {
			val = apiShape(val)
			if l, ok := val.([]any); ok && wrappedLists[k] {
				val = map[string]any{"Quantity": len(l), "Items": l}
			}
			out[k] = val
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = apiShape(e)
		}
		return out
	}
	return v
}

// wrappedLists are the properties whose lists the API wraps in
// {Quantity, Items}.
var wrappedLists = map[string]bool{"QueryStrings": true, "Headers": true, "Cookies": true, "FunctionAssociations": true}

// terraformAsTS reads every .tf file of dir with cdktf's hcl2json and
// writes each provider resource as the cdktf configuration it stands for
// (attribute and block names in camelCase; the AWS provider's blocks of at
// most one item as a single object, the Cloudflare provider's as lists),
// checked with satisfies; it returns how many.
func terraformAsTS(t *testing.T, ts *strings.Builder, vc, dir string) int {
	t.Helper()
	script := `const { parse } = require("@cdktf/hcl2json");
const fs = require("fs"), path = require("path");
(async () => {
  const out = {};
  for (const f of fs.readdirSync(process.argv[1]).filter(f => f.endsWith(".tf")).sort()) {
    out[f] = await parse(f, fs.readFileSync(path.join(process.argv[1], f), "utf8"));
  }
  process.stdout.write(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
`
	cmd := exec.Command("node", "-e", script, dir)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(vc, "node_modules"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hcl2json: %v\n%s", err, stderr.String())
	}
	var files map[string]struct {
		Resource map[string]map[string][]any `json:"resource"`
	}
	if err := json.Unmarshal(out, &files); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{
		"cloudflare_ruleset":                   "RulesetConfig",
		"aws_cloudfront_cache_policy":          "CloudfrontCachePolicyConfig",
		"aws_cloudfront_origin_request_policy": "CloudfrontOriginRequestPolicyConfig",
		"aws_cloudfront_function":              "CloudfrontFunctionConfig",
	}
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	n := 0
	for _, f := range names {
		for typ, byName := range files[f].Resource {
			tsType, ok := types[typ]
			if !ok {
				t.Errorf("%s: resource type %s not checked", f, typ)
				continue
			}
			for name, bodies := range byName {
				for i, body := range bodies {
					b, err := json.MarshalIndent(cdktfShape(body, strings.HasPrefix(typ, "aws_")), "", "  ")
					if err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(ts, "\nexport const tf_%s_%s_%d = %s satisfies %s;\n", strings.TrimSuffix(f, ".tf"), name, i, b, tsType)
					n++
				}
			}
		}
	}
	return n
}

// cdktfShape turns hcl2json's reading of a resource body into its cdktf
// configuration: names in camelCase; with single, a block given once (a
// list of one object) becomes that object.
func cdktfShape(v any, single bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			out[camelCase(k)] = cdktfShape(val, single)
		}
		return out
	case []any:
		if single && len(x) == 1 {
			if _, ok := x[0].(map[string]any); ok {
				return cdktfShape(x[0], single)
			}
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cdktfShape(e, single)
		}
		return out
	}
	return v
}

// camelCase turns a Terraform name (edge_ttl) into cdktf's (edgeTtl).
func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

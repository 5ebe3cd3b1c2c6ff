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
	"github.com/cdnadvise/cdnadvise/routes"
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
// satisfies so that every string keeps its literal type.
func TestVendorToolsAcceptEdgeFiles(t *testing.T) {
	falco := lab.Falco(t)
	vc := lab.VendorCheck(t, "..")
	var ts strings.Builder
	ts.WriteString(`import type { PhaseUpdateParams } from "cloudflare/resources/rulesets/phases/phases";
import type { CacheBehavior, CreateCachePolicyRequest, CreateFunctionRequest, CreateOriginRequestPolicyRequest, DefaultCacheBehavior } from "@aws-sdk/client-cloudfront";
`)
	n := 0
	for _, app := range []string{"django_app", "fastapi_app", "flask_app"} {
		dir := lab.CopyTree(t, "../examples/"+app)
		rt, err := routes.ExtractRoutes(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close()
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
		}
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

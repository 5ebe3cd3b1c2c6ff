package edge

// Amazon CloudFront: cache policies and the cache behaviors that attach them
// to paths, as a CloudFormation template (.json) and as Terraform (.tf).
//
// Defaults this file relies on (research notes: edges.md section 3):
//
//   - MinTTL must be 0 for the origin's private/no-store/no-cache to be
//     honoured: "If your minimum TTL is greater than 0, CloudFront will cache
//     content for at least the duration specified in the cache policy's
//     minimum TTL, even if the Cache-Control: no-cache, no-store, or private
//     directives are present in the origin headers."
//     https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-cachepolicy-cachepolicyconfig.html
//   - The TTL comes from s-maxage, then max-age, then Expires, clamped to
//     [MinTTL, MaxTTL]; DefaultTTL applies when the response has none.
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
//   - "By default, CloudFront doesn't consider cookies when processing
//     requests and responses, or when caching your objects": with no cookie
//     in the cache key or origin request policy, the Cookie header is not
//     sent to the origin and Set-Cookie is removed from responses.
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Cookies.html
//   - Cache behaviors are matched in order, first match wins; the default
//     behavior (*) is last. Path patterns know only * and ? wildcards.
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-values-specify.html#DownloadDistValuesPathPattern
//   - Managed policies: CachingDisabled 4135ea2d-6df8-44a3-9df3-4b5a84be39ad
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
//     and the origin request policy AllViewer 216adef6-5c7f-47e4-b989-5492eafa07d3
//     ("This policy includes all values (headers, cookies, and query
//     strings) from the viewer request.")
//     https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// CloudFront writes cache policies and cache behaviors for a CloudFront
// distribution.
type CloudFront struct{}

// Name implements Writer.
func (CloudFront) Name() string { return "cloudfront" }

// Files implements Writer.
func (CloudFront) Files() []string { return []string{".json", ".tf"} }

const (
	// cfrontCachingDisabled is the managed CachingDisabled cache policy.
	cfrontCachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	// cfrontAllViewer is the managed AllViewer origin request policy: a
	// per-user route needs its cookies and Authorization at the origin,
	// which CloudFront removes by default ("CloudFront removes some viewer
	// headers by default, including the Authorization header."
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html#add-origin-custom-headers-forward-authorization).
	cfrontAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3"
	// cfrontMaxTTL is one year, the largest TTL the advice uses; the origin's
	// s-maxage is what decides.
	cfrontMaxTTL = 31536000
	// cfrontOrigin is the TargetOriginId the behaviors use: the template's
	// origin, or the id of the user's origin when the behaviors are copied
	// into an existing distribution.
	cfrontOrigin = "origin"
	// Default quotas: 25 cache behaviors per distribution, 10 query strings
	// per cache policy (both adjustable).
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
	cfrontMaxBehaviors    = 25
	cfrontMaxQueryStrings = 10
)

var (
	cfrontAllMethods    = []string{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
	cfrontReadMethods   = []string{"GET", "HEAD", "OPTIONS"}
	cfrontCachedMethods = []string{"GET", "HEAD"}
)

// cfrontPolicy is one cache policy the behaviors need: one per query key
// policy (the TTL bounds are the same for all: the origin decides).
type cfrontPolicy struct {
	Query   string // all, none, no-tracking
	Logical string // CloudFormation logical id
	TF      string // Terraform resource name
}

func cfrontPolicyFor(query string) cfrontPolicy {
	switch query {
	case "none":
		return cfrontPolicy{"none", "CachePolicyQueryNone", "query_none"}
	case "no-tracking":
		return cfrontPolicy{"no-tracking", "CachePolicyQueryNoTracking", "query_no_tracking"}
	}
	return cfrontPolicy{"all", "CachePolicyQueryAll", "query_all"}
}

// queryRank orders query policies by how much of the query is in the key:
// when two routes share one path pattern, the larger key is kept (it never
// serves one query's response for another).
func queryRank(q string) int {
	switch q {
	case "all":
		return 2
	case "no-tracking":
		return 1
	}
	return 0
}

// cfrontBehavior is one cache behavior, before rendering.
type cfrontBehavior struct {
	Path     string
	Pass     bool   // CachingDisabled + AllViewer, every method
	Query    string // when !Pass
	Patterns []string
	// Writes: a shared path that also takes writes (POST, PUT, PATCH,
	// DELETE): every method is allowed, the writes origin request policy
	// forwards cookies and the CSRF headers, and the viewer-request
	// function drops the cookies of GET and HEAD before the lookup.
	Writes  bool
	literal int // length of the literal part, for ordering
}

// behaviors derives the cache behaviors, in CloudFront's first-match order,
// and the routes that no path pattern can express.
func (CloudFront) behaviors(c Config) ([]cfrontBehavior, []string) {
	tracking := sortedParams(c.TrackingParams)
	byPath := map[string]*cfrontBehavior{}
	var skipped []string
	for _, r := range sortedRules(c.Rules) {
		path, ok := cfrontPathPattern(r)
		if !ok {
			skipped = append(skipped, ruleLabel(r))
			continue
		}
		b := byPath[path]
		if b == nil {
			b = &cfrontBehavior{Path: path, Pass: true, literal: len(strings.TrimSuffix(path, "*"))}
			if r.Shared {
				b.Pass, b.Query = false, queryPolicy(r, tracking)
			}
			byPath[path] = b
		} else if !r.Shared {
			// A path pattern both shared and per-user: pass (never store).
			b.Pass, b.Query, b.Writes = true, "", false
		} else if !b.Pass && queryRank(queryPolicy(r, tracking)) > queryRank(b.Query) {
			b.Query = queryPolicy(r, tracking)
		}
		if !b.Pass && len(r.Writes) > 0 {
			b.Writes = true
		}
		b.Patterns = append(b.Patterns, r.Pattern)
	}
	out := make([]cfrontBehavior, 0, len(byPath))
	for _, b := range byPath {
		sort.Strings(b.Patterns)
		b.Patterns = uniqStrings(b.Patterns)
		out = append(out, *b)
	}
	// First match wins: longest literal first, an exact path before a
	// wildcard of the same literal, then the pattern.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.literal != b.literal {
			return a.literal > b.literal
		}
		aw, bw := strings.HasSuffix(a.Path, "*"), strings.HasSuffix(b.Path, "*")
		if aw != bw {
			return bw
		}
		return a.Path < b.Path
	})
	return out, skipped
}

// cfrontPathPattern is the path pattern of a route: the literal path of a
// literal route, otherwise its literal prefix followed by *. The prefix is
// cut before the first character outside a conservative subset of the
// characters path patterns accept (letters, digits, _ - . $ / ~ ' @ : +),
// and before * and ?, which are wildcards. A pattern that would cover the
// whole site (* or /*) is refused: it would take every unadvised route too.
func cfrontPathPattern(r Rule) (string, bool) {
	lit, kind := routeShape(r.Regex)
	if kind == pathLiteral {
		if safe := cfrontSafePrefix(lit); safe == lit && lit != "" {
			return lit, true
		}
	}
	base := r.Prefix
	if kind != pathOther {
		base = lit
	}
	p := cfrontSafePrefix(base)
	if p == "" || p == "/" {
		return "", false
	}
	return p + "*", true
}

func cfrontSafePrefix(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("_-.$/~'@:+", c) >= 0
		if !ok {
			return s[:i]
		}
	}
	return s
}

// Write implements Writer.
func (cf CloudFront) Write(w io.Writer, suffix string, c Config) error {
	switch suffix {
	case ".json":
		return cf.writeJSON(w, c)
	case ".tf":
		return cf.writeTF(w, c)
	}
	return fmt.Errorf("cloudfront: no %q artifact (known: %s)", suffix, strings.Join(cf.Files(), ", "))
}

// policies returns the cache policies the behaviors use, sorted.
func cfrontPolicies(bs []cfrontBehavior) []cfrontPolicy {
	seen := map[string]bool{}
	var out []cfrontPolicy
	for _, b := range bs {
		if !b.Pass && !seen[b.Query] {
			seen[b.Query] = true
			out = append(out, cfrontPolicyFor(b.Query))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Logical < out[j].Logical })
	return out
}

// cfrontNotes are the caveats both artifacts state.
func cfrontNotes(bs []cfrontBehavior, skipped []string, tracking []string, rules []Rule) []string {
	notes := []string{
		"Cache policies: MinTTL 0 so that the origin's private, no-store and no-cache are honoured; DefaultTTL 0 so that a response without Cache-Control is not stored; MaxTTL 31536000: the origin's s-maxage is the advice.",
		"Shared routes: no cookie in the cache key or forwarded, so CloudFront drops the request Cookie and removes Set-Cookie from the response; Authorization is in the key (CloudFront removes it otherwise), so a request that carries it reaches the origin and is cached for that credential only. Paths that take only reads allow GET, HEAD, OPTIONS.",
		"Shared paths that also take writes (POST, PUT, PATCH, DELETE on the same path): every method is allowed; the OriginRequestPolicyWrites origin request policy forwards every cookie and query string and the CSRF headers (Origin, Referer, X-CSRFToken, X-Requested-With), so writes reach the origin with their session; the CookielessReads viewer-request function drops the cookies of GET and HEAD before the lookup. CloudFront caches a Set-Cookie the origin sends when cookies are forwarded: the app must not set cookies on these GET responses (or send Cache-Control: no-cache=\"Set-Cookie\").",
		"Per-user and not shareable routes: managed CachingDisabled cache policy and AllViewer origin request policy (cookies, Authorization, query and headers reach the origin), all methods.",
		"Path patterns only know * and ?: a route with parameters becomes its literal prefix followed by *, which also covers other paths under that prefix. Behaviors are in first-match order, most specific first.",
	}
	if len(bs) > cfrontMaxBehaviors {
		notes = append(notes, fmt.Sprintf("%d cache behaviors: more than the default quota of %d per distribution (request an increase).", len(bs), cfrontMaxBehaviors))
	}
	for _, p := range cfrontPolicies(bs) {
		if _, _, why := cfrontQueryConfig(p.Query, tracking, rules); why != "" {
			notes = append(notes, why)
		}
	}
	for _, s := range skipped {
		notes = append(notes, "Not expressible as a path pattern more specific than the whole site, left to the default behavior (not cached): "+s)
	}
	return notes
}

// cfrontUpstream derives the origin's domain, protocol policy and port from
// Config.Upstream. CloudFront origins are DNS names, so an IP address or
// localhost gives no default domain (the user must pass one).
func cfrontUpstream(up string) (domain, protocol string, port int) {
	protocol, port = "https-only", 443
	u, err := url.Parse(up)
	if err != nil || u.Host == "" {
		return "", protocol, port
	}
	if u.Scheme == "http" {
		protocol, port = "http-only", 80
	}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		port = p
	}
	h := u.Hostname()
	if net.ParseIP(h) != nil || h == "localhost" || !strings.Contains(h, ".") {
		return "", protocol, port
	}
	return h, protocol, port
}

type cfnRef struct {
	Ref string `json:"Ref"`
}

type cfrontCacheBehavior struct {
	PathPattern           string                `json:"PathPattern,omitempty"`
	TargetOriginID        string                `json:"TargetOriginId"`
	ViewerProtocolPolicy  string                `json:"ViewerProtocolPolicy"`
	CachePolicyID         any                   `json:"CachePolicyId"`
	OriginRequestPolicyID any                   `json:"OriginRequestPolicyId,omitempty"`
	AllowedMethods        []string              `json:"AllowedMethods"`
	CachedMethods         []string              `json:"CachedMethods"`
	Compress              bool                  `json:"Compress"`
	FunctionAssociations  []cfrontFunctionAssoc `json:"FunctionAssociations,omitempty"`
}

// cfrontFunctionAssoc attaches a CloudFront Function to a cache behavior:
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudfront-distribution-functionassociation.html
type cfrontFunctionAssoc struct {
	EventType   string `json:"EventType"`
	FunctionARN any    `json:"FunctionARN"`
}

func (b cfrontBehavior) cfn() cfrontCacheBehavior {
	cb := cfrontCacheBehavior{
		PathPattern:          b.Path,
		TargetOriginID:       cfrontOrigin,
		ViewerProtocolPolicy: "redirect-to-https",
		AllowedMethods:       cfrontReadMethods,
		CachedMethods:        cfrontCachedMethods,
		Compress:             true,
	}
	if b.Pass {
		cb.CachePolicyID = cfrontCachingDisabled
		cb.OriginRequestPolicyID = cfrontAllViewer
		cb.AllowedMethods = cfrontAllMethods
	} else {
		cb.CachePolicyID = cfnRef{cfrontPolicyFor(b.Query).Logical}
	}
	if b.Writes {
		cb.AllowedMethods = cfrontAllMethods
		cb.OriginRequestPolicyID = cfnRef{cfrontWritesPolicy}
		cb.FunctionAssociations = []cfrontFunctionAssoc{{EventType: "viewer-request", FunctionARN: map[string]any{"Fn::GetAtt": []string{cfrontReadsFunction, "FunctionMetadata.FunctionARN"}}}}
	}
	return cb
}

const (
	// cfrontWritesPolicy is the origin request policy of shared paths that
	// take writes: every cookie, every query string and the headers a CSRF
	// check reads. Referer is removed by CloudFront unless a policy names
	// it; Authorization cannot be named in an origin request policy and is
	// in the cache policies' key instead (it then reaches the origin).
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/RequestAndResponseBehaviorCustomOrigin.html#request-custom-headers-behavior
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/http-401-unauthorized.html
	cfrontWritesPolicy = "OriginRequestPolicyWrites"
	// cfrontReadsFunction is the viewer-request CloudFront Function that
	// drops the cookies of GET and HEAD requests on those paths (the
	// request's cookies are writable, its method readable:
	// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html).
	cfrontReadsFunction = "CookielessReads"
	// cfrontReadsCode is that function's code (cloudfront-js-2.0).
	cfrontReadsCode = "function handler(event) {\n  var request = event.request;\n  if (request.method === 'GET' || request.method === 'HEAD') {\n    request.cookies = {};\n  }\n  return request;\n}\n"
)

// cfrontWritesHeaders are the headers the writes origin request policy
// forwards: what Django's and Flask-WTF's CSRF checks read.
var cfrontWritesHeaders = []string{"Origin", "Referer", "X-CSRFToken", "X-Requested-With"}

// anyWrites reports whether a behavior takes writes.
func anyWrites(bs []cfrontBehavior) bool {
	for _, b := range bs {
		if b.Writes {
			return true
		}
	}
	return false
}

// cfrontQueryConfig is the QueryStringsConfig of a query policy. Allowed
// QueryStringBehavior values: none | whitelist | allExcept | all.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudfront-cachepolicy-querystringsconfig.html
//
// no-tracking: the tracking parameters as names (a prefix as the names the
// logs show, else its well-known ones), when they fit the quota of 10
// query strings per cache policy; else an allow-list of the other
// parameters the policy's routes were seen with, when those fit; else the
// tracking names seen in the logs, cut to the quota. why says which.
func cfrontQueryConfig(query string, tracking []string, rules []Rule) (behavior string, items []string, why string) {
	switch query {
	case "none":
		return "none", nil, ""
	case "no-tracking":
		tracked, others := observedParams(rules, tracking, "no-tracking")
		lit := literalTracking(tracking, tracked)
		if len(lit) <= cfrontMaxQueryStrings {
			return "allExcept", lit, ""
		}
		if len(others) <= cfrontMaxQueryStrings {
			if len(others) == 0 {
				return "none", nil, fmt.Sprintf("query key no-tracking: the %d tracking names exceed CloudFront's quota of %d query strings per cache policy, and the routes were seen with no other parameter: no query string is in the key or reaches the origin.", len(lit), cfrontMaxQueryStrings)
			}
			return "whitelist", others, fmt.Sprintf("query key no-tracking: the %d tracking names exceed CloudFront's quota of %d query strings per cache policy, so the key is an allow-list of the %d parameters the routes were seen with (%s); a parameter not in it does not reach the origin.", len(lit), cfrontMaxQueryStrings, len(others), strings.Join(others, ", "))
		}
		cut := tracked
		if len(cut) == 0 {
			cut = lit
		}
		if len(cut) > cfrontMaxQueryStrings {
			cut = cut[:cfrontMaxQueryStrings]
		}
		return "allExcept", cut, fmt.Sprintf("query key no-tracking: neither the %d tracking names nor the %d other parameters fit CloudFront's quota of %d query strings per cache policy: the key drops only %s (request a quota increase to drop them all).", len(lit), len(others), cfrontMaxQueryStrings, strings.Join(cut, ", "))
	}
	return "all", nil, ""
}

func (cf CloudFront) writeJSON(w io.Writer, c Config) error {
	tracking := sortedParams(c.TrackingParams)
	bs, skipped := cf.behaviors(c)
	policies := cfrontPolicies(bs)
	domain, protocol, port := cfrontUpstream(c.Upstream)

	source := lineComment(c.Source)
	resources := map[string]any{}
	outputs := map[string]any{}
	for _, p := range policies {
		qb, items, _ := cfrontQueryConfig(p.Query, tracking, c.Rules)
		qc := map[string]any{"QueryStringBehavior": qb}
		if len(items) > 0 {
			qc["QueryStrings"] = items
		}
		resources[p.Logical] = map[string]any{
			"Type": "AWS::CloudFront::CachePolicy",
			"Properties": map[string]any{
				"CachePolicyConfig": map[string]any{
					"Name":       map[string]any{"Fn::Sub": "${AWS::StackName}-" + strings.ReplaceAll(p.Query, "-", "") + "-query"},
					"Comment":    "cdnadvise: origin Cache-Control decides; query key: " + p.Query,
					"MinTTL":     0,
					"DefaultTTL": 0,
					"MaxTTL":     cfrontMaxTTL,
					"ParametersInCacheKeyAndForwardedToOrigin": map[string]any{
						"EnableAcceptEncodingGzip":   true,
						"EnableAcceptEncodingBrotli": true,
						"CookiesConfig":              map[string]any{"CookieBehavior": "none"},
						"HeadersConfig":              map[string]any{"HeaderBehavior": "whitelist", "Headers": []string{"Authorization"}},
						"QueryStringsConfig":         qc,
					},
				},
			},
		}
		outputs[p.Logical+"Id"] = map[string]any{
			"Description": "Cache policy id (query key: " + p.Query + ") for CachePolicyId in an existing distribution's cache behaviors",
			"Value":       cfnRef{p.Logical},
		}
	}
	if anyWrites(bs) {
		resources[cfrontWritesPolicy] = map[string]any{
			"Type": "AWS::CloudFront::OriginRequestPolicy",
			"Properties": map[string]any{
				"OriginRequestPolicyConfig": map[string]any{
					"Name":               map[string]any{"Fn::Sub": "${AWS::StackName}-writes"},
					"Comment":            "cdnadvise: writes on shared paths reach the origin with their cookies and CSRF headers",
					"CookiesConfig":      map[string]any{"CookieBehavior": "all"},
					"HeadersConfig":      map[string]any{"HeaderBehavior": "whitelist", "Headers": cfrontWritesHeaders},
					"QueryStringsConfig": map[string]any{"QueryStringBehavior": "all"},
				},
			},
		}
		resources[cfrontReadsFunction] = map[string]any{
			"Type": "AWS::CloudFront::Function",
			"Properties": map[string]any{
				"Name":         map[string]any{"Fn::Sub": "${AWS::StackName}-cookieless-reads"},
				"AutoPublish":  true,
				"FunctionCode": cfrontReadsCode,
				"FunctionConfig": map[string]any{
					"Comment": "cdnadvise: GET and HEAD of shared paths reach the cache without cookies",
					"Runtime": "cloudfront-js-2.0",
				},
			},
		}
	}
	behaviors := make([]cfrontCacheBehavior, len(bs))
	for i, b := range bs {
		behaviors[i] = b.cfn()
	}
	def := cfrontBehavior{Pass: true}.cfn()
	resources["Distribution"] = map[string]any{
		"Type":      "AWS::CloudFront::Distribution",
		"Condition": "CreateDistribution",
		"Properties": map[string]any{
			"DistributionConfig": map[string]any{
				"Enabled": true,
				"Comment": "cdnadvise cache behaviors",
				"Origins": []any{map[string]any{
					"Id":         cfrontOrigin,
					"DomainName": cfnRef{"OriginDomainName"},
					"CustomOriginConfig": map[string]any{
						"OriginProtocolPolicy": protocol,
						"HTTPPort":             cfrontPort(protocol == "http-only", port, 80),
						"HTTPSPort":            cfrontPort(protocol == "https-only", port, 443),
					},
				}},
				"DefaultCacheBehavior": def,
				"CacheBehaviors":       behaviors,
			},
		},
	}
	outputs["DistributionDomainName"] = map[string]any{
		"Condition":   "CreateDistribution",
		"Description": "Domain name of the created distribution",
		"Value":       map[string]any{"Fn::GetAtt": []string{"Distribution", "DomainName"}},
	}
	desc := "cdnadvise: CloudFront cache policies and cache behaviors"
	if source != "" {
		desc += " from " + source
	}
	tmpl := struct {
		Version     string         `json:"AWSTemplateFormatVersion"`
		Description string         `json:"Description"`
		Metadata    map[string]any `json:"Metadata"`
		Parameters  map[string]any `json:"Parameters"`
		Conditions  map[string]any `json:"Conditions"`
		Resources   map[string]any `json:"Resources"`
		Outputs     map[string]any `json:"Outputs"`
	}{
		Version:     "2010-09-09",
		Description: truncate(desc, 1024),
		Metadata: map[string]any{"cdnadvise": map[string]any{
			"Source": source,
			"Apply": []string{
				"New distribution: aws cloudformation deploy --template-file <this file> --stack-name <name> --parameter-overrides OriginDomainName=<origin DNS name>. It creates the cache policies and a distribution whose origin id is \"" + cfrontOrigin + "\".",
				"Existing distribution: deploy with OriginDomainName empty (the default when the upstream is not a DNS name): only the cache policies are created. Then copy Resources.Distribution.Properties.DistributionConfig.CacheBehaviors into your distribution in the same order, replace TargetOriginId \"" + cfrontOrigin + "\" with your origin's id, and each {\"Ref\": \"CachePolicy...\"} with the policy id from this stack's Outputs (or Fn::ImportValue / the Ref itself when your distribution is in this template).",
				"DefaultCacheBehavior passes everything the advice did not cover (CachingDisabled, AllViewer); keep yours if it is already safe.",
			},
			"Notes": cfrontNotes(bs, skipped, tracking, c.Rules),
		}},
		Parameters: map[string]any{
			"OriginDomainName": map[string]any{
				"Type":        "String",
				"Default":     domain,
				"Description": "DNS name of the origin (from the upstream " + lineComment(c.Upstream) + "). Empty: create only the cache policies.",
			},
		},
		Conditions: map[string]any{
			"CreateDistribution": map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{cfnRef{"OriginDomainName"}, ""}}}},
		},
		Resources: resources,
		Outputs:   outputs,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(tmpl)
}

func cfrontPort(use bool, port, def int) int {
	if use {
		return port
	}
	return def
}

func (cf CloudFront) writeTF(w io.Writer, c Config) error {
	tracking := sortedParams(c.TrackingParams)
	bs, skipped := cf.behaviors(c)
	policies := cfrontPolicies(bs)
	var b strings.Builder
	b.WriteString("# cdnadvise: CloudFront cache policies (aws_cloudfront_cache_policy) for the\n")
	b.WriteString("# advised routes, and the ordered_cache_behavior blocks that attach them\n")
	b.WriteString("# (commented example at the end: a distribution needs your origin).\n")
	b.WriteString("# Provider: hashicorp/aws (>= 4.0).\n")
	if c.Source != "" {
		b.WriteString("# Source: " + lineComment(c.Source) + "\n")
	}
	b.WriteString("#\n# Apply: terraform init && terraform apply, then add the ordered_cache_behavior\n")
	b.WriteString("# blocks below to your aws_cloudfront_distribution, in this order.\n#\n")
	for _, n := range cfrontNotes(bs, skipped, tracking, c.Rules) {
		b.WriteString(wrapComment(n, "# "))
	}
	b.WriteString("\nterraform {\n  required_providers {\n    aws = {\n")
	hclAttrs(&b, "      ", "source", `"hashicorp/aws"`, "version", `">= 4.0"`)
	b.WriteString("    }\n  }\n}\n\n")
	b.WriteString("variable \"name_prefix\" {\n")
	hclAttrs(&b, "  ", "type", "string", "default", `"cdnadvise"`, "description", `"Prefix of the cache policy names (unique per account)"`)
	b.WriteString("}\n")
	for _, p := range policies {
		qb, items, _ := cfrontQueryConfig(p.Query, tracking, c.Rules)
		fmt.Fprintf(&b, "\nresource \"aws_cloudfront_cache_policy\" %q {\n", p.TF)
		hclAttrs(&b, "  ",
			"name", `"${var.name_prefix}-`+strings.ReplaceAll(p.Query, "-", "")+`-query"`,
			"comment", hclQuote("cdnadvise: origin Cache-Control decides; query key: "+p.Query),
			"min_ttl", "0",
			"default_ttl", "0",
			"max_ttl", strconv.Itoa(cfrontMaxTTL))
		b.WriteString("\n  parameters_in_cache_key_and_forwarded_to_origin {\n")
		hclAttrs(&b, "    ", "enable_accept_encoding_gzip", "true", "enable_accept_encoding_brotli", "true")
		b.WriteString("\n    cookies_config {\n")
		hclAttrs(&b, "      ", "cookie_behavior", `"none"`)
		b.WriteString("    }\n    headers_config {\n")
		hclAttrs(&b, "      ", "header_behavior", `"whitelist"`)
		b.WriteString("      headers {\n")
		hclAttrs(&b, "        ", "items", hclList([]string{"Authorization"}))
		b.WriteString("      }\n    }\n    query_strings_config {\n")
		hclAttrs(&b, "      ", "query_string_behavior", hclQuote(qb))
		if len(items) > 0 {
			b.WriteString("      query_strings {\n")
			hclAttrs(&b, "        ", "items", hclList(items))
			b.WriteString("      }\n")
		}
		b.WriteString("    }\n  }\n}\n")
		fmt.Fprintf(&b, "\noutput \"%s_id\" {\n", p.TF)
		hclAttrs(&b, "  ", "value", "aws_cloudfront_cache_policy."+p.TF+".id")
		b.WriteString("}\n")
	}
	if anyWrites(bs) {
		b.WriteString("\n# Writes on shared paths reach the origin with their cookies and CSRF headers.\n")
		b.WriteString("resource \"aws_cloudfront_origin_request_policy\" \"writes\" {\n")
		hclAttrs(&b, "  ", "name", `"${var.name_prefix}-writes"`, "comment", hclQuote("cdnadvise: writes on shared paths reach the origin with their cookies and CSRF headers"))
		b.WriteString("  cookies_config {\n")
		hclAttrs(&b, "    ", "cookie_behavior", `"all"`)
		b.WriteString("  }\n  headers_config {\n")
		hclAttrs(&b, "    ", "header_behavior", `"whitelist"`)
		b.WriteString("    headers {\n")
		hclAttrs(&b, "      ", "items", hclList(cfrontWritesHeaders))
		b.WriteString("    }\n  }\n  query_strings_config {\n")
		hclAttrs(&b, "    ", "query_string_behavior", `"all"`)
		b.WriteString("  }\n}\n")
		b.WriteString("\n# GET and HEAD of shared paths reach the cache without cookies.\n")
		b.WriteString("resource \"aws_cloudfront_function\" \"cookieless_reads\" {\n")
		hclAttrs(&b, "  ", "name", `"${var.name_prefix}-cookieless-reads"`, "runtime", `"cloudfront-js-2.0"`, "comment", hclQuote("cdnadvise: GET and HEAD of shared paths reach the cache without cookies"), "publish", "true")
		b.WriteString("  code    = <<-EOT\n")
		for _, l := range strings.Split(strings.TrimSuffix(cfrontReadsCode, "\n"), "\n") {
			b.WriteString("    " + l + "\n")
		}
		b.WriteString("  EOT\n}\n")
	}
	b.WriteString("\n# Example: the cache behaviors, in first-match order, for your\n")
	b.WriteString("# aws_cloudfront_distribution (replace \"" + cfrontOrigin + "\" with your origin_id).\n")
	b.WriteString("#\n# resource \"aws_cloudfront_distribution\" \"site\" {\n#   # ... origin, default_cache_behavior, viewer_certificate, restrictions ...\n")
	for _, bh := range bs {
		var blk strings.Builder
		blk.WriteString("\n# " + lineComment(strings.Join(bh.Patterns, ", ")) + "\n")
		blk.WriteString("ordered_cache_behavior {\n")
		kv := []string{
			"path_pattern", hclQuote(bh.Path),
			"target_origin_id", hclQuote(cfrontOrigin),
			"viewer_protocol_policy", `"redirect-to-https"`,
		}
		if bh.Pass {
			kv = append(kv,
				"allowed_methods", hclList(cfrontAllMethods),
				"cached_methods", hclList(cfrontCachedMethods),
				"compress", "true",
				"cache_policy_id", hclQuote(cfrontCachingDisabled)+" # Managed-CachingDisabled",
				"origin_request_policy_id", hclQuote(cfrontAllViewer)+" # Managed-AllViewer")
		} else if bh.Writes {
			kv = append(kv,
				"allowed_methods", hclList(cfrontAllMethods),
				"cached_methods", hclList(cfrontCachedMethods),
				"compress", "true",
				"cache_policy_id", "aws_cloudfront_cache_policy."+cfrontPolicyFor(bh.Query).TF+".id",
				"origin_request_policy_id", "aws_cloudfront_origin_request_policy.writes.id")
		} else {
			kv = append(kv,
				"allowed_methods", hclList(cfrontReadMethods),
				"cached_methods", hclList(cfrontCachedMethods),
				"compress", "true",
				"cache_policy_id", "aws_cloudfront_cache_policy."+cfrontPolicyFor(bh.Query).TF+".id")
		}
		hclAttrs(&blk, "  ", kv...)
		if bh.Writes {
			blk.WriteString("  function_association {\n")
			hclAttrs(&blk, "    ", "event_type", `"viewer-request"`, "function_arn", "aws_cloudfront_function.cookieless_reads.arn")
			blk.WriteString("  }\n")
		}
		blk.WriteString("}\n")
		for _, line := range strings.Split(strings.TrimSuffix(blk.String(), "\n"), "\n") {
			if line == "" {
				b.WriteString("#\n")
				continue
			}
			b.WriteString("#   " + lineComment(line) + "\n")
		}
	}
	b.WriteString("# }\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// wrapComment wraps text into comment lines of about 78 columns.
func wrapComment(text, prefix string) string {
	var b strings.Builder
	line := prefix
	for _, word := range strings.Fields(lineComment(text)) {
		if len(line) > len(prefix) && len(line)+1+len(word) > 78 {
			b.WriteString(line + "\n")
			line = prefix
		}
		if len(line) > len(prefix) {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
	return b.String()
}

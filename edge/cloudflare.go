package edge

// Cloudflare: Cache Rules in the http_request_cache_settings phase, as a
// Rulesets API body (.json) and as a Terraform cloudflare_ruleset (.tf).
//
// Defaults this file relies on (research notes: edges.md section 4):
//
//   - Cloudflare caches by file extension only; "The Cloudflare CDN does not
//     cache HTML or JSON by default." A Cache Rule with "Eligible for cache"
//     (cache: true) is what makes an HTML or JSON route cacheable.
//     https://developers.cloudflare.com/cache/concepts/default-cache-behavior/
//   - Rule order: "If several matching rules set a value for the same
//     setting, the value in the last matching rule wins." and "For
//     conflicting settings (for example, bypass cache versus eligible for
//     cache), the last matching rule wins."
//     https://developers.cloudflare.com/cache/how-to/cache-rules/order/
//   - The request Cookie is not part of the default cache key and does not
//     bypass the cache; the default key holds the full URL with its query
//     string. https://developers.cloudflare.com/cache/how-to/cache-keys/
//   - Under "Eligible for cache", a response with Set-Cookie is not cached:
//     "Cloudflare preserves the Set-Cookie but does not cache the asset."
//     https://developers.cloudflare.com/cache/concepts/cache-behavior/
//   - `matches` (regex) needs a Business or Enterprise plan: "Cloudflare
//     Business and Enterprise customer plans have access to the matches
//     comparison operator".
//     https://developers.cloudflare.com/ruleset-engine/rules-language/values/

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Cloudflare writes Cache Rules for a Cloudflare zone.
type Cloudflare struct {
	// AllPlans approximates every route that is neither a literal path nor
	// a literal prefix by starts_with(its literal prefix), so that no rule
	// uses `matches` (Business/Enterprise only). The approximation covers
	// more paths than the route; see cfExpression.
	AllPlans bool
}

// Name implements Writer.
func (Cloudflare) Name() string { return "cloudflare" }

// Files implements Writer.
func (Cloudflare) Files() []string { return []string{".json", ".tf"} }

// Write implements Writer.
func (cf Cloudflare) Write(w io.Writer, suffix string, c Config) error {
	rules, skipped, err := cf.rules(c)
	if err != nil {
		return err
	}
	switch suffix {
	case ".json":
		return cf.writeJSON(w, rules, skipped, c)
	case ".tf":
		return cf.writeTF(w, rules, skipped, c)
	}
	return fmt.Errorf("cloudflare: no %q artifact (known: %s)", suffix, strings.Join(cf.Files(), ", "))
}

// cfRule is one rule of the Rulesets API: https://developers.cloudflare.com/cache/how-to/cache-rules/create-api/
type cfRule struct {
	Ref              string   `json:"ref"`
	Description      string   `json:"description"`
	Expression       string   `json:"expression"`
	Action           string   `json:"action"`
	ActionParameters cfParams `json:"action_parameters"`
	Enabled          bool     `json:"enabled"`

	// Not sent: what the writers need to order rules and write comments.
	bypass   bool
	key      string
	prefix   int
	regex    bool
	label    string
	patterns []string
}

// cfParams are the set_cache_settings parameters the rules use:
// https://developers.cloudflare.com/cache/how-to/cache-rules/settings/
type cfParams struct {
	Cache      bool        `json:"cache"`
	EdgeTTL    *cfTTL      `json:"edge_ttl,omitempty"`
	BrowserTTL *cfTTL      `json:"browser_ttl,omitempty"`
	CacheKey   *cfCacheKey `json:"cache_key,omitempty"`
}

type cfTTL struct {
	Mode string `json:"mode"`
}

type cfCacheKey struct {
	CustomKey cfCustomKey `json:"custom_key"`
}

type cfCustomKey struct {
	QueryString cfQueryString `json:"query_string"`
}

// cfQueryString holds exactly one of include and exclude, each {all: true}
// or {list: [...]}.
type cfQueryString struct {
	Include *cfQueryList `json:"include,omitempty"`
	Exclude *cfQueryList `json:"exclude,omitempty"`
}

type cfQueryList struct {
	All  bool     `json:"all,omitempty"`
	List []string `json:"list,omitempty"`
}

// rules builds the rules in evaluation order.
//
// Order. Cache Rules are stackable and the last matching rule wins, both
// for a setting two rules set and for bypass versus eligible (order page
// above). So the rules go from the least specific route (shortest literal
// prefix) to the most specific, and among routes equally specific the
// bypass rules come last: a request that matches a cache rule and a bypass
// rule of the same specificity is bypassed (the safe outcome), while a more
// specific route's rule still overrides a broader one (/account/help/ cached
// inside a bypassed /account/). This is the reverse of SortRules, which is
// for edges where the first match wins.
func (cf Cloudflare) rules(c Config) ([]cfRule, []string, error) {
	var skipped []string
	tracking := sortedParams(c.TrackingParams)
	// Cache key lists take names: prefixes become the names seen in the logs.
	observed, _ := observedParams(c.Rules, tracking, "")
	literal := literalTracking(tracking, observed)
	byKey := map[string]int{}
	var out []cfRule
	for _, r := range sortedRules(c.Rules) {
		if r.Regex == "" {
			return nil, nil, fmt.Errorf("cloudflare: route %s %q has no regex", r.Method, r.Pattern)
		}
		expr, regex, err := cf.expression(r)
		if err != nil {
			return nil, nil, err
		}
		if skip, err := tooLong("Cloudflare", r, expr); err != nil {
			return nil, nil, err
		} else if skip != "" {
			skipped = append(skipped, skip)
			continue
		}
		rule := cfRule{
			Expression: expr,
			Action:     "set_cache_settings",
			Enabled:    true,
			bypass:     !r.Shared,
			prefix:     len(r.Prefix),
			regex:      regex,
			label:      ruleLabel(r),
			patterns:   []string{r.Pattern},
		}
		if r.Shared {
			rule.ActionParameters = cfCacheParams(queryPolicy(r, tracking), literal)
		}
		// Two rows with the same expression (GET and HEAD rows, or routes
		// whose literal prefix is the same under AllPlans) make one rule; a
		// bypass among them wins, as it would in evaluation order.
		params, _ := json.Marshal(rule.ActionParameters)
		key := expr + "\x00" + string(params)
		if !r.Shared {
			key = expr + "\x00bypass"
		}
		if i, ok := byKey[key]; ok {
			out[i].patterns = append(out[i].patterns, r.Pattern)
			continue
		}
		byKey[key] = len(out)
		rule.key = key
		out = append(out, rule)
	}
	// Least specific first; bypass after cache at equal specificity; then
	// the expression, for stable output.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.prefix != b.prefix {
			return a.prefix < b.prefix
		}
		if a.bypass != b.bypass {
			return b.bypass
		}
		return a.Expression < b.Expression
	})
	// Last, so that it wins over every rule above: requests carrying
	// Authorization are not served from or stored in the cache (Cloudflare
	// would store their responses when the origin sends s-maxage or public:
	// https://developers.cloudflare.com/cache/concepts/cache-control/). The
	// header test is Cloudflare's own recipe (header names as sent, lowered):
	// https://developers.cloudflare.com/firewall/recipes/require-specific-headers/
	if len(out) > 0 {
		out = append(out, cfRule{Expression: `any(lower(http.request.headers.names[*])[*] eq "authorization")`, Action: "set_cache_settings", Enabled: true,
			bypass: true, key: "authorization\x00bypass", label: "requests with Authorization", patterns: []string{"any request carrying Authorization"}})
	}
	for i := range out {
		r := &out[i]
		sort.Strings(r.patterns)
		r.patterns = uniqStrings(r.patterns)
		what := "eligible for cache, origin Cache-Control decides the TTL"
		if r.bypass {
			what = "bypass cache (per-user or not shareable)"
		}
		r.Description = "cdnadvise: " + what + ": " + strings.Join(r.patterns, ", ")
		r.Description = truncate(r.Description, 500)
		sum := sha256.Sum256([]byte(r.key))
		r.Ref = "cdnadvise_" + hex.EncodeToString(sum[:6])
	}
	return out, skipped, nil
}

// cfCacheParams are the parameters of a cache rule.
//
//   - cache: true, "Eligible for cache".
//   - edge_ttl mode bypass_by_default: "Use cache-control header if present,
//     bypass cache if not". The origin's s-maxage is the advice, so the
//     edge TTL is the origin's; a response without Cache-Control (a route
//     the advice did not cover, or a starts_with rule reaching a sibling
//     route) is not stored, where respect_origin would store it for the
//     default edge TTL (120 minutes for a 200). Same page:
//     https://developers.cloudflare.com/cache/how-to/cache-rules/settings/#edge-ttl
//   - browser_ttl mode respect_origin: browsers get the origin's max-age,
//     not the zone's Browser Cache TTL. Same page, #browser-ttl.
//   - cache key: the default key has the whole query string, so "all" sets
//     nothing; "none" excludes all parameters, "no-tracking" excludes the
//     tracking parameters. https://developers.cloudflare.com/cache/how-to/cache-keys/
//   - serve_stale is left to its default (serve stale while updating).
func cfCacheParams(query string, tracking []string) cfParams {
	p := cfParams{
		Cache:      true,
		EdgeTTL:    &cfTTL{Mode: "bypass_by_default"},
		BrowserTTL: &cfTTL{Mode: "respect_origin"},
	}
	switch query {
	case "none":
		p.CacheKey = &cfCacheKey{CustomKey: cfCustomKey{QueryString: cfQueryString{Exclude: &cfQueryList{All: true}}}}
	case "no-tracking":
		p.CacheKey = &cfCacheKey{CustomKey: cfCustomKey{QueryString: cfQueryString{Exclude: &cfQueryList{List: tracking}}}}
	}
	return p
}

// expression matches the route's paths. A literal route uses eq, a literal
// prefix route starts_with (both on every plan); any other route uses
// `matches` with its regex (Business/Enterprise), or with AllPlans
// starts_with its literal prefix, which also matches the paths of other
// routes under that prefix (the more specific routes' rules come later and
// win; unknown ones are governed by their own Cache-Control, and not stored
// without one: edge_ttl bypass_by_default).
// Fields and functions: https://developers.cloudflare.com/ruleset-engine/rules-language/functions/#starts_with
func (cf Cloudflare) expression(r Rule) (expr string, regex bool, err error) {
	// JSON would turn invalid UTF-8 into U+FFFD: a different regex.
	if !utf8.ValidString(r.Regex) || !utf8.ValidString(r.Prefix) {
		return "", false, fmt.Errorf("cloudflare: route %q: regex or prefix is not valid UTF-8", r.Pattern)
	}
	// The path field holds the path percent-encoded (URL normalization),
	// so literals are written encoded and regexes match both forms.
	lit, kind := routeShape(r.Regex)
	switch {
	case kind == pathLiteral:
		expr = "http.request.uri.path eq " + cfQuote(percentEncodePath(lit))
	case kind == pathPrefix:
		expr = "starts_with(http.request.uri.path, " + cfQuote(percentEncodePath(lit)) + ")"
	case cf.AllPlans:
		expr = "starts_with(http.request.uri.path, " + cfQuote(percentEncodePath(r.Prefix)) + ")"
	default:
		raw, err := cfRaw(encodedAlternatives(r.Regex))
		if err != nil {
			return "", false, fmt.Errorf("cloudflare: route %q: %v", r.Pattern, err)
		}
		expr, regex = "http.request.uri.path matches "+raw, true
	}
	return expr, regex, nil
}

// cfQuote writes s as a Rules language string. Quoted strings escape `"`
// and `\` as `\"` and `\\`; a string with control characters is written
// as a raw string, which has no escapes at all.
// https://developers.cloudflare.com/ruleset-engine/rules-language/values/#string-values-and-regular-expressions
func cfQuote(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		if raw, err := cfRaw(s); err == nil {
			return raw
		}
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// cfRaw writes s as a raw string r#"..."#, with as many # as needed for
// the closing delimiter not to occur in s (at most 255). Cloudflare
// recommends raw strings for regular expressions: the quoted syntax "has
// complex escaping rules" (values page above).
func cfRaw(s string) (string, error) {
	for n := 0; n <= 255; n++ {
		hashes := strings.Repeat("#", n)
		if !strings.Contains(s, `"`+hashes) {
			return "r" + hashes + `"` + s + `"` + hashes, nil
		}
	}
	return "", fmt.Errorf("no raw string delimiter for %q", s)
}

// truncate shortens s to at most n bytes on a rune boundary, ending in "...".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func uniqStrings(ss []string) []string {
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// cfBody is the request body of
// PUT /zones/{zone_id}/rulesets/phases/http_request_cache_settings/entrypoint
// https://developers.cloudflare.com/ruleset-engine/rulesets-api/update/
type cfBody struct {
	Description string   `json:"description"`
	Rules       []cfRule `json:"rules"`
}

func (cf Cloudflare) writeJSON(w io.Writer, rules []cfRule, skipped []string, c Config) error {
	desc := "cdnadvise Cache Rules"
	if c.Source != "" {
		desc += " from " + lineComment(c.Source)
	}
	desc += ". Apply: PUT /zones/{zone_id}/rulesets/phases/http_request_cache_settings/entrypoint with this body (it replaces every Cache Rule of the zone). Rules are in evaluation order: the last matching rule wins."
	if n := cfRegexRules(rules); n > 0 {
		desc += fmt.Sprintf(" %d rule(s) use the matches operator (Business or Enterprise plan).", n)
	}
	for _, sk := range skipped {
		desc += " Left out: " + sk + "."
	}
	if rules == nil {
		rules = []cfRule{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(cfBody{Description: desc, Rules: rules})
}

func cfRegexRules(rules []cfRule) int {
	n := 0
	for _, r := range rules {
		if r.regex {
			n++
		}
	}
	return n
}

// writeTF writes a cloudflare_ruleset for provider v4 (block syntax: rules
// { ... } blocks; v5 changed rules to a list attribute). The v4 query_string
// block takes include/exclude string lists, "*" meaning all parameters.
// https://registry.terraform.io/providers/cloudflare/cloudflare/4.52.0/docs/resources/ruleset
func (cf Cloudflare) writeTF(w io.Writer, rules []cfRule, skipped []string, c Config) error {
	var b strings.Builder
	b.WriteString("# cdnadvise: Cloudflare Cache Rules (phase http_request_cache_settings) as a\n")
	b.WriteString("# Terraform cloudflare_ruleset, for the cloudflare/cloudflare provider v4\n")
	b.WriteString("# (block syntax; provider v5 writes rules = [ { ... } ] instead).\n")
	if c.Source != "" {
		b.WriteString("# Source: " + lineComment(c.Source) + "\n")
	}
	b.WriteString("#\n")
	b.WriteString("# Apply: terraform init && terraform apply -var zone_id=<zone id>.\n")
	b.WriteString("# The zone's http_request_cache_settings entry point ruleset holds every Cache\n")
	b.WriteString("# Rule of the zone: this resource replaces rules made elsewhere (import the\n")
	b.WriteString("# existing ruleset first if the zone has one).\n")
	for _, sk := range skipped {
		b.WriteString(wrapComment("Left out: "+sk+".", "# "))
	}
	b.WriteString("# Rules are in evaluation order; the last matching rule wins:\n")
	b.WriteString("# https://developers.cloudflare.com/cache/how-to/cache-rules/order/\n")
	if n := cfRegexRules(rules); n > 0 {
		fmt.Fprintf(&b, "# %d rule(s) use `matches`, which needs a Business or Enterprise plan.\n", n)
	}
	b.WriteString("\n")
	b.WriteString("terraform {\n  required_providers {\n    cloudflare = {\n")
	hclAttrs(&b, "      ", "source", `"cloudflare/cloudflare"`, "version", `"~> 4.0"`)
	b.WriteString("    }\n  }\n}\n\n")
	b.WriteString("variable \"zone_id\" {\n")
	hclAttrs(&b, "  ", "type", "string", "description", `"Cloudflare zone ID"`)
	b.WriteString("}\n\n")
	b.WriteString("resource \"cloudflare_ruleset\" \"cdnadvise_cache\" {\n")
	hclAttrs(&b, "  ",
		"zone_id", "var.zone_id",
		"name", `"default"`,
		"description", `"cdnadvise cache rules"`,
		"kind", `"zone"`,
		"phase", `"http_request_cache_settings"`)
	for _, r := range rules {
		b.WriteString("\n  # " + lineComment(r.Description) + "\n")
		b.WriteString("  rules {\n")
		hclAttrs(&b, "    ",
			"ref", hclQuote(r.Ref),
			"description", hclQuote(r.Description),
			"expression", hclQuote(r.Expression),
			"action", hclQuote(r.Action),
			"enabled", "true")
		b.WriteString("    action_parameters {\n")
		p := r.ActionParameters
		hclAttrs(&b, "      ", "cache", fmt.Sprint(p.Cache))
		if p.EdgeTTL != nil {
			b.WriteString("      edge_ttl {\n")
			hclAttrs(&b, "        ", "mode", hclQuote(p.EdgeTTL.Mode))
			b.WriteString("      }\n")
		}
		if p.BrowserTTL != nil {
			b.WriteString("      browser_ttl {\n")
			hclAttrs(&b, "        ", "mode", hclQuote(p.BrowserTTL.Mode))
			b.WriteString("      }\n")
		}
		if p.CacheKey != nil {
			qs := p.CacheKey.CustomKey.QueryString
			list := []string{"*"}
			if qs.Exclude != nil && !qs.Exclude.All {
				list = qs.Exclude.List
			}
			b.WriteString("      cache_key {\n        custom_key {\n          query_string {\n")
			hclAttrs(&b, "            ", "exclude", hclList(list))
			b.WriteString("          }\n        }\n      }\n")
		}
		b.WriteString("    }\n  }\n")
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

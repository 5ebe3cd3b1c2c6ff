package fastapi

// Authentication as FastAPI applies it: dependencies declared on the app,
// on an APIRouter, on include_router, on the route or as the view's
// parameters, followed through Depends() and Security() into the
// project's functions and classes, at any depth. A dependency needs a
// user when it uses a security scheme (OAuth2, HTTP bearer/basic, API
// keys, Security) or reads the user or the credentials.

import (
	"fmt"
	"regexp"

	sitter "github.com/tree-sitter/go-tree-sitter"

	"github.com/cdnadvise/cdnadvise/pysrc"
)

// securityRe finds what makes a dependency authentication.
var securityRe = regexp.MustCompile(`\b(OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|OAuth2PasswordRequestForm|HTTPBearer|HTTPBasic|HTTPDigest|APIKeyHeader|APIKeyCookie|APIKeyQuery|OpenIdConnect|Security)\b|\b(get_)?current_(active_)?user\b|request\.user\b|request\.session\b|request\.cookies\b|\bCookie\(|["'][Aa]uthorization["']|\bauthorization\b`)

// depsRequirement says why the dependencies in n (a dependencies=[...]
// list, or a view's definition with its parameters) need a user, naming
// the dependency chain with files and lines ("" when none does).
func (w *fastapiWalker) depsRequirement(m *pysrc.Module, n *sitter.Node) string {
	return w.depsReq(m, n, map[*sitter.Node]bool{}, 0)
}

func (w *fastapiWalker) depsReq(m *pysrc.Module, n *sitter.Node, seen map[*sitter.Node]bool, depth int) string {
	if n == nil || depth > 8 {
		return ""
	}
	if x := securityRe.FindString(m.Text(n)); x != "" {
		return fmt.Sprintf("%s (%s:%d)", x, m.File, pysrc.Line(n))
	}
	var why string
	var visit func(x *sitter.Node, d int)
	visit = func(x *sitter.Node, d int) {
		if why != "" || d > 40 {
			return
		}
		if c, ok := m.AsCall(x); ok && len(c.Args) > 0 {
			if f := pysrc.LastName(c.Fn); f == "Depends" || f == "Security" {
				name := m.Text(c.Args[0])
				if dm, def := w.dependency(m, name); def != nil && !seen[def] {
					seen[def] = true
					if inner := w.depsReq(dm, def, seen, depth+1); inner != "" {
						why = fmt.Sprintf("Depends(%s) (%s:%d) -> %s", name, m.File, pysrc.Line(x), inner)
						return
					}
				}
			}
		}
		for _, ch := range pysrc.Children(x) {
			visit(ch, d+1)
		}
	}
	visit(n, 0)
	return why
}

// dependency finds what a dependency name refers to in the project: a
// function or class definition, or the value a module-level name is
// assigned (oauth2_scheme = OAuth2PasswordBearer(...)).
func (w *fastapiWalker) dependency(m *pysrc.Module, name string) (*pysrc.Module, *sitter.Node) {
	dm, rest := m, name
	if t, r := w.Proj.Resolve(m, name); t != nil && r != "" {
		dm, rest = t, r
	}
	if def, ok := dm.Defs[rest]; ok {
		return dm, def
	}
	if val, _, _, ok := dm.Binding(rest); ok {
		return dm, val
	}
	return nil, nil
}

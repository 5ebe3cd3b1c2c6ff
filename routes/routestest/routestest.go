// Package routestest holds what the tests of the route table and of each
// framework's home share: a row as the tests compare it, and exact mode run
// on a test project.
package routestest

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes"
)

// Brief is a route as the tests compare it.
func Brief(r *framework.Route) string {
	m := append([]string(nil), r.Methods...)
	sort.Strings(m)
	s := fmt.Sprintf("%s %s %s %s", r.Method, r.Pattern, strings.Join(m, ","), r.View)
	if r.HasCacheControl {
		s += " [cache-control]"
	}
	if r.PerUser {
		s += " [per-user]"
	}
	if r.Unresolved != "" {
		s += " [unresolved]"
	}
	return s
}

// Static runs the static pass on dir; the table is closed when the test
// ends.
func Static(t testing.TB, dir string) *framework.Routes {
	t.Helper()
	rt, err := routes.ExtractRoutes(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt
}

// ExactOf runs the static pass and exact mode on dir.
func ExactOf(t *testing.T, dir string, timeout time.Duration) (*framework.Routes, *framework.Routes, *framework.ExactDiff) {
	t.Helper()
	st := Static(t, dir)
	rt, d, err := routes.ExactRoutes(context.Background(), lab.TestPython, dir, st, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	var b bytes.Buffer
	d.Write(&b)
	t.Logf("%s", b.String())
	return st, rt, d
}

// Briefs lists the rows of a table as Brief, sorted.
func Briefs(rt *framework.Routes) []string {
	var out []string
	for _, r := range rt.Routes {
		out = append(out, Brief(r))
	}
	sort.Strings(out)
	return out
}

// SameList compares two lists of rows (want is sorted first).
func SameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// SameAsStatic checks that every row the static pass resolved is in the
// exact table with the same method, pattern, view, flags and view
// definition (so that the patcher edits the same line), except for the
// differences listed in views (static view -> framework view).
func SameAsStatic(t *testing.T, st, rt *framework.Routes, views map[string]string) {
	t.Helper()
	for _, s := range st.Routes {
		if s.Unresolved != "" {
			continue
		}
		var e *framework.Route
		for _, r := range rt.Routes {
			if r.Method == s.Method && r.Pattern == s.Pattern {
				e = r
			}
		}
		if e == nil {
			t.Errorf("static row %s missing from the exact table", Brief(s))
			continue
		}
		view := s.View
		if v, ok := views[view]; ok {
			view = v
			if v == "*" { // any view name the framework gives
				view = e.View
			}
		}
		if e.View != view || e.HasCacheControl != s.HasCacheControl || e.PerUser != s.PerUser || e.File != s.File || e.Line != s.Line {
			t.Errorf("exact row %s (%s:%d), static %s (%s:%d)", Brief(e), e.File, e.Line, Brief(s), s.File, s.Line)
		}
		if e.ViewFile() != s.ViewFile() || e.ViewLine() != s.ViewLine() {
			t.Errorf("%s: exact view definition %s:%d, static %s:%d", s.Pattern, e.ViewFile(), e.ViewLine(), s.ViewFile(), s.ViewLine())
		}
	}
}

// BriefD is Brief with the debug-only mark.
func BriefD(r *framework.Route) string {
	s := Brief(r)
	if r.DebugOnly {
		s += " [debug]"
	}
	return s
}

// CheckPerUser checks the GET rows of a table against want (pattern ->
// a part of the reason the route needs a user, "" when it must be read as
// public): every pattern is found, public ones are not per-user, the
// others are, with the reason.
func CheckPerUser(t *testing.T, rt *framework.Routes, want map[string]string) {
	t.Helper()
	left := map[string]string{}
	for p, w := range want {
		left[p] = w
	}
	for _, r := range rt.Routes {
		w, ok := left[r.Pattern]
		if !ok || r.Method != "GET" {
			continue
		}
		delete(left, r.Pattern)
		switch {
		case w == "" && r.PerUser:
			t.Errorf("%s is public, read as per-user: %s", r.Pattern, r.PerUserWhy)
		case w != "" && !r.PerUser:
			t.Errorf("%s needs a user, read as public", r.Pattern)
		case w != "" && !strings.Contains(r.PerUserWhy, w):
			t.Errorf("%s: why %q, want it to contain %q", r.Pattern, r.PerUserWhy, w)
		}
	}
	for p := range left {
		t.Errorf("route %s not found", p)
	}
}

// NoDiff fails the test when the framework's table and the static pass's
// differ (rows only one of them has), listing those rows.
func NoDiff(t *testing.T, d *framework.ExactDiff) {
	t.Helper()
	if len(d.FrameworkOnly) == 0 && len(d.StaticOnly) == 0 {
		return
	}
	var b strings.Builder
	for _, r := range d.FrameworkOnly {
		fmt.Fprintf(&b, "\n  framework only: %s %s (%s)", r.Method, r.Pattern, r.View)
	}
	for _, r := range d.StaticOnly {
		fmt.Fprintf(&b, "\n  static only: %s %s (%s)", r.Method, r.Pattern, r.Unresolved)
	}
	t.Errorf("static and framework tables differ (recall %.3f):%s", d.Recall, b.String())
}

// Command score measures `cdnadvise routes` against the route corpus in
// bench/routes: for each project, the share of the (method, path) routes
// the framework itself builds (routes.tsv, ORIGIN project) that cdnadvise
// lists, resolved, in static mode (--python none) and, with -exact, in
// exact mode (--python PY with the project's stubs and environment).
//
//	go run ./bench/routes/score -root /tmp/corpus -bin ./cdnadvise [-exact] [-only django/x] [-v] [-md]
//
// -root holds each project's checkout at ROOT/<slug> (the commit of its
// project.json) and fetched dependencies at ROOT/_deps/<name>.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	o := options{}
	flag.StringVar(&o.Corpus, "corpus", "bench/routes", "the corpus folder (framework/slug/project.json and routes.tsv)")
	flag.StringVar(&o.Root, "root", "/tmp/corpus", "where the projects are checked out (ROOT/<slug>, ROOT/_deps/<name>)")
	flag.StringVar(&o.Bin, "bin", "cdnadvise", "the cdnadvise binary to score")
	flag.StringVar(&o.Python, "python", "/usr/bin/python3", "the interpreter for -exact")
	flag.BoolVar(&o.Exact, "exact", false, "also score exact mode (--python)")
	flag.StringVar(&o.Only, "only", "", "score only this framework or framework/slug")
	flag.BoolVar(&o.Verbose, "v", false, "list every route missed")
	flag.BoolVar(&o.Markdown, "md", false, "print the table as Markdown (for BENCHMARKS.md)")
	flag.DurationVar(&o.Timeout, "timeout", 3*time.Minute, "bound on one cdnadvise run")
	flag.Parse()
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

type options struct {
	Corpus, Root, Bin, Python, Only string
	Exact, Verbose, Markdown        bool
	Timeout                         time.Duration
}

// project is a corpus entry's project.json.
type project struct {
	Repo      string `json:"repo"`
	Commit    string `json:"commit"`
	Framework string `json:"framework"`
	Src       string `json:"src"`
	// ExactSrc is the --src of exact runs when it differs from Src (a
	// monorepo whose root folder would shadow a package on the path).
	ExactSrc   string            `json:"exact_src"`
	App        string            `json:"app"`
	Settings   string            `json:"settings"`
	Env        map[string]string `json:"env"`
	PythonPath []string          `json:"pythonpath"`
	Notes      string            `json:"notes"`
	dir, slug  string
}

// result is one project's score in one mode.
type result struct {
	Truth, Found int
	// WebSockets counts the project's WebSocket routes, left out of Truth.
	WebSockets int
	// FellBack: exact mode was asked for and the static pass answered
	// (why).
	FellBack string
	Missed   []truthRow
	Err      string
}

const notAsked = "not asked (-exact)"

func (r result) cell() string {
	if r.Err == notAsked {
		return "-"
	}
	if r.FellBack != "" {
		return "fell back to static"
	}
	if r.Err != "" {
		return "did not run"
	}
	if r.Truth == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.1f %%)", r.Found, r.Truth, 100*float64(r.Found)/float64(r.Truth))
}

func run(ctx context.Context, o options, w io.Writer) error {
	files, err := filepath.Glob(filepath.Join(o.Corpus, "*", "*", "project.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no %s/*/*/project.json", o.Corpus)
	}
	sort.Strings(files)
	if o.Markdown {
		fmt.Fprintln(w, "| project | commit | framework | routes (project / third-party / built in) | static | exact |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
	}
	for _, f := range files {
		p, err := readProject(f)
		if err != nil {
			return err
		}
		if o.Only != "" && o.Only != p.Framework && o.Only != p.Framework+"/"+p.slug {
			continue
		}
		truth, err := readTruth(filepath.Join(p.dir, "routes.tsv"))
		if err != nil {
			return err
		}
		src := filepath.Join(o.Root, p.slug, filepath.FromSlash(p.Src))
		if _, err := os.Stat(src); err != nil {
			return fmt.Errorf("%s: the checkout is missing (%w): fetch %s at %s into %s", p.slug, err, p.Repo, p.Commit, filepath.Join(o.Root, p.slug))
		}
		static := score(truth, o.routes(ctx, p, src, false))
		exact := result{Err: notAsked}
		if o.Exact {
			esrc := src
			if p.ExactSrc != "" {
				esrc = filepath.Join(o.Root, p.slug, filepath.FromSlash(p.ExactSrc))
			}
			exact = score(truth, o.routes(ctx, p, esrc, true))
		}
		counts := map[string]int{}
		for _, t := range truth {
			counts[t.Origin]++
		}
		commit := p.Commit
		if len(commit) > 7 {
			commit = commit[:7]
		}
		if o.Markdown {
			fmt.Fprintf(w, "| %s | %s | %s | %d / %d / %d | %s | %s |\n", p.Repo, commit, p.Framework,
				counts["project"], counts["third-party"], counts["builtin"], static.cell(), exact.cell())
		} else {
			fmt.Fprintf(w, "%-8s %-40s static %-20s exact %s\n", p.Framework, p.Repo, static.cell(), exact.cell())
		}
		for _, r := range []struct {
			mode string
			res  result
		}{{"static", static}, {"exact", exact}} {
			if r.res.Err != "" && (r.mode == "static" || o.Exact) {
				fmt.Fprintf(w, "  %s: %s\n", r.mode, r.res.Err)
			}
			if r.res.FellBack != "" {
				fmt.Fprintf(w, "  %s: fell back to the static pass: %s\n", r.mode, r.res.FellBack)
			}
			if o.Verbose {
				for _, m := range r.res.Missed {
					fmt.Fprintf(w, "  %s missed: %-6s %s  %s\n", r.mode, m.Method, m.Pattern, m.View)
				}
			}
		}
	}
	return nil
}

func readProject(f string) (*project, error) {
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, err
	}
	p := &project{dir: filepath.Dir(f), slug: filepath.Base(filepath.Dir(f))}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("%s: %w", f, err)
	}
	return p, nil
}

// cdnadviseRow is the part of `cdnadvise routes --json` scored.
type cdnadviseRow struct {
	Method     string   `json:"method"`
	Methods    []string `json:"methods"`
	Pattern    string   `json:"pattern"`
	Unresolved string   `json:"unresolved"`
}

// listing is cdnadvise's table, or why it could not be had; fellBack
// says why exact mode was asked for and the static pass answered.
type listing struct {
	rows     []cdnadviseRow
	err      error
	fellBack string
}

// routes runs cdnadvise on src, statically or with the project's
// interpreter set up as its project.json says.
func (o options) routes(ctx context.Context, p *project, src string, exact bool) listing {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	args := []string{"routes", "--src", src, "--json", "--python", "none"}
	env := os.Environ()
	if exact {
		args = []string{"routes", "--src", src, "--json", "--python", o.Python}
		if p.App != "" {
			args = append(args, "--app", p.App)
		}
		if p.Settings != "" {
			args = append(args, "--settings", p.Settings)
		}
		var paths []string
		for _, e := range p.PythonPath {
			paths = append(paths, o.resolvePath(p, src, e))
		}
		if len(paths) > 0 {
			env = append(env, "PYTHONPATH="+strings.Join(paths, string(os.PathListSeparator)))
		}
		for k, v := range p.Env {
			env = append(env, k+"="+v)
		}
	}
	cmd := exec.CommandContext(ctx, o.Bin, args...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return listing{err: fmt.Errorf("%s %s: %v: %s", o.Bin, strings.Join(args, " "), err, lastLine(stderr.String()))}
	}
	var doc struct {
		Routes []cdnadviseRow `json:"routes"`
		Mode   *struct {
			Mode string `json:"mode"`
			Why  string `json:"why"`
		} `json:"mode"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return listing{err: fmt.Errorf("%s printed no JSON table: %w", o.Bin, err)}
	}
	l := listing{rows: doc.Routes}
	if exact && (doc.Mode == nil || doc.Mode.Mode != "exact") {
		why := "no mode said"
		if doc.Mode != nil {
			why = doc.Mode.Why
		}
		l.fellBack = why
	}
	return l
}

// resolvePath reads a pythonpath entry of project.json: "@src" is the
// --src folder, "@deps/NAME/..." a fetched dependency under ROOT/_deps,
// anything else a folder of the corpus entry (its stubs).
func (o options) resolvePath(p *project, src, e string) string {
	switch {
	case e == "@src":
		return src
	case strings.HasPrefix(e, "@deps/"):
		return filepath.Join(o.Root, "_deps", filepath.FromSlash(strings.TrimPrefix(e, "@deps/")))
	case strings.HasPrefix(e, "@root"):
		return filepath.Join(o.Root, p.slug, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(e, "@root"), "/")))
	}
	abs, _ := filepath.Abs(filepath.Join(p.dir, filepath.FromSlash(e)))
	return abs
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

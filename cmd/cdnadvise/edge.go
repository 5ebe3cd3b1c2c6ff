package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/advisor"
	"github.com/cdnadvise/cdnadvise/analyze"
	"github.com/cdnadvise/cdnadvise/edge"
	"github.com/cdnadvise/cdnadvise/replay"
)

type edgeOptions struct {
	*globalOptions
	io *streams
	adviseFlags
	Upstream  string
	Listen    string
	CacheDir  string
	AccessLog string
	Out       string
}

func newEdgeCmd(g *globalOptions, io *streams) *cobra.Command {
	opts := &edgeOptions{globalOptions: g, io: io}
	cmd := &cobra.Command{
		Use:   "edge --edge NAME [--src DIR] [-o FILE]",
		Short: "Write the edge configuration the advice needs (VCL, nginx, Cache Rules, cache policies)",
		Long: `Write the configuration that makes the advice true on an edge, from the same advice
as cdnadvise advise (same flags): the header patch alone is not enough where the edge,
as it comes, passes or ignores what the advice relies on.

  varnish     a complete VCL 4.1 file (backend from --upstream, a unix: socket too):
              drops the browser's cookies on GET/HEAD of the routes advised for a shared
              cache (the builtin VCL passes every request with a Cookie header), passes
              per-user routes and requests with Authorization
  nginx       a file to include inside http {}: proxy_cache_path, the key, and a server
              {} (--listen) proxying to --upstream; per-user routes and requests with
              Authorization bypass the cache, GET/HEAD of shared routes reach the origin
              without cookies (other methods keep them)
  nginx-include
              the same cache for a server of your own: FILE.http.conf to include in
              http {}, FILE.location.conf in the location that proxies to the app
  cloudflare  Cache Rules (rulesets API JSON and Terraform): HTML and JSON are not
              eligible for cache by default
  cloudfront  cache policies and cache behaviors (CloudFormation JSON, Terraform):
              minimum TTL 0 so that private is honoured, query strings in the key
  fastly      VCL snippets (recv, fetch)

With -o FILE the artifact is written there (edges with several files: FILE with each
suffix); without it, to standard output.`,
		Example: `  cdnadvise edge --edge varnish --src ./myapp --upstream http://127.0.0.1:8000 -o cdnadvise.vcl
  varnishd -C -f cdnadvise.vcl >/dev/null && echo ok
  cdnadvise edge --edge nginx --upstream http://127.0.0.1:8000 --listen 0.0.0.0:80 -o /etc/nginx/cdnadvise.conf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEdge(cmd.Context(), opts) },
	}
	opts.flags(cmd)
	cmd.Flags().StringVar(&opts.Upstream, "upstream", "http://127.0.0.1:8000", "the origin the edge proxies to")
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "address the edge listens on (nginx)")
	cmd.Flags().StringVar(&opts.CacheDir, "cache-dir", edge.DefaultNginxCacheDir, "where nginx keeps the cache (its parent must exist: nginx creates only the last folder)")
	cmd.Flags().StringVar(&opts.AccessLog, "access-log", "", "nginx: log each request with its cache status to this file (a format cdnadvise ingest reads)")
	cmd.Flags().StringVarP(&opts.Out, "output", "o", "", "write to this file (default: standard output)")
	return cmd
}

func runEdge(ctx context.Context, opts *edgeOptions) error {
	w, err := edge.Lookup(opts.Edge)
	if err != nil {
		return err
	}
	ao := &adviseOptions{globalOptions: opts.globalOptions, io: opts.io, adviseFlags: opts.adviseFlags}
	res, rt, err := ao.advise(ctx, "", false)
	if rt != nil {
		defer rt.Close()
	}
	if err != nil {
		return err
	}
	adv := res.Advice
	files, err := edgeArtifacts(w, edgeConfig(adv, opts.adviseFlags, opts.Upstream, opts.Listen, opts.CacheDir, opts.AccessLog), opts.Out)
	if err != nil {
		return err
	}
	if opts.Out == "" {
		for _, f := range files {
			if _, err := opts.io.Out.Write(f.body); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, f.body, 0o644); err != nil {
			return err
		}
		if !opts.Quiet {
			fmt.Fprintf(opts.io.ErrOut, "wrote %s\n", f.path)
		}
	}
	return nil
}

// edgeConfig is the input of the artifact writers for an advice.
func edgeConfig(adv *advisor.Advice, f adviseFlags, upstream, listen, cacheDir, accessLog string) edge.Config {
	c := edge.Config{Upstream: upstream, Listen: listen, CacheDir: cacheDir, AccessLog: accessLog,
		Rules: advisor.EdgeRules(adv, replay.KeyPolicy(f.Key))}
	if k := replay.KeyPolicy(f.Key); k == replay.KeyNoTracking || k == replay.KeySorted {
		c.TrackingParams = analyze.TrackingParams()
	}
	c.Source = "the advice on " + fmt.Sprint(len(adv.Recommendations)) + " route rows"
	if f.Src != "" {
		c.Source += " of " + filepath.Base(filepath.Clean(f.Src))
	}
	return c
}

type artifact struct {
	path string
	body []byte
}

// edgeArtifacts renders every file of an edge's artifact; out names the
// first (its suffix replaced for the others).
func edgeArtifacts(w edge.Writer, c edge.Config, out string) ([]artifact, error) {
	var res []artifact
	for i, suffix := range w.Files() {
		var b bytes.Buffer
		if err := w.Write(&b, suffix, c); err != nil {
			return nil, err
		}
		p := out
		if out != "" && (i > 0 || !strings.HasSuffix(out, suffix)) && len(w.Files()) > 1 {
			// FILE.http.conf or FILE.conf -> FILE + each suffix.
			base := strings.TrimSuffix(out, filepath.Ext(out))
			if first := w.Files()[0]; strings.HasSuffix(out, first) {
				base = strings.TrimSuffix(out, first)
			}
			p = base + suffix
		}
		res = append(res, artifact{p, b.Bytes()})
	}
	return res, nil
}

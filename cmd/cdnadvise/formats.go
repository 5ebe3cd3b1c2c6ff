package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/cdnadvise/cdnadvise/ingest"
)

type formatsOptions struct {
	io   *streams
	JSON bool
}

func newFormatsCmd(ios *streams) *cobra.Command {
	opts := &formatsOptions{io: ios}
	cmd := &cobra.Command{
		Use:   "formats",
		Short: "List the log formats cdnadvise reads, with an example line each",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runFormats(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	return cmd
}

func runFormats(opts *formatsOptions) error {
	type entry struct {
		Name     string `json:"name"`
		Tier     string `json:"tier"`
		Detected bool   `json:"detected"`
		Summary  string `json:"summary"`
		Example  string `json:"example"`
	}
	var list []entry
	for _, f := range ingest.Formats() {
		list = append(list, entry{f.Name, string(f.Tier), !f.NoDetect, f.Summary, f.Example})
	}
	if opts.JSON {
		return printJSON(opts.io.Out, list)
	}
	for _, e := range list {
		det := ""
		if !e.Detected {
			det = ", only with --format " + e.Name
		}
		fmt.Fprintf(opts.io.Out, "%s (%s%s)\n  %s\n  example: %s\n\n", e.Name, e.Tier, det, e.Summary, e.Example)
	}
	_, err := io.WriteString(opts.io.Out, `Custom layouts:
  --nginx-format  an nginx log_format, verbatim ($remote_addr, $time_local, $request, $status, $body_bytes_sent,
                  $request_time, $upstream_response_time, $upstream_cache_status, $host, $request_id, ...)
  --apache-format an Apache LogFormat or varnishncsa -F string (%h %t %r %>s %b %D %T %{Referer}i %{Varnish:hitmiss}x ...)
  --log-format    any of the above, or a gunicorn access_log_format (%(h)s %(t)s "%(r)s" %(s)s %(b)s %(D)s ...)
  --json-map      JSON lines with other key names, e.g. ts=time,path=uri,status=status,cache=cache_status
`)
	return err
}

// Command cdnadvise turns a site's access logs into cache tuning it can ship:
// it ingests edge and origin logs into DuckDB, analyzes hit ratios and
// latency per endpoint, replays the traffic through a cache model and
// recommends TTLs and Cache-Control headers per route.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := runMain(ctx, os.Args[1:], defaultStreams())
	stop()
	os.Exit(code)
}

// runMain runs the command line args and returns the exit code.
func runMain(ctx context.Context, args []string, io *streams) int {
	root := newRootCmd(io)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		if err != errSilent {
			fmt.Fprintln(io.ErrOut, "error:", err)
		}
		return 1
	}
	return 0
}

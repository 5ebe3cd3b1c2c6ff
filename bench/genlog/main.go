// Command genlog writes a synthetic nginx-cache access log (Zipf URLs) for
// the ingest benchmark: go run ./bench/genlog -n 2000000 [-shape realistic] > access.log
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
)

func main() {
	n := flag.Int("n", 2_000_000, "lines")
	urls := flag.Int("urls", 50_000, "distinct URLs")
	seed := flag.Uint64("seed", 1, "random seed")
	shape := flag.String("shape", "simple", "simple (short URLs, four user agents) or realistic (long varied query strings, thousands of user agents and referers, percent-encoded non-ASCII paths, IPv6 clients)")
	flag.Parse()
	gen := loggen.NginxCache
	switch *shape {
	case "simple":
	case "realistic":
		gen = loggen.Realistic
	default:
		fmt.Fprintln(os.Stderr, "genlog: -shape is simple or realistic")
		os.Exit(2)
	}
	if err := gen(os.Stdout, loggen.Options{Lines: *n, URLs: *urls, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

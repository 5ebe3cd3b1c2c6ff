// Command genlog writes a synthetic nginx-cache access log (Zipf URLs) for
// the ingest benchmark: go run ./bench/genlog -n 2000000 > access.log
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
	flag.Parse()
	if err := loggen.NginxCache(os.Stdout, loggen.Options{Lines: *n, URLs: *urls, Seed: *seed}); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

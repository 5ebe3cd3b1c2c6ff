// Command gentrace writes the size-changing cache trace the replay's
// libCacheSim parity test uses (loggen.SizeTrace), for running libCacheSim's
// cachesim on it: go run ./bench/gentrace > trace-b.csv
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/cdnadvise/cdnadvise/internal/loggen"
)

func main() {
	n := flag.Int("n", 200_000, "requests")
	objects := flag.Int("objects", 8_000, "distinct objects")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := loggen.SizeTrace(os.Stdout, *n, *objects, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gentrace:", err)
		os.Exit(1)
	}
}

package loggen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// SizeTrace writes a cache trace "time,obj_id,obj_size" (libCacheSim's csv
// reader with a header) of n requests over objects with Zipf popularity,
// in which objects change size between requests as blocks of a block I/O
// trace or rewritten files do: each request has a 3% chance to give its
// object a new size. Sizes are log-normal around 2 KiB (64 B to 64 KiB);
// ten requests per second.
func SizeTrace(w io.Writer, n, objects int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(rng, 1.05, 1, uint64(objects-1))
	size := make([]int64, objects)
	newSize := func() int64 {
		s := int64(math.Exp(rng.NormFloat64()*1.1 + math.Log(2048)))
		return min(max(s, 64), 64<<10)
	}
	for i := range size {
		size[i] = newSize()
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "time,obj_id,obj_size")
	for i := 0; i < n; i++ {
		x := zipf.Uint64()
		if rng.Float64() < 0.03 {
			size[x] = newSize()
		}
		fmt.Fprintf(bw, "%d,%d,%d\n", i/10, x+1, size[x])
	}
	return bw.Flush()
}

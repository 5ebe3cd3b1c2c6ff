package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

func main() {
	for _, cfg := range []struct {
		s float64
		n uint64
		share int
	}{{1.1, 1499, 35}, {1.1, 4999, 35}, {1.05, 4999, 35}, {1.2, 9999, 35}, {1.1, 399, 9}, {1.05, 1999, 9}, {1.1, 2999, 15}} {
		rng := rand.New(rand.NewPCG(1, 99))
		z := rand.NewZipf(rng, cfg.s, 1, cfg.n)
		var urls []uint64
		var times []time.Duration
		for i := 0; i < 30000; i++ {
			if rng.IntN(100) < cfg.share {
				urls = append(urls, z.Uint64())
				times = append(times, time.Duration(i)*20*time.Millisecond)
			}
		}
		fmt.Printf("s=%.2f n=%d share=%d reqs=%d:", cfg.s, cfg.n, cfg.share, len(urls))
		for _, ttl := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute} {
			exp := map[uint64]time.Duration{}
			h := 0
			for i, u := range urls {
				now := times[i]
				e, ok := exp[u]
				switch {
				case ok && now < e:
					h++
				case ok && now < e+ttl:
					h++
					exp[u] = now + ttl
				default:
					exp[u] = now + ttl
				}
			}
			fmt.Printf(" %v:%.3f", ttl, float64(h)/float64(len(urls)))
		}
		fmt.Println()
	}
}

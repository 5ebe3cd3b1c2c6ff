package store

import "testing"

func TestSampleCut(t *testing.T) {
	for _, c := range []struct {
		target, rows, want int64
	}{
		{20_000, 0, SampleSpace},                // nothing to sample
		{20_000, 20_000, SampleSpace},           // at the limit: every row
		{20_000, 40_000, SampleSpace/2 + 1},     // half, rounded up
		{1, 1 << 40, 1},                         // never an empty cut
		{20_000, 1_000_000, SampleSpace/50 + 1}, // 2%
		{2_000_000, 2_100_000, 998_643 + 1},     // analyze's default on 2.1 M rows
	} {
		if got := SampleCut(c.target, c.rows); got != c.want {
			t.Errorf("SampleCut(%d, %d) = %d, want %d", c.target, c.rows, got, c.want)
		}
	}
}

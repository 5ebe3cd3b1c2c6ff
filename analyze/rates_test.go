package analyze

import "testing"

// TestRates: rates are written in the unit that fits the largest of them.
func TestRates(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, c := range []struct {
		in   []*float64
		want string
	}{
		{[]*float64{f(10.8), f(5.1)}, "10.8→5.1 /min"},
		{[]*float64{f(0.07), f(0.002)}, "4.2→0.1 /h"},
		{[]*float64{f(0.0005), nil, f(0.0001)}, "0.7→-→0.1 /day"},
		{[]*float64{f(0), f(0)}, "0.0→0.0 /min"},
	} {
		if got := Rates(c.in...); got != c.want {
			t.Errorf("%v: %q, want %q", c.in, got, c.want)
		}
	}
}

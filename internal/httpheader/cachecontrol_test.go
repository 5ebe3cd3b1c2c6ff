package httpheader

import "testing"

func TestSameMeaning(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"max-age=315360000, public, immutable", "public, max-age=31536000, immutable", true}, // WhiteNoise
		{"max-age=0, no-cache, no-store, must-revalidate, private", "no-store", true},         // Django's never_cache
		{"public, max-age=60", "Public,Max-Age=60", true},
		{"public, max-age=60, s-maxage=300", "public, s-maxage=300", true},
		{"private, max-age=60", "private", true},
		{"public, max-age=60", "public, max-age=300", false},
		{"public, max-age=60", "private, max-age=60", false},
		{"public, max-age=31536000, immutable", "public, max-age=31536000", false},
		{"no-store", "private", false},
		{"public, max-age=60", "public, max-age=60, no-cache", false},
	} {
		if got := SameMeaning(c.a, c.b); got != c.same {
			t.Errorf("SameMeaning(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
		if got := SameMeaning(c.b, c.a); got != c.same {
			t.Errorf("SameMeaning(%q, %q) = %v, want %v (symmetric)", c.b, c.a, got, c.same)
		}
	}
}

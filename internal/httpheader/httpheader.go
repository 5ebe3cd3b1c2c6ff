// Package httpheader holds what several packages need to know of HTTP
// header names.
package httpheader

import "strings"

// Canonical writes a header name the way cdnadvise shows and compares
// them: each dash-separated word capitalized, the rest lower case
// (accept-language -> Accept-Language).
func Canonical(h string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(h)), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

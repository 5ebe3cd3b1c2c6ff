package analyze

import (
	"fmt"
	"math"
	"strings"
)

// Rates writes request rates (given per minute) as "a→b→c" in the unit
// that fits the largest: per minute, per hour or per day (a 3.5-day log's
// 0.07 per minute is 4.2 per hour).
func Rates(perMin ...*float64) string {
	top := 0.0
	for _, v := range perMin {
		if v != nil {
			top = math.Max(top, *v)
		}
	}
	mult, unit := 1.0, "/min"
	switch {
	case top >= 1 || top == 0:
	case top*60 >= 1:
		mult, unit = 60, "/h"
	default:
		mult, unit = 1440, "/day"
	}
	parts := make([]string, len(perMin))
	for i, v := range perMin {
		if v == nil {
			parts[i] = "-"
		} else {
			parts[i] = fmt.Sprintf("%.1f", *v*mult)
		}
	}
	return strings.Join(parts, "→") + " " + unit
}

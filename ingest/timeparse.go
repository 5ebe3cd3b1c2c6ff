package ingest

import (
	"errors"
	"math"
	"strconv"
)

var errBadTime = errors.New("bad timestamp")

// daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func digits(b []byte, n int) (int64, bool) {
	if len(b) < n {
		return 0, false
	}
	var v int64
	for i := 0; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

func monthAbbr(b []byte) int64 {
	if len(b) < 3 {
		return 0
	}
	switch string(b[:3]) {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

func validClock(mo, d, h, mi, s int64) bool {
	return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(mo) && h <= 23 && mi <= 59 && s <= 60
}

// daysIn is the longest a month can be (29 for February: leap years are not
// checked, a 29 Feb in a common year normalizes to 1 Mar).
func daysIn(mo int64) int64 {
	switch mo {
	case 2:
		return 29
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// unixMicros builds microseconds since the epoch from civil fields in UTC.
func unixMicros(y, mo, d, h, mi, s, us int64) int64 {
	return ((daysFromCivil(y, mo, d)*86400+h*3600+mi*60+s)*1_000_000 + us)
}

// parseCLFTime parses "10/Oct/2000:13:55:36 -0700" (nginx $time_local,
// Apache %t, gunicorn %(t)s without brackets); the zone is optional (UTC).
// A fraction of a second after the seconds (".123") is accepted.
func parseCLFTime(b []byte) (int64, error) {
	if len(b) < 20 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' {
		return 0, errBadTime
	}
	d, ok1 := digits(b, 2)
	mo := monthAbbr(b[3:])
	y, ok2 := digits(b[7:], 4)
	h, ok3 := digits(b[12:], 2)
	mi, ok4 := digits(b[15:], 2)
	s, ok5 := digits(b[18:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || !validClock(mo, d, h, mi, s) {
		return 0, errBadTime
	}
	rest := b[20:]
	us, rest := fraction(rest)
	t := unixMicros(y, mo, d, h, mi, s, us)
	if len(rest) == 0 {
		return t, nil
	}
	if rest[0] != ' ' {
		return 0, errBadTime
	}
	off, err := zoneOffset(rest[1:])
	if err != nil {
		return 0, err
	}
	return t - off*1_000_000, nil
}

// fraction reads ".123456" and returns microseconds and what follows.
func fraction(b []byte) (int64, []byte) {
	if len(b) == 0 || (b[0] != '.' && b[0] != ',') {
		return 0, b
	}
	i := 1
	var us int64
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n < 6 {
			us = us*10 + int64(b[i]-'0')
			n++
		}
	}
	for ; n < 6; n++ {
		us *= 10
	}
	return us, b[i:]
}

// zoneOffset parses "Z", "+0200", "+02:00", "-0700", "UTC"; seconds east of UTC.
func zoneOffset(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if (b[0] == 'Z' || b[0] == 'z') && len(b) == 1 || string(b) == "UTC" || string(b) == "GMT" {
		return 0, nil
	}
	if b[0] != '+' && b[0] != '-' {
		return 0, errBadTime
	}
	h, ok := digits(b[1:], 2)
	if !ok {
		return 0, errBadTime
	}
	rest := b[3:]
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	}
	var m int64
	if len(rest) > 0 { // "+01" alone is an offset too
		if m, ok = digits(rest, 2); !ok || len(rest) != 2 {
			return 0, errBadTime
		}
	}
	if h > 14 || m > 59 {
		return 0, errBadTime
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, nil
}

// parseISOTime parses "2019-12-04T21:02:31Z", "2019-12-04 21:02:31.123+01:00",
// "2019-12-04T21:02:31.123456789Z" and the like; no zone means UTC.
func parseISOTime(b []byte) (int64, error) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0, errBadTime
	}
	y, ok1 := digits(b, 4)
	mo, ok2 := digits(b[5:], 2)
	d, ok3 := digits(b[8:], 2)
	h, ok4 := digits(b[11:], 2)
	mi, ok5 := digits(b[14:], 2)
	s, ok6 := digits(b[17:], 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || !validClock(mo, d, h, mi, s) {
		return 0, errBadTime
	}
	us, rest := fraction(b[19:])
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	off, err := zoneOffset(rest)
	if err != nil {
		return 0, err
	}
	return unixMicros(y, mo, d, h, mi, s, us) - off*1_000_000, nil
}

// parseEpoch reads a unix time given as seconds (with or without fraction),
// milliseconds, microseconds or nanoseconds, told apart by magnitude.
func parseEpoch(b []byte) (int64, error) {
	f, err := parseFloat(b)
	if err != nil || f <= 0 {
		return 0, errBadTime
	}
	switch {
	case f < 1e11: // seconds (until year 5138)
		return int64(f*1e6 + 0.5), nil
	case f < 1e14: // milliseconds
		return int64(math.Round(f * 1e3)), nil
	case f < 1e17: // microseconds
		return int64(math.Round(f)), nil
	default: // nanoseconds, read exactly when they are an integer
		if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
			return n / 1000, nil
		}
		return int64(f / 1e3), nil
	}
}

// parseAnyTime accepts ISO 8601 / RFC 3339, CLF, or a unix epoch number.
func parseAnyTime(b []byte) (int64, error) {
	if len(b) >= 19 && b[4] == '-' {
		return parseISOTime(b)
	}
	if len(b) >= 20 && b[2] == '/' {
		return parseCLFTime(b)
	}
	return parseEpoch(b)
}

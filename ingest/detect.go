package ingest

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Detect picks the format of a file from its first lines: every format of
// the table that accepts the head parses the head lines, and the one that
// parses most of them, then fills most canonical fields, wins.
func Detect(head [][]byte) (Format, Parser, error) {
	if len(head) == 0 {
		return Format{}, nil, errors.New("no complete line in the first 64 KiB: cannot tell the format (binary file, or one enormous line?)")
	}
	var best Format
	var bestP Parser
	bestOK, bestRich := 0, -1
	requestLines := 0
	for _, f := range Formats() {
		if f.NoDetect {
			continue
		}
		p, err := safeOpen(f, head)
		if err != nil {
			continue
		}
		ok, rich, req := score(p, head)
		if ok > bestOK || ok == bestOK && ok > 0 && rich > bestRich {
			best, bestP, bestOK, bestRich = f, p, ok, rich
		}
		requestLines = max(requestLines, req)
	}
	if bestP == nil || bestOK == 0 || bestOK*2 < requestLines {
		first := string(sanitize(head[0]))
		if len(first) > 160 {
			first = first[:160] + "..."
		}
		return Format{}, nil, fmt.Errorf("no known log format recognized in the first %d lines (first line: %q); see `cdnadvise formats`, or say how to read it with --format, --nginx-format, --apache-format or --json-map", len(head), first)
	}
	return best, bestP, nil
}

// score parses the head lines with p: lines parsed, canonical fields filled
// (summed over parsed lines), and lines that were not headers/comments.
func score(p Parser, head [][]byte) (ok, rich, requestLines int) {
	var r Record
	for _, l := range head {
		r.Reset()
		err := safeParse(p, l, &r)
		if errors.Is(err, ErrNoRequest) {
			continue
		}
		requestLines++
		if err != nil {
			continue
		}
		ok++
		rich += richness(&r)
	}
	return ok, rich, requestLines
}

func richness(r *Record) int {
	n := 0
	for _, b := range [][]byte{r.Method, r.Host, r.Path, r.Query, r.Pop, r.RequestID, r.CacheRaw, r.CacheControl, r.ContentType, r.ETag, r.UserAgent, r.Referer, r.Client} {
		if len(b) > 0 {
			n++
		}
	}
	for _, f := range []float64{r.DurationMS, r.TTFBMS, r.OriginMS} {
		if !math.IsNaN(f) {
			n++
		}
	}
	if r.HasTS {
		n++
	}
	if r.Status > 0 {
		n++
	}
	if r.Bytes >= 0 {
		n++
	}
	return n
}

// FormatNames lists the names accepted by --format.
func FormatNames() string {
	var n []string
	for _, f := range Formats() {
		n = append(n, f.Name)
	}
	return strings.Join(n, ", ")
}

// safeOpen runs a format's Open, turning a panic (a bug) into a refusal.
func safeOpen(f Format, head [][]byte) (p Parser, err error) {
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("%s: parser failure: %v", f.Name, v)
		}
	}()
	return f.Open(head)
}

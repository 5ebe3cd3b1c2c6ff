package ingest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Parser turns one log line into a Record. Implementations are immutable after
// construction and safe for concurrent use; per-line scratch lives in Record.
type Parser interface {
	// Parse fills r (already Reset) from line. It returns ErrNoRequest for
	// lines that carry no request (comments, headers, blank lines) and any
	// other error for a line that does not parse; the error says why.
	Parse(line []byte, r *Record) error
}

// ErrNoRequest marks a line that is valid but carries no request (a W3C
// header, a comment): it is neither a row nor a reject.
var ErrNoRequest = errors.New("no request on this line")

// Format is one entry of the format table.
type Format struct {
	Name    string
	Tier    Tier
	Summary string // one line for `cdnadvise formats`
	Example string // one example line
	// Open inspects the first lines of a file and returns a parser configured
	// for it (field order from a header, optional trailing fields), or an
	// error when the file is not in this format.
	Open func(head [][]byte) (Parser, error)
	// Describe, when set, explains how the configured parser reads the file
	// (for example the inferred layout); shown in summaries.
	Describe func(Parser) string
	// NoDetect excludes the format from automatic detection (it must be
	// forced with --format).
	NoDetect bool
}

// Formats returns the table of built-in formats, in detection order. Each
// format lives in its own file of this package.
func Formats() []Format {
	return []Format{
		cloudfrontFormat(),
		albFormat(),
		cloudflareFormat(),
		fastlyFormat(),
		akamaiFormat(),
		nginxCacheFormat(),
		varnishFormat(),
		combinedFormat(),
		commonFormat(),
		gunicornFormat(),
		uvicornFormat(),
		djangoFormat(),
	}
}

// LookupFormat returns the built-in format called name.
func LookupFormat(name string) (Format, error) {
	var names []string
	for _, f := range Formats() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return Format{}, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

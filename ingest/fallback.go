package ingest

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ErrNotAccess marks a line of a console log (uvicorn's or Django's
// runserver output: banners, warnings, tracebacks, the app's own prints)
// that is not an access line: skipped and counted, never a reject. It is
// an ErrNoRequest.
var ErrNotAccess = notAccessError{}

type notAccessError struct{}

func (notAccessError) Error() string        { return "not an access line of this console log" }
func (notAccessError) Is(target error) bool { return target == ErrNoRequest }

// maxLayouts is how many layouts one file may show (the first, then those
// found on lines the others do not read).
const maxLayouts = 8

// detectBudget is how many lines of a file may go through detection
// without finding a layout before it stops trying (a file of junk lines
// must not cost a detection each).
const detectBudget = 64

// Layouts is a file's parser: the layout found for the file (or forced)
// first, then the other known layouts, tried in turn on a line the first
// does not read, before the line counts as a reject. A line none of them
// reads goes through detection on its own; a layout found that way (a
// log_format edited mid-file, a second virtual host's lines, a vhost
// prefix on some lines) joins the list for the rest of the file. It is safe
// for concurrent use.
type Layouts struct {
	list atomic.Pointer[[]Parser]
	mu   sync.Mutex
	// guarded by mu
	names      []string
	detectLeft int
}

// NewLayouts starts the list with the file's parser p, described as name.
func NewLayouts(p Parser, name string) *Layouts {
	l := &Layouts{names: []string{name}, detectLeft: detectBudget}
	ps := []Parser{p}
	l.list.Store(&ps)
	return l
}

// Names describes the layouts found so far, in the order of the indexes
// ParseIndex returns.
func (l *Layouts) Names() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.names...)
}

// Parse implements Parser.
func (l *Layouts) Parse(line []byte, r *Record) error {
	_, err := l.ParseIndex(line, r)
	return err
}

// ParseIndex parses line with the first layout that reads it and returns
// that layout's index. The error is the first layout's when none does.
func (l *Layouts) ParseIndex(line []byte, r *Record) (int, error) {
	ps := *l.list.Load()
	err0 := ps[0].Parse(line, r)
	if err0 == nil || errors.Is(err0, ErrNoRequest) {
		return 0, err0
	}
	if i := tryFrom(ps, 1, line, r); i > 0 {
		return i, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// Another goroutine may have added a layout meanwhile.
	if now := *l.list.Load(); len(now) > len(ps) {
		if i := tryFrom(now, len(ps), line, r); i > 0 {
			return i, nil
		}
		ps = now
	}
	if l.detectLeft <= 0 || len(ps) >= maxLayouts {
		r.Reset()
		return 0, err0
	}
	f, p, err := Detect([][]byte{line})
	if err != nil {
		l.detectLeft--
		r.Reset()
		return 0, err0
	}
	r.Reset()
	if err := safeParse(p, line, r); err != nil {
		l.detectLeft--
		r.Reset()
		return 0, err0
	}
	next := append(append([]Parser(nil), ps...), p)
	name := f.Name
	if f.Describe != nil {
		if d := f.Describe(p); d != "" {
			name += ": " + d
		}
	}
	l.names = append(l.names, name)
	l.list.Store(&next)
	return len(next) - 1, nil
}

// tryFrom tries the parsers from index from on; it returns the index of
// the one that read the line, or 0.
func tryFrom(ps []Parser, from int, line []byte, r *Record) int {
	for i := from; i < len(ps); i++ {
		r.Reset()
		if err := safeParse(ps[i], line, r); err == nil {
			return i
		}
	}
	return 0
}

package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cdnadvise/cdnadvise/internal/store"
)

// Input is one argument of `cdnadvise ingest`: a file, a folder (read
// recursively), a glob, or "-" for standard input, with the tier to record
// (empty: the format's own tier).
type Input struct {
	Path string
	Tier Tier
}

// Options configure a run.
type Options struct {
	Inputs []Input
	// Format forces a built-in format by name (see Formats).
	Format string
	// LogFormat is a custom layout: an nginx log_format, an Apache LogFormat
	// or a gunicorn access_log_format (see CompileLayout).
	LogFormat string
	// JSONMap maps JSON keys onto canonical columns (see JSONMapFormat).
	JSONMap string
	// MaxRejectRatio fails a file (rolled back, run exits non-zero) when more
	// than this share of its request lines does not parse.
	MaxRejectRatio float64
	// MaxLine is the longest accepted line in bytes (DefaultMaxLine if 0).
	MaxLine int
	// KeepClient stores client addresses as logged instead of pseudonymized.
	KeepClient bool
	// Workers is the number of parsing goroutines (GOMAXPROCS if 0).
	Workers int
	// Stdin is read for the input "-".
	Stdin io.Reader
	// Progress, when set, is called from time to time with the totals so far.
	Progress func(Progress)
	// Logger receives diagnostics (slog.Default() if nil).
	Logger *slog.Logger
	// CommitRows is how many rows of a long file are committed at a time
	// (DefaultCommitRows if 0); it bounds memory whatever the file size.
	CommitRows int64
	// DictLimit bounds the values each large dictionary (paths, queries,
	// user agents, ...) keeps in memory (DefaultDictLimit if 0): beyond it,
	// values are told apart by DuckDB at the end of the run.
	DictLimit int
	// DuckDBMemory caps DuckDB's buffers during the run (DefaultDuckDBMemory
	// if 0).
	DuckDBMemory int64
}

// DefaultDuckDBMemory is DuckDB's memory during ingest unless told (an
// eighth of the command's default --memory-limit): it evicts written
// blocks to the store file, so this bounds its buffers whatever the input
// size (BENCHMARKS.md: 64 MiB peaked 120 MiB lower than 128 MiB, and ran
// faster).
const DefaultDuckDBMemory = 64 << 20

// DefaultDictLimit is the values a large dictionary keeps in memory: 2 M,
// a 64 MiB table (16 bytes per slot, at most 3/4 full).
const DefaultDictLimit = 1 << 21

// Progress is a snapshot of a run for progress display.
type Progress struct {
	File       string
	BytesDone  int64 // on-disk bytes read so far (all files)
	BytesTotal int64 // on-disk bytes of all files (stdin not counted)
	Lines      int64
	Rows       int64
}

// FileResult says what happened to one file.
type FileResult struct {
	Path        string `json:"path"`
	Format      string `json:"format"`
	Tier        string `json:"tier"`
	Compression string `json:"compression,omitempty"`
	Layout      string `json:"layout,omitempty"`
	Status      string `json:"status"` // ingested, appended, seen, empty, failed
	Lines       int64  `json:"lines"`  // lines read in this run
	Rows        int64  `json:"rows"`
	Rejected    int64  `json:"rejected"`
	NoRequest   int64  `json:"no_request"` // header/comment/blank lines
	// NonAccess counts the lines of a console log (uvicorn, Django's
	// runserver) that are not access lines: banners, warnings, tracebacks,
	// the app's own prints. Skipped, never rejected.
	NonAccess int64 `json:"skipped_non_access"`
	// Layouts says how many rows each layout read, the file's own first:
	// a file whose lines change layout (a log_format edited mid-file, a
	// second virtual host) lists each.
	Layouts []LayoutRows `json:"layouts,omitempty"`
	Skipped int64        `json:"skipped"` // lines skipped as already ingested
	Notes   []string     `json:"notes,omitempty"`
	Error   string       `json:"error,omitempty"`
	Rejects []Reject     `json:"reject_samples,omitempty"`
}

// LayoutRows is how many rows of a file one layout read.
type LayoutRows struct {
	Layout string `json:"layout"`
	Rows   int64  `json:"rows"`
}

// Summary is the result of a run.
type Summary struct {
	Files    []FileResult `json:"files"`
	Lines    int64        `json:"lines"`
	Rows     int64        `json:"rows"`
	Rejected int64        `json:"rejected"`
	Skipped  int64        `json:"skipped"`
	// SkippedNonAccess counts console lines that are not access lines.
	SkippedNonAccess int64 `json:"skipped_non_access"`
	Failed           int   `json:"failed"`
}

// ErrFilesFailed is returned (wrapped) when at least one file failed; the
// other files were still ingested.
var ErrFilesFailed = errors.New("some files could not be ingested")

// Run ingests the inputs into st. Each file is committed together with its
// manifest row in one transaction, so a run interrupted at any point leaves a
// consistent store and the next run finishes the work exactly once.
func Run(ctx context.Context, st *store.Store, opts Options) (*Summary, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	if opts.CommitRows <= 0 {
		opts.CommitRows = DefaultCommitRows
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Stdin == nil {
		opts.Stdin = os.Stdin
	}
	forced, err := forcedFormat(opts)
	if err != nil {
		return nil, err
	}
	files, err := expand(opts.Inputs, st.Path)
	if err != nil {
		return nil, err
	}
	manifest, err := loadManifest(ctx, st.DB)
	if err != nil {
		return nil, err
	}
	if opts.DictLimit <= 0 {
		opts.DictLimit = DefaultDictLimit
	}
	if opts.DuckDBMemory <= 0 {
		opts.DuckDBMemory = DefaultDuckDBMemory
	}
	ld, err := newLoader(ctx, st, opts.KeepClient, opts.DictLimit, opts.DuckDBMemory, opts.Logger)
	if err != nil {
		return nil, err
	}
	defer ld.Close()

	r := &runner{opts: opts, ld: ld, manifest: manifest, forced: forced}
	for _, f := range files {
		if f.size > 0 {
			r.bytesTotal += f.size
		}
	}
	for _, m := range manifest {
		r.nextID = max(r.nextID, m.fileID)
	}
	sum := &Summary{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		fr := r.file(ctx, f)
		sum.Files = append(sum.Files, fr)
		sum.Lines += fr.Lines
		sum.Rows += fr.Rows
		sum.Rejected += fr.Rejected
		sum.Skipped += fr.Skipped
		sum.SkippedNonAccess += fr.NonAccess
		if fr.Status == "failed" {
			sum.Failed++
		}
	}
	// Values past the dictionaries' bound may have been stored twice: one
	// id each, merged now (a run cut short before this leaves it to the
	// next run, which sees the dictionary past its bound).
	if _, err := ld.dedupe(ctx); err != nil {
		return sum, err
	}
	if sum.Failed > 0 {
		return sum, fmt.Errorf("%w: %d of %d", ErrFilesFailed, sum.Failed, len(files))
	}
	return sum, nil
}

// forcedFormat builds the format the user imposed, if any.
func forcedFormat(opts Options) (*Format, error) {
	n := 0
	for _, s := range []string{opts.Format, opts.LogFormat, opts.JSONMap} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("give only one of --format, --nginx-format/--apache-format/--log-format and --json-map")
	}
	switch {
	case opts.LogFormat != "":
		l, err := CompileLayout(opts.LogFormat)
		if err != nil {
			return nil, err
		}
		tier := TierOrigin
		for _, it := range l.items {
			if it.isF && it.kind == fCache {
				tier = TierEdge
			}
		}
		return &Format{Name: l.syntax + "-custom", Tier: tier, Open: func([][]byte) (Parser, error) { return l, nil },
			Describe: func(Parser) string { return "layout " + l.source }}, nil
	case opts.JSONMap != "":
		f, err := JSONMapFormat(opts.JSONMap)
		if err != nil {
			return nil, err
		}
		return &f, nil
	case opts.Format != "":
		f, err := LookupFormat(opts.Format)
		if err != nil {
			return nil, err
		}
		return &f, nil
	}
	return nil, nil
}

// readsNone says whether p parses none of the non-empty lines given, and
// the first of them (shortened).
func readsNone(p Parser, lines [][]byte) (string, bool) {
	first := ""
	for _, l := range lines {
		l = bytes.TrimRight(l, "\r")
		if len(bytes.TrimSpace(l)) == 0 || l[0] == '#' {
			continue // blank, or a header (#Fields:)
		}
		if first == "" {
			first = string(l)
			if len(first) > 160 {
				first = first[:160] + "..."
			}
		}
		var rec Record
		rec.Reset()
		if safeParse(p, l, &rec) == nil {
			return "", false
		}
	}
	return first, first != ""
}

// fileArg is one file to read.
type fileArg struct {
	path string
	tier Tier
	size int64
}

// expand turns inputs into files: folders recursively (sorted), globs, "-".
// The store's own files are never read as logs.
func expand(inputs []Input, storePath string) ([]fileArg, error) {
	if len(inputs) == 0 {
		return nil, errors.New("nothing to ingest: give files, folders, globs or - for standard input")
	}
	storeAbs, _ := filepath.Abs(storePath)
	isStore := func(p string) bool {
		a, _ := filepath.Abs(p)
		return a == storeAbs || a == storeAbs+".wal" || strings.HasSuffix(p, ".duckdb") || strings.HasSuffix(p, ".duckdb.wal")
	}
	var out []fileArg
	seen := map[string]bool{}
	add := func(p string, tier Tier, size int64) {
		if !seen[p] && !isStore(p) {
			seen[p] = true
			out = append(out, fileArg{p, tier, size})
		}
	}
	for _, in := range inputs {
		if in.Path == "-" {
			out = append(out, fileArg{"-", in.Tier, -1})
			continue
		}
		paths := []string{in.Path}
		if _, err := os.Stat(in.Path); err != nil && strings.ContainsAny(in.Path, "*?[") {
			m, gerr := filepath.Glob(in.Path)
			if gerr != nil {
				return nil, fmt.Errorf("pattern %q: %w", in.Path, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("pattern %q matches no file", in.Path)
			}
			paths = m
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("input: %w", err)
			}
			if !st.IsDir() {
				add(p, in.Tier, st.Size())
				continue
			}
			var found []fileArg
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
					return nil
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				found = append(found, fileArg{path, in.Tier, info.Size()})
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("read folder %s: %w", p, err)
			}
			sort.Slice(found, func(i, j int) bool { return found[i].path < found[j].path })
			for _, f := range found {
				add(f.path, f.tier, f.size)
			}
		}
	}
	return out, nil
}

type runner struct {
	opts       Options
	ld         *loader
	manifest   []manifestRow
	forced     *Format
	nextID     int32
	bytesTotal int64
	bytesDone  atomic.Int64
	lines      atomic.Int64
	rows       atomic.Int64
}

func (r *runner) progress(file string) {
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{File: file, BytesDone: r.bytesDone.Load(), BytesTotal: r.bytesTotal, Lines: r.lines.Load(), Rows: r.rows.Load()})
	}
}

// file ingests one file and reports what happened; errors are in the result.
func (r *runner) file(ctx context.Context, f fileArg) FileResult {
	fr := FileResult{Path: f.path, Tier: string(f.tier)}
	fail := func(err error) FileResult {
		fr.Status = "failed"
		fr.Error = err.Error()
		r.opts.Logger.Debug("file failed", "path", f.path, "err", err)
		return fr
	}
	// Standard input is spooled to a temporary file first, so that it can be
	// read twice like any file (format detection, already-seen check).
	source := f.path
	if f.path == "-" {
		tmp, err := spool(r.opts.Stdin)
		if err != nil {
			return fail(fmt.Errorf("read standard input: %w", err))
		}
		defer os.Remove(tmp)
		source = tmp
	}
	in, err := openInput(source, r.opts.Stdin, &r.bytesDone)
	if err != nil {
		return fail(err)
	}
	defer in.Close()
	fr.Compression = in.compression
	head, lines, err := in.sniff() // head and lines alias the read buffer: copied below
	if err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	if len(bytes.TrimSpace(head)) == 0 {
		fr.Status = "empty"
		fr.Notes = append(fr.Notes, "empty file: nothing to read")
		return fr
	}
	head = append([]byte(nil), head...)
	for i, l := range lines {
		lines[i] = append([]byte(nil), l...)
	}
	lr := newLineReader(in.r, r.opts.MaxLine)

	// Already seen? Skip the prefix that was ingested before; when the
	// candidate's content turns out to differ after its head, start over.
	var prev *manifestRow
	for _, c := range candidates(r.manifest, head) {
		h, err := lr.skip(c.bytesRead)
		if err == nil && h == c.prefixHash {
			prev = c
			break
		}
		in.Close()
		if in, err = openInput(source, r.opts.Stdin, &r.bytesDone); err != nil {
			return fail(err)
		}
		defer in.Close()
		lr = newLineReader(in.r, r.opts.MaxLine)
	}

	// Format: forced, or detected from the head lines.
	var format Format
	var parser Parser
	switch {
	case r.forced != nil:
		format = *r.forced
		if parser, err = safeOpen(format, lines); err != nil {
			return fail(fmt.Errorf("format %s: %w", format.Name, err))
		}
		// The layout the user gave must read the file: one that reads none
		// of its first lines is a wrong layout, not a reason to detect
		// another silently.
		if first, ok := readsNone(parser, lines); ok {
			what := format.Name
			if format.Describe != nil {
				what = format.Describe(parser)
			}
			return fail(fmt.Errorf("the format given (%s) reads none of the first %d lines of %s; the first is %q", what, len(lines), f.path, first))
		}
		if l, ok := parser.(*Layout); ok {
			if empty := l.EmptyFields(lines); len(empty) > 0 {
				note := fmt.Sprintf("warning: %s empty (\"-\") on every one of the first %d lines: not logged as the layout says?", strings.Join(empty, ", "), len(lines))
				fr.Notes = append(fr.Notes, note)
				r.opts.Logger.Warn("layout field empty", "file", f.path, "fields", strings.Join(empty, ", "), "lines", len(lines))
			}
		}
	default:
		format, parser, err = Detect(lines)
		if err != nil {
			return fail(err)
		}
	}
	fr.Format = format.Name
	if fr.Tier == "" {
		fr.Tier = string(format.Tier)
	}
	if format.Describe != nil {
		fr.Layout = format.Describe(parser)
	}
	first := format.Name
	if fr.Layout != "" {
		first += ": " + fr.Layout
	}
	layouts := NewLayouts(parser, first)
	parser = layouts

	row := manifestRow{fileID: r.nextID + 1, runs: 1}
	if prev != nil {
		row = *prev
		row.runs++
		fr.Skipped = prev.linesRead
	}
	row.path, row.format, row.tier, row.layout = f.path, fr.Format, fr.Tier, fr.Layout
	row.headLen = min(len(head), headBytes)
	row.headHash = headHash(head[:row.headLen])

	if in.compression == "" {
		lr.acceptTail = func(l []byte) bool {
			var rec Record
			rec.Reset()
			return safeParse(parser, bytes.TrimRight(l, "\r"), &rec) == nil
		}
	}
	// commitAt commits what was read up to pos together with the manifest
	// row that says so. Long files are committed in parts (every CommitRows
	// rows) so that memory stays bounded: a run killed in between resumes
	// after the last part, exactly like an appended file.
	base := row
	savedRejects, parts := 0, 0
	ratioErr := func(st *pipeStats) error {
		total := st.rows + st.rejected
		if total == 0 || float64(st.rejected)/float64(total) <= r.opts.MaxRejectRatio {
			return nil
		}
		stored := "nothing from this file was stored"
		if parts > 0 {
			stored = fmt.Sprintf("the first %d lines of it were stored before this was known", row.linesRead-base.linesRead)
		}
		return fmt.Errorf("%d of %d request lines (%.1f%%) did not parse, more than --max-reject-ratio %.1f%%; %s (is it really %s? try --format or --nginx-format)",
			st.rejected, total, 100*float64(st.rejected)/float64(total), 100*r.opts.MaxRejectRatio, stored, fr.Format)
	}
	commitAt := func(pos readPos, st *pipeStats) error {
		if err := ratioErr(st); err != nil {
			return err
		}
		next := row
		next.prefixHash, next.bytesRead, next.linesRead = pos.hash, pos.consumed, pos.line
		next.rows, next.rejected = base.rows+st.rows, base.rejected+st.rejected
		err := r.ld.commit(ctx, func(tx *sql.Tx) error {
			return saveManifest(ctx, tx, &next, &fr, f.size, in.compression, st.firstTS, st.lastTS, st.rejects[savedRejects:])
		})
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		row = next
		savedRejects = len(st.rejects)
		parts++
		if prev == nil {
			r.manifest = append(r.manifest, row)
			r.nextID = row.fileID
			prev = &r.manifest[len(r.manifest)-1]
		} else {
			*prev = row
		}
		return nil
	}
	checkpoint := func(pos readPos, st *pipeStats) error {
		if err := commitAt(pos, st); err != nil {
			return err
		}
		return r.ld.begin(ctx)
	}
	wasSeen := prev != nil

	if err := r.ld.begin(ctx); err != nil {
		return fail(err)
	}
	st, err := r.pipeline(ctx, lr, parser, row.fileID, f.path, checkpoint)
	fr.Lines, fr.Rows, fr.Rejected, fr.NoRequest, fr.Rejects = st.lines, st.rows, st.rejected, st.noRequest, st.rejects
	fr.NonAccess = st.notAccess
	for i, name := range layouts.Names() {
		fr.Layouts = append(fr.Layouts, LayoutRows{Layout: name, Rows: st.layoutRows[i]})
	}
	if len(fr.Layouts) > 1 {
		fr.Notes = append(fr.Notes, fmt.Sprintf("lines in %d layouts: %d rows read with the file's own, the others with layouts found on the lines the first did not read", len(fr.Layouts), fr.Layouts[0].Rows))
	}
	if err != nil && !errors.Is(err, errTruncated) {
		r.ld.rollback()
		return fail(err)
	}
	if err != nil {
		fr.Notes = append(fr.Notes, err.Error()+"; the lines before it were read")
	}
	if lr.heldTail > 0 {
		fr.Notes = append(fr.Notes, fmt.Sprintf("the last line has no newline and does not parse (%d bytes): left for the next run, in case it is still being written", lr.heldTail))
	}
	if fr.Lines == 0 {
		r.ld.rollback()
		fr.Status = "seen"
		return fr
	}
	if fr.Rows == 0 && fr.Rejected == 0 {
		fr.Notes = append(fr.Notes, "no request lines")
	}
	if st.noTS > 0 {
		fr.Notes = append(fr.Notes, fmt.Sprintf("%d rows have no timestamp (the format logs none): they count in totals but not in time series", st.noTS))
	}
	if err := commitAt(readPos{hash: lr.hash.Sum64(), consumed: lr.consumed, line: lr.line}, &st); err != nil {
		r.ld.rollback()
		return fail(err)
	}
	fr.Status = "ingested"
	if wasSeen {
		fr.Status = "appended"
	}
	return fr
}

var errTruncated = errors.New("truncated")

type pipeStats struct {
	lines, rows, rejected, noRequest, noTS int64
	notAccess                              int64
	layoutRows                             [maxLayouts]int64
	firstTS, lastTS                        int64
	rejects                                []Reject
}

type block struct {
	seq       int
	data      []byte
	firstLine int64
	overlong  []Reject
	end       readPos
}

// readPos is where the reader stood after a block: bytes and lines consumed
// and the hash of everything consumed (what the manifest records).
type readPos struct {
	hash     uint64
	consumed int64
	line     int64
}

// DefaultCommitRows is how many rows a file's part holds before it is committed.
const DefaultCommitRows = 4_000_000

// pipeline reads blocks of lines, parses them on opts.Workers goroutines and
// hands the batches, in file order, to the loader.
//
// checkpoint is called between batches once opts.CommitRows rows have been loaded
// since the last call, with the position after the last loaded batch.
func (r *runner) pipeline(ctx context.Context, lr *lineReader, p Parser, fileID int32, path string, checkpoint func(readPos, *pipeStats) error) (pipeStats, error) {
	st := pipeStats{firstTS: noTS, lastTS: noTS}
	// pctx stops the reader and parsers early; the loader keeps ctx, since an
	// insert it started may still be running when this function returns.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := r.opts.Workers
	blocks := make(chan block, workers)
	results := make(chan *Batch, workers)
	free := make(chan []byte, 2*workers+2)
	batches := sync.Pool{New: func() any { return &Batch{} }}

	var readErr error
	go func() {
		defer close(blocks)
		seq := 0
		for {
			var buf []byte
			select {
			case buf = <-free:
			default:
				buf = make([]byte, 0, blockSize+4096)
			}
			first := lr.line + 1
			data, err := lr.next(buf[:0], blockSize)
			over := lr.overlong
			lr.overlong = nil
			if len(data) > 0 {
				select {
				case blocks <- block{seq: seq, data: data, firstLine: first, overlong: over,
					end: readPos{hash: lr.hash.Sum64(), consumed: lr.consumed, line: lr.line}}:
				case <-pctx.Done():
					return
				}
				seq++
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bl := range blocks {
				b := batches.Get().(*Batch)
				b.reset()
				b.seq, b.end = bl.seq, bl.end
				parseBlock(p, bl.data, bl.firstLine, bl.overlong, b)
				select {
				case free <- bl.data:
				default:
				}
				select {
				case results <- b:
				case <-pctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	// Reorder and load.
	pending := map[int]*Batch{}
	next := 0
	var loadErr error
	var sinceCommit int64
	for b := range results {
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if loadErr == nil {
				loadErr = r.ld.add(ctx, b, fileID)
				if loadErr != nil {
					cancel()
				}
			}
			st.lines += b.lines
			st.rows += int64(b.Len())
			st.rejected += b.rejected
			st.noRequest += b.noRequest
			st.notAccess += b.notAccess
			for i, n := range b.layoutRows {
				st.layoutRows[i] += n
			}
			for _, t := range b.ts {
				if t == noTS {
					st.noTS++
					continue
				}
				if st.firstTS == noTS || t < st.firstTS {
					st.firstTS = t
				}
				if st.lastTS == noTS || t > st.lastTS {
					st.lastTS = t
				}
			}
			for _, rj := range b.rejects {
				if len(st.rejects) < 100 {
					st.rejects = append(st.rejects, rj)
				}
			}
			r.lines.Add(b.lines)
			r.rows.Add(int64(b.Len()))
			r.progress(path)
			if loadErr == nil && st.rows-sinceCommit >= r.opts.CommitRows {
				sinceCommit = st.rows
				if loadErr = checkpoint(b.end, &st); loadErr != nil {
					cancel()
				}
			}
			batches.Put(b)
		}
	}
	if loadErr != nil {
		return st, loadErr
	}
	if err := pctx.Err(); err != nil {
		return st, err
	}
	if readErr != nil {
		return st, fmt.Errorf("%w: %v", errTruncated, readErr)
	}
	return st, nil
}

// spool copies r into a temporary file and returns its path.
func spool(r io.Reader) (string, error) {
	f, err := os.CreateTemp("", "cdnadvise-stdin-*")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), f.Close()
}

package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"
)

// Defaults for reading.
const (
	// DefaultMaxLine is the longest line accepted; longer lines are rejected.
	DefaultMaxLine = 256 << 10
	blockSize      = 1 << 20 // lines are handed to parsers in blocks of about this size
	headBytes      = 4096    // the file identity is the hash of its first headBytes
	sniffBytes     = 64 << 10
	sniffLines     = 50
)

// input is one opened log: decompressed content plus what identifies it.
type input struct {
	path        string // as given; "-" is standard input
	size        int64  // on-disk size, -1 when unknown
	compression string // "", "gzip" or "zstd"
	r           *bufio.Reader
	closers     []io.Closer
}

func (in *input) Close() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// openInput opens path (or stdin for "-") and transparently decompresses
// gzip and zstd, told by their magic bytes rather than the file name.
//
// Bytes read from disk are added to done (for progress).
func openInput(path string, stdin io.Reader, done *atomic.Int64) (*input, error) {
	in := &input{path: path, size: -1}
	var raw io.Reader
	if path == "-" {
		raw = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, err
		}
		if st.IsDir() {
			f.Close()
			return nil, fmt.Errorf("%s is a directory", path)
		}
		in.size = st.Size()
		in.closers = append(in.closers, f)
		raw = f
	}
	br := bufio.NewReaderSize(countingReader{raw, done}, 256<<10)
	magic, _ := br.Peek(4)
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			in.Close()
			return nil, fmt.Errorf("gzip: %w", err)
		}
		zr.Multistream(true)
		in.compression = "gzip"
		in.closers = append(in.closers, zr)
		in.r = bufio.NewReaderSize(zr, DefaultMaxLine+1)
	case len(magic) == 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(128<<20))
		if err != nil {
			in.Close()
			return nil, fmt.Errorf("zstd: %w", err)
		}
		in.compression = "zstd"
		in.closers = append(in.closers, closerFunc(func() error { zr.Close(); return nil }))
		in.r = bufio.NewReaderSize(zr, DefaultMaxLine+1)
	default:
		in.r = bufio.NewReaderSize(br, DefaultMaxLine+1)
	}
	return in, nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// sniff returns up to sniffBytes of the decompressed start of in without
// consuming it, and the head lines (at most sniffLines complete lines).
func (in *input) sniff() (head []byte, lines [][]byte, err error) {
	head, err = in.r.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		if len(head) == 0 {
			return nil, nil, err
		}
	}
	err = nil
	rest := head
	for len(rest) > 0 && len(lines) < sniffLines {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			if len(head) < sniffBytes { // the whole file is in head: last line
				lines = append(lines, bytes.TrimRight(rest, "\r"))
			}
			break
		}
		l := bytes.TrimRight(rest[:i], "\r")
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
		}
		rest = rest[i+1:]
	}
	return head, lines, nil
}

// lineReader hands out blocks of whole lines, counts them, hashes every byte
// it consumes (the content identity used by the manifest) and rejects lines
// longer than maxLine without holding them in memory.
type lineReader struct {
	r        *bufio.Reader
	maxLine  int
	hash     *xxh3.Hasher
	consumed int64 // decompressed bytes consumed
	line     int64 // lines consumed
	// overlong lines met while filling the current block
	overlong []Reject
	// acceptTail, when set, decides whether a last line without a newline is
	// read now; heldTail is the length of one that was left unread.
	acceptTail func([]byte) bool
	heldTail   int64
}

func newLineReader(r *bufio.Reader, maxLine int) *lineReader {
	return &lineReader{r: r, maxLine: maxLine, hash: xxh3.New()}
}

// skip consumes n bytes (a prefix already ingested), counting lines and
// hashing them, and returns the hash of exactly those bytes.
func (lr *lineReader) skip(n int64) (uint64, error) {
	var buf [64 << 10]byte
	for n > 0 {
		chunk := buf[:min(int64(len(buf)), n)]
		k, err := io.ReadFull(lr.r, chunk)
		lr.hash.Write(chunk[:k])
		lr.line += int64(bytes.Count(chunk[:k], []byte{'\n'}))
		lr.consumed += int64(k)
		n -= int64(k)
		if err != nil {
			return lr.hash.Sum64(), err
		}
	}
	return lr.hash.Sum64(), nil
}

// next appends whole lines to dst until it holds about size bytes or the
// input ends. The last line of the input is returned even without a newline.
// io.EOF is returned with the final (possibly empty) block.
func (lr *lineReader) next(dst []byte, size int) ([]byte, error) {
	for len(dst) < size {
		l, err := lr.r.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull) || len(l) > lr.maxLine:
			// Overlong: keep a sample, discard the rest of the line.
			lr.line++
			sample := append([]byte(nil), l[:min(len(l), 200)]...)
			n := int64(len(l))
			lr.hash.Write(l)
			for errors.Is(err, bufio.ErrBufferFull) {
				l, err = lr.r.ReadSlice('\n')
				lr.hash.Write(l)
				n += int64(len(l))
			}
			lr.consumed += n
			lr.overlong = append(lr.overlong, Reject{Line: lr.line, Reason: fmt.Sprintf("line longer than %d bytes (%d)", lr.maxLine, n), Text: string(sanitize(sample))})
			// Keep the line numbering of the block exact: an empty line
			// stands in for the dropped one.
			dst = append(dst, '\n')
			if err != nil {
				return dst, eofOr(err)
			}
			continue
		case err != nil:
			if len(l) > 0 && lr.acceptTail != nil && !lr.acceptTail(l) {
				// An unterminated last line that does not parse may still be
				// being written: leave it for the next run.
				lr.heldTail = int64(len(l))
				return dst, eofOr(err)
			}
			if len(l) > 0 {
				lr.hash.Write(l)
				lr.consumed += int64(len(l))
				lr.line++
				dst = append(dst, l...)
			}
			return dst, eofOr(err)
		}
		lr.hash.Write(l)
		lr.consumed += int64(len(l))
		lr.line++
		dst = append(dst, l...)
	}
	return dst, nil
}

func eofOr(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated compressed stream: %w", err)
	}
	return err
}

// headHash is the identity hash of a file's first n bytes.
func headHash(b []byte) uint64 { return xxh3.Hash(b) }

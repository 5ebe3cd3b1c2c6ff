package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
)

// manifestRow is one row of the files table: a content stream already
// ingested, identified by the hash of its first head_len bytes and the hash of
// everything consumed so far (prefix_hash over bytes_read bytes).
type manifestRow struct {
	fileID     int32
	path       string
	headLen    int
	headHash   uint64
	prefixHash uint64
	bytesRead  int64
	linesRead  int64
	rows       int64
	rejected   int64
	format     string
	tier       string
	layout     string
	runs       int
}

func loadManifest(ctx context.Context, db *sql.DB) ([]manifestRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT file_id, path, head_len, head_hash, prefix_hash, bytes_read, lines_read,
		rows, rejected, format, tier, coalesce(layout, ''), runs FROM files ORDER BY file_id`)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer rows.Close()
	var out []manifestRow
	for rows.Next() {
		var m manifestRow
		var hh, ph int64 // hashes are stored as BIGINT (same bits)
		if err := rows.Scan(&m.fileID, &m.path, &m.headLen, &hh, &ph, &m.bytesRead, &m.linesRead,
			&m.rows, &m.rejected, &m.format, &m.tier, &m.layout, &m.runs); err != nil {
			return nil, fmt.Errorf("read manifest: %w", err)
		}
		m.headHash, m.prefixHash = uint64(hh), uint64(ph)
		out = append(out, m)
	}
	return out, rows.Err()
}

// candidates returns the manifest rows whose head matches the start of head,
// longest already-consumed content first.
func candidates(manifest []manifestRow, head []byte) []*manifestRow {
	var out []*manifestRow
	hashes := map[int]uint64{}
	for i := range manifest {
		m := &manifest[i]
		if m.headLen <= 0 || m.headLen > len(head) {
			continue
		}
		h, ok := hashes[m.headLen]
		if !ok {
			h = headHash(head[:m.headLen])
			hashes[m.headLen] = h
		}
		if h == m.headHash {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].bytesRead > out[j].bytesRead })
	return out
}

// saveManifest writes (insert or update) the manifest row and the reject
// samples of one file inside the file's transaction.
func saveManifest(ctx context.Context, tx *sql.Tx, m *manifestRow, fr *FileResult, size int64, compression string, firstTS, lastTS int64, rejects []Reject) error {
	ts := func(v int64) any {
		if v == noTS {
			return nil
		}
		return time.UnixMicro(v).UTC()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO files (file_id, path, size, compression, head_len, head_hash, prefix_hash,
			bytes_read, lines_read, rows, rejected, format, tier, layout, first_ts, last_ts, runs, ingested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
		ON CONFLICT (file_id) DO UPDATE SET path = excluded.path, size = excluded.size, compression = excluded.compression,
			head_len = excluded.head_len, head_hash = excluded.head_hash, prefix_hash = excluded.prefix_hash,
			bytes_read = excluded.bytes_read, lines_read = excluded.lines_read, rows = excluded.rows,
			rejected = excluded.rejected, format = excluded.format, tier = excluded.tier, layout = excluded.layout,
			first_ts = least(files.first_ts, excluded.first_ts), last_ts = greatest(files.last_ts, excluded.last_ts),
			runs = excluded.runs, ingested_at = excluded.ingested_at`,
		m.fileID, m.path, size, compression, m.headLen, int64(m.headHash), int64(m.prefixHash), m.bytesRead, m.linesRead,
		m.rows, m.rejected, m.format, m.tier, m.layout, ts(firstTS), ts(lastTS), m.runs)
	if err != nil {
		return fmt.Errorf("write manifest row: %w", err)
	}
	for _, r := range rejects {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rejects VALUES (?, ?, ?, ?, ?)`, m.fileID, fr.Path, r.Line, r.Reason, r.Text); err != nil {
			return fmt.Errorf("write reject sample: %w", err)
		}
	}
	return nil
}

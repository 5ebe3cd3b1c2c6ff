package store

import "fmt"

// SampleSpace is the range a row's hash is reduced to for deterministic
// sampling: a row is in a sample when its hash modulo SampleSpace falls
// below the sample's cut.
const SampleSpace = 1 << 20

// RowHashSQL is the hash of a requests_raw row aliased r, from the columns
// that tell two requests apart. Samples drawn on it are the same for the
// same store whatever DuckDB's threads do (a reservoir sample was not).
const RowHashSQL = "hash(r.ts, r.file_id, r.client_hash, r.path_id, r.query_id, r.status, r.bytes, r.duration_ms)"

// SampleCut is the cut that keeps about target of rows rows: SampleSpace
// (every row) when rows is at most target, else the matching share of
// SampleSpace, rounded up so that a sample is never empty.
func SampleCut(target, rows int64) int64 {
	if rows <= target {
		return SampleSpace
	}
	return min(SampleSpace, int64(float64(SampleSpace)*float64(max(target, 0))/float64(rows))+1)
}

// InSampleSQL is the SQL condition that row r's hash falls below cut, a
// SQL expression (a number, or a column holding each row's cut); a cut of
// SampleSpace or more keeps every row without hashing it.
func InSampleSQL(cut string) string {
	return fmt.Sprintf("(%[3]s >= %[2]d OR %[1]s %% %[2]d < %[3]s)", RowHashSQL, SampleSpace, cut)
}

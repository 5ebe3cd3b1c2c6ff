package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
)

// ShardFormat names the format of a shard's file.
const ShardFormat = "cdnadvise-replay-shard/1"

// ShardFile is what `replay --shard I/N` writes: the raw counts of the
// cache keys of shard I, with what the merge needs to print the result
// as one replay would.
type ShardFile struct {
	Format string `json:"format"`
	Shard  int    `json:"shard"`
	Shards int    `json:"shards"`
	Tier   string `json:"tier"`
	// Input says what the shard read: "store" or "parquet".
	Input   string  `json:"input"`
	Profile Profile `json:"profile"`
	// Settings are the replay's settings (TTLs, key, PoP mode, ...) as the
	// command line gave them: the same in every shard of one replay.
	Settings json.RawMessage `json:"settings"`
	Partial  *Partial        `json:"partial"`
}

// ReadShardFile reads a shard's file.
func ReadShardFile(path string) (*ShardFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f ShardFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.Format != ShardFormat {
		return nil, fmt.Errorf("%s: not a shard of cdnadvise replay (format %q, want %q)", path, f.Format, ShardFormat)
	}
	if f.Partial == nil || f.Shards < 1 || f.Shard < 0 || f.Shard >= f.Shards {
		return nil, fmt.Errorf("%s: shard %d of %d without counts", path, f.Shard, f.Shards)
	}
	return &f, nil
}

// MergeShards combines the files of shards 0 to N-1 of one replay, each
// given once, into one (Shard 0 of 1) whose counts are those of the whole
// (added into the first file's counts).
func MergeShards(files []*ShardFile, names []string) (*ShardFile, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no shard to merge")
	}
	nameOf := func(i int) string {
		if i < len(names) {
			return names[i]
		}
		return fmt.Sprintf("file %d", i+1)
	}
	first := files[0]
	seen := make([]string, first.Shards)
	var merged *Partial
	for i, f := range files {
		name := nameOf(i)
		switch {
		case f.Shards != first.Shards:
			return nil, fmt.Errorf("%s is shard %d of %d, %s of %d: %w", name, f.Shard, f.Shards, nameOf(0), first.Shards, ErrPartialsDiffer)
		case f.Input != first.Input:
			return nil, fmt.Errorf("%s read a %s, %s a %s (their keys are numbered differently): %w", name, f.Input, nameOf(0), first.Input, ErrPartialsDiffer)
		case f.Tier != first.Tier:
			return nil, fmt.Errorf("%s replayed the %s tier, %s the %s tier: %w", name, f.Tier, nameOf(0), first.Tier, ErrPartialsDiffer)
		case !bytes.Equal(f.Settings, first.Settings) || !reflect.DeepEqual(f.Profile, first.Profile):
			return nil, fmt.Errorf("%s was replayed with other settings than %s (%s and %s): %w", name, nameOf(0), f.Settings, first.Settings, ErrPartialsDiffer)
		case seen[f.Shard] != "":
			return nil, fmt.Errorf("shard %d/%d given twice: %s and %s", f.Shard, f.Shards, seen[f.Shard], name)
		}
		seen[f.Shard] = name
		if merged == nil {
			merged = f.Partial
		} else if err := merged.Merge(f.Partial); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	for i, s := range seen {
		if s == "" {
			return nil, fmt.Errorf("shard %d/%d is missing: the merge needs every shard", i, first.Shards)
		}
	}
	out := *first
	out.Shard, out.Shards, out.Partial = 0, 1, merged
	return &out, nil
}

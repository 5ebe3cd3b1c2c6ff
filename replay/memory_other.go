//go:build !linux

package replay

// DefaultMemoryLimit is the memory a replay uses unless told otherwise:
// 4 GiB where the machine's RAM is not read.
func DefaultMemoryLimit() int64 { return 4 << 30 }

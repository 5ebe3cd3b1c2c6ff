package replay

import "syscall"

// DefaultMemoryLimit is the memory a replay uses unless told otherwise: a
// quarter of the machine's RAM.
func DefaultMemoryLimit() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil || si.Totalram == 0 {
		return 4 << 30
	}
	return int64(si.Totalram) * int64(si.Unit) / 4
}

//go:build !unix

package framework

import "os/exec"

// setProcessGroup: outside Unix, cancelling kills the interpreter itself
// (exec.CommandContext's default).
func setProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup: outside Unix, the interpreter has ended by now.
func killProcessGroup(cmd *exec.Cmd) {}

//go:build unix

package framework

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the interpreter in its own process group, and makes
// cancelling it kill the group: what the project's import starts (workers,
// shells) dies with it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// killProcessGroup ends what the interpreter left running (a worker or
// server the project's import started), once its table is read.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

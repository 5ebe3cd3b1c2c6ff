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

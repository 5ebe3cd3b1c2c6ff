package lab

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestNginxConfigValid checks the generated configuration with nginx -t.
func TestNginxConfigValid(t *testing.T) {
	Need(t, []string{"nginx"}, nil)
	dir := t.TempDir()
	conf, err := NginxConfig(dir, 18081, 18080, filepath.Join(dir, "edge.log"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("nginx", "-t", "-p", dir, "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

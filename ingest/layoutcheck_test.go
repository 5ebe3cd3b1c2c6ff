package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNginxFormatTypos: a variable a letter or two away from one of
// nginx's is an error that names the intended one; nginx's own variables,
// its families ($http_x_foo) and a name of the user's own are read.
func TestNginxFormatTypos(t *testing.T) {
	for _, c := range []struct {
		format, wantErr string
	}{
		{`$remote_addr [$time_local] "$request" $status $upstream_cache_stauts`, "$upstream_cache_stauts is not an nginx variable (did you mean $upstream_cache_status?)"},
		{`$remote_addr [$time_local] "$request" $status $request_tme`, "did you mean $request_time?"},
		{`$remote_addr [$time_local] "$request" $status $upstream_cache_status $connection_requests $http_x_forwarded_for`, ""},
		{`$remote_addr [$time_local] "$request" $status $my_tenant_label`, ""},
	} {
		_, err := CompileLayout(c.format)
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.format, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want %q", c.format, err, c.wantErr)
		}
	}
}

// TestForcedFormatThatReadsNoLine: a layout given that reads none of a
// file's lines fails the file with the reason, instead of detection
// taking over.
func TestForcedFormatThatReadsNoLine(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	os.WriteFile(log, []byte(`1.2.3.4 - - [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-" "ua"`+"\n"), 0o644)
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	sum, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: log}}, LogFormat: `$remote_addr $upstream_cache_status [$time_local] "$request" $status $body_bytes_sent $request_time`, MaxRejectRatio: 0.05})
	if err == nil || len(sum.Files) != 1 || sum.Files[0].Status != "failed" || !strings.Contains(sum.Files[0].Error, "reads none of the first 1 lines") {
		t.Fatalf("err %v, files %+v: want the file failed with the reason", err, sum.Files)
	}
}

// TestEmptyLayoutField: a field the layout names that is "-" on every
// line is a warning with its name.
func TestEmptyLayoutField(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	os.WriteFile(log, []byte(`1.2.3.4 HIT [25/Nov/2026:08:25:31 +0000] "GET /a HTTP/1.1" 200 5 "-"`+"\n"+
		`1.2.3.5 MISS [25/Nov/2026:08:25:32 +0000] "GET /b HTTP/1.1" 200 5 "-"`+"\n"), 0o644)
	st := openStore(t, filepath.Join(dir, "s.duckdb"))
	sum, err := Run(context.Background(), st, Options{Inputs: []Input{{Path: log}}, LogFormat: `$remote_addr $upstream_cache_status [$time_local] "$request" $status $body_bytes_sent "$sent_http_cache_control"`, MaxRejectRatio: 0.05})
	if err != nil || len(sum.Files) != 1 {
		t.Fatal(err)
	}
	if notes := strings.Join(sum.Files[0].Notes, "\n"); !strings.Contains(notes, `$sent_http_cache_control empty ("-") on every one of the first 2 lines`) || strings.Contains(notes, "$upstream_cache_status") {
		t.Errorf("notes %q: want a warning for $sent_http_cache_control only", notes)
	}
}

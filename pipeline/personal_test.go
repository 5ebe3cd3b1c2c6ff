package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/ingest"
	"github.com/cdnadvise/cdnadvise/internal/store"
)

// TestPersonalizationFromLogs: without --src and with no cookie in the
// logs, a route whose response size differs per client (stable for each)
// is advised private; one that answers everyone alike is advised for a
// shared cache; one that no two clients fetched at the same time is not
// advised public.
func TestPersonalizationFromLogs(t *testing.T) {
	var b strings.Builder
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6000; i++ {
		client := i % 12
		ts := start.Add(time.Duration(i) * 100 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		var path string
		size := 500
		switch i % 3 {
		case 0:
			path = "/api/me" // the user's own data: its size depends on the user
			size = 300 + 17*client
		case 1:
			path = fmt.Sprintf("/api/items/%d", i%5) // the same for everyone
			size = 400 + i%5
		default:
			path = fmt.Sprintf("/api/reports/%d", i) // every URL fetched once
		}
		fmt.Fprintf(&b, "10.1.0.%d - - [%s] \"GET %s HTTP/1.1\" 200 %d \"-\" \"ua\" 0.020 0.019 MISS\n", client, ts, path, size)
	}
	st := logStore(t, b.String(), "")
	adv, err := Advise(context.Background(), st, advisor.Options{Sweep: sweepGeneric()})
	if err != nil {
		t.Fatal(err)
	}
	me := recFor(t, adv, "/api/me")
	if me.Class != advisor.ClassPrivate || me.CacheControl != "private, no-store" || me.Personalization != advisor.PersonalPerUser {
		t.Errorf("/api/me (size per client, no cookie logged): %+v", me)
	}
	items := recFor(t, adv, "/api/items/{int}")
	if items.Class != advisor.ClassCacheable || !strings.Contains(items.CacheControl, "s-maxage=") || items.Personalization != advisor.PersonalShared {
		t.Errorf("/api/items/{int} (the same for everyone): %+v", items)
	}
	reports := recFor(t, adv, "/api/reports/{int}")
	if strings.Contains(reports.CacheControl, "public") || strings.Contains(reports.CacheControl, "s-maxage") || reports.Personalization != advisor.PersonalUnknown {
		t.Errorf("/api/reports/{int} (no evidence either way): %+v", reports)
	}
}

// logStore ingests log lines (in the given --log-format, or detected) into
// a new store that the test closes.
func logStore(t *testing.T, lines, format string) *store.Store {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "s.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := filepath.Join(dir, "access.log")
	if err := os.WriteFile(p, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Run(context.Background(), st, ingest.Options{Inputs: []ingest.Input{{Path: p}}, LogFormat: format, MaxRejectRatio: 0.01}); err != nil {
		t.Fatal(err)
	}
	return st
}

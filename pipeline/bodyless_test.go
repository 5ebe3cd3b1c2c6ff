package pipeline

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/advisor"

	"github.com/cdnadvise/cdnadvise/replay"
)

// TestBodylessNotContentChange: a file that never changes, served 200 with
// its size most of the time and now and then as HEAD 200 (no body), 304,
// 206 and with an unknown size, and alternating between a gzip and an
// identity copy, shows no content change: no stale share, browsers may
// keep it (max-age above 0). A page whose size does change every minute
// still shows changes.
func TestBodylessNotContentChange(t *testing.T) {
	const format = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $upstream_cache_status`
	var b strings.Builder
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 6000; i++ {
		ts := start.Add(time.Duration(i) * 500 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		method, status, size := "GET", 200, "3638"
		switch {
		case i%97 == 0:
			method, size = "HEAD", "0"
		case i%89 == 0:
			status, size = 304, "0"
		case i%83 == 0:
			status, size = 206, "1024"
		case i%79 == 0:
			size = "-"
		case i%7 == 0:
			size = "1520" // the gzip copy
		}
		fmt.Fprintf(&b, "10.0.%d.%d - - [%s] \"%s /favicon.ico HTTP/1.1\" %d %s \"-\" \"ua%d\" MISS\n", i%3, i%41, ts, method, status, size, i%41)
		page := 2000 + i/120 // a new version every minute
		fmt.Fprintf(&b, "10.0.%d.%d - - [%s] \"GET /news HTTP/1.1\" 200 %d \"-\" \"ua%d\" MISS\n", i%3, i%41, ts, page, i%41)
	}
	st := logStore(t, b.String(), format)
	adv, err := Advise(context.Background(), st, advisor.Options{Sweep: replay.SweepOptions{Profile: replay.Profiles()["nginx"]}})
	if err != nil {
		t.Fatal(err)
	}
	fav, news := recFor(t, adv, "/favicon.ico"), recFor(t, adv, "/news")
	if fav.StaleShare == nil || *fav.StaleShare != 0 || strings.Contains(strings.Join(fav.Reasons, " "), "content changes were seen") {
		t.Errorf("favicon: stale %v, reasons %q", deref(fav.StaleShare), fav.Reasons)
	}
	if news.StaleShare == nil || *news.StaleShare == 0 {
		t.Errorf("news: stale %v, reasons %q", deref(news.StaleShare), news.Reasons)
	}
}

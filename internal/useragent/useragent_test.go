package useragent

import "testing"

func TestKind(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Browser},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", Browser},
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Bot},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", Bot},
		{"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", Bot},
		{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Bot},
		{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", Bot},
		{"curl/8.5.0", Tool},
		{"python-requests/2.31.0", Tool},
		{"Go-http-client/1.1", Tool},
		{"-", None},
		{"", None},
		{"SomethingElse/1.0", Other},
		{"<script>alert(1)</script>", Other},
	} {
		if got := Kind(c.ua); got != c.want {
			t.Errorf("Kind(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}

func FuzzKind(f *testing.F) {
	f.Add("Mozilla/5.0 (compatible; Googlebot/2.1)")
	f.Fuzz(func(t *testing.T, ua string) {
		switch Kind(ua) {
		case Bot, Browser, Tool, None, Other:
		default:
			t.Fatalf("Kind(%q): unknown kind", ua)
		}
	})
}

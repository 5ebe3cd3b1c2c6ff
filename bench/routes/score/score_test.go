package main

import (
	"errors"
	"testing"
)

func TestCanon(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/api/items/(?P<pk>[^/.]+)/", "/api/items/{}/"},
		{`^/api/items/(?P<pk>[^/.]+)\.(?P<format>[a-z0-9]+)/?$`, "/api/items/{}.{}/?"},
		{"/api/^items/$", "/api/items/"},
		{"/blog/<slug:slug>/", "/blog/{}/"},
		{"/items/{item_id}", "/items/{}"},
		{"/files/{path:path}", "/files/{}"},
		{"/static/<path:filename>", "/static/{}"},
		{`/feed\Z`, "/feed"},
		{"", "/"},
	} {
		if got := canon(c.in); got != c.want {
			t.Errorf("canon(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestScore(t *testing.T) {
	truth := []truthRow{
		{"GET", "/items/<int:id>", "v.items", "project"},
		{"POST", "/items/<int:id>", "v.items", "project"},
		{"*", "/about/", "v.about", "project"},
		{"GET", "/admin/", "admin.index", "third-party"},
		{"DELETE", "/gone/{id}", "v.gone", "project"},
		{"WS", "/ws", "v.ws", "project"},
		{"MOUNT", "/static", "StaticFiles", "project"},
	}
	rows := []cdnadviseRow{
		{Method: "GET", Methods: []string{"GET"}, Pattern: "/items/<int:item>"},
		{Method: "GET", Pattern: "^/about/$"}, // any method
		{Method: "DELETE", Methods: []string{"DELETE"}, Pattern: "/gone/{id}", Unresolved: "view not found"},
		{Method: "GET", Methods: []string{"GET"}, Pattern: "/static/{path:path}"},
	}
	got := score(truth, listing{rows: rows})
	if got.Truth != 5 || got.Found != 3 || len(got.Missed) != 2 || got.WebSockets != 1 {
		t.Fatalf("score = %+v, want 3 of 5 found (POST /items and the unresolved DELETE missed; the mount found; the WebSocket apart)", got)
	}
	if got.Missed[0].Method != "POST" || got.Missed[1].Method != "DELETE" {
		t.Errorf("missed = %+v", got.Missed)
	}
	if r := score(truth, listing{err: errors.New("boom")}); r.Err != "boom" || r.cell() != "did not run" {
		t.Errorf("a failed run = %+v", r)
	}
}

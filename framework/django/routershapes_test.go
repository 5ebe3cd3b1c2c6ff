package django_test

import (
	"testing"
	"time"

	"github.com/cdnadvise/cdnadvise/lab"
	"github.com/cdnadvise/cdnadvise/routes/routestest"
)

// nestedRouters is a stand-in for drf-nested-routers (not packaged by
// Debian), written here after its documented behaviour
// (rest_framework_nested/routers.py NestedMixin): a nested router's routes
// sit below parent_prefix/(?P<LOOKUP_FIELD>...)/ of its parent router,
// LOOKUP being lookup= (nested_N without it) and FIELD the parent
// viewset's lookup_url_kwarg or lookup_field.
const nestedRouters = `from rest_framework.routers import DefaultRouter, SimpleRouter


class NestedMixin:
    def __init__(self, parent_router, parent_prefix, *args, **kwargs):
        self.parent_router = parent_router
        self.parent_prefix = parent_prefix
        self.nest_count = getattr(parent_router, "nest_count", 0) + 1
        self.nest_prefix = kwargs.pop("lookup", "nested_%i" % self.nest_count) + "_"
        super().__init__(*args, **kwargs)
        parent = [r for r in parent_router.registry if r[0] == parent_prefix][0]
        lookup = parent_router.get_lookup_regex(parent[1], self.nest_prefix)
        self.parent_regex = "%s/%s/" % (parent_prefix, lookup)
        if hasattr(parent_router, "parent_regex"):
            self.parent_regex = parent_router.parent_regex + self.parent_regex
        self.routes = [r._replace(url=r.url.replace("^", "^" + self.parent_regex.replace("\\\\", "\\\\\\\\"), 1)) for r in self.routes]


class NestedSimpleRouter(NestedMixin, SimpleRouter):
    pass
`

// routerProject has the DRF router shapes real projects use: register()
// in a loop over a literal list, a nested router two levels deep (with
// lookup= and a parent viewset's lookup_field), a project router with its
// own routes (no trailing slash, a DynamicRoute), @action inherited from a
// project base viewset, and DefaultRouter's format-suffix variants.
func routerProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"manage.py":                         "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py":                  "",
		"proj/settings.py":                  "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\nINSTALLED_APPS = [\"django.contrib.contenttypes\", \"django.contrib.auth\", \"rest_framework\", \"api\"]\nDATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \":memory:\"}}\nREST_FRAMEWORK = {\"DEFAULT_PERMISSION_CLASSES\": [\"rest_framework.permissions.AllowAny\"]}\n",
		"rest_framework_nested/__init__.py": "",
		"rest_framework_nested/routers.py":  nestedRouters,
		"api/__init__.py":                   "",
		"api/routers.py": "from rest_framework.routers import DynamicRoute, Route, SimpleRouter\n\n\nclass ReadOnlyRouter(SimpleRouter):\n    routes = [\n" +
			"        Route(url=r\"^{prefix}$\", mapping={\"get\": \"list\"}, name=\"{basename}-list\", detail=False, initkwargs={\"suffix\": \"List\"}),\n" +
			"        Route(url=r\"^{prefix}/{lookup}$\", mapping={\"get\": \"retrieve\"}, name=\"{basename}-detail\", detail=True, initkwargs={\"suffix\": \"Detail\"}),\n" +
			"        DynamicRoute(url=r\"^{prefix}/{lookup}/{url_path}$\", name=\"{basename}-{url_name}\", detail=True, initkwargs={}),\n    ]\n",
		"api/views.py": "from rest_framework import viewsets\nfrom rest_framework.decorators import action\nfrom rest_framework.response import Response\n\n\n" +
			"class Exportable(viewsets.GenericViewSet):\n    @action(detail=False, url_path=\"export\")\n    def export_all(self, request):\n        return Response([])\n\n\n" +
			"class BookViewSet(Exportable, viewsets.ModelViewSet):\n    queryset = None\n    lookup_field = \"slug\"\n\n    @action(detail=True, methods=[\"post\"])\n    def publish(self, request, slug=None):\n        return Response({})\n\n\n" +
			"class AuthorViewSet(viewsets.ReadOnlyModelViewSet):\n    queryset = None\n\n\n" +
			"class ChapterViewSet(viewsets.ViewSet):\n    def list(self, request, book_slug=None):\n        return Response([])\n\n    def retrieve(self, request, pk=None, book_slug=None):\n        return Response({})\n\n\n" +
			"class NoteViewSet(viewsets.ViewSet):\n    def list(self, request, **kw):\n        return Response([])\n\n\n" +
			"class StatViewSet(viewsets.ViewSet):\n    def list(self, request):\n        return Response([])\n\n    def retrieve(self, request, pk=None):\n        return Response({})\n\n    @action(detail=True)\n    def history(self, request, pk=None):\n        return Response([])\n",
		"proj/urls.py": "from django.urls import include, path\nfrom rest_framework import routers\nfrom rest_framework_nested import routers as nested\n\nfrom api import views\nfrom api.routers import ReadOnlyRouter\n\n" +
			"router = routers.DefaultRouter()\nfor prefix, viewset in [(\"books\", views.BookViewSet), (\"authors\", views.AuthorViewSet)]:\n    router.register(prefix, viewset, basename=prefix)\n\n" +
			"chapters = nested.NestedSimpleRouter(router, r\"books\", lookup=\"book\")\nchapters.register(r\"chapters\", views.ChapterViewSet, basename=\"book-chapters\")\n" +
			"notes = nested.NestedSimpleRouter(chapters, r\"chapters\")\nnotes.register(r\"notes\", views.NoteViewSet, basename=\"chapter-notes\")\n\n" +
			"ro = ReadOnlyRouter()\nro.register(r\"stats\", views.StatViewSet, basename=\"stats\")\n\n" +
			"urlpatterns = [\n    path(\"api/\", include(router.urls)),\n    path(\"api/\", include(chapters.urls)),\n    path(\"api/\", include(notes.urls)),\n    path(\"ro/\", include(ro.urls)),\n]\n",
	})
}

func TestDRFRouterShapes(t *testing.T) {
	st := routestest.Static(t, routerProject(t))
	got := map[string]bool{}
	for _, r := range st.Routes {
		if r.Unresolved != "" {
			t.Errorf("unresolved: %s (%s)", routestest.Brief(r), r.Unresolved)
		}
		got[r.Method+" "+r.Pattern] = true
	}
	for _, want := range []string{
		"GET /api/books/", "POST /api/books/", "GET /api/books/export/", "GET /api/books/<slug>/", "DELETE /api/books/<slug>/",
		"POST /api/books/<slug>/publish/", "GET /api/authors/", "GET /api/authors/<pk>/",
		`GET ^/api/books/(?P<slug>[^/.]+)\.(?P<format>[a-z0-9]+)/?$`,
		"GET /api/books/<book_slug>/chapters/", "GET /api/books/<book_slug>/chapters/<pk>/",
		"GET /api/books/<book_slug>/chapters/<nested_2_pk>/notes/",
		"GET /ro/stats", "GET /ro/stats/<pk>", "GET /ro/stats/<pk>/history",
	} {
		if !got[want] {
			t.Errorf("missing %s", want)
		}
	}
	for _, not := range []string{"GET /ro/stats/", "POST /api/authors/", "GET /api/chapters/"} {
		if got[not] {
			t.Errorf("%s is listed, the router does not make it", not)
		}
	}
}

// TestExactDRFRouterShapes: Django and DRF (Debian's) build the same rows.
func TestExactDRFRouterShapes(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	_, _, d := routestest.ExactOf(t, routerProject(t), time.Minute)
	routestest.NoDiff(t, d)
}

// TestDRFLegacyAndKeptRouters: a router class kept in the project (as
// projects that carry a copy of DRF 2/3.8 do) is read from its own routes,
// with DynamicListRoute and DynamicDetailRoute for @list_route and
// @detail_route ({methodname}, {methodnamehyphen}), its DefaultRouter's
// format suffix as its own format_suffix_patterns writes it (no "/?"
// here), a register() prefix that is a regex with a group, and
// drf-extensions' chained register() of nested routes.
func TestDRFLegacyAndKeptRouters(t *testing.T) {
	dir := lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "ROOT_URLCONF = \"proj.urls\"\n",
		"base/__init__.py": "",
		"base/urlpatterns.py": "def format_suffix_patterns(urlpatterns, suffix_required=False, allowed=None):\n" +
			"    suffix_pattern = r\"\\.(?P<%s>[a-z0-9]+)$\" % \"format\"\n    return urlpatterns\n",
		"base/routers.py": "from collections import namedtuple\n\nRoute = namedtuple(\"Route\", [\"url\", \"mapping\", \"name\", \"initkwargs\"])\n" +
			"DynamicListRoute = namedtuple(\"DynamicListRoute\", [\"url\", \"name\", \"initkwargs\"])\nDynamicDetailRoute = namedtuple(\"DynamicDetailRoute\", [\"url\", \"name\", \"initkwargs\"])\n\n\n" +
			"class SimpleRouter:\n    routes = [\n" +
			"        Route(url=r'^{prefix}{trailing_slash}$', mapping={'get': 'list', 'post': 'create'}, name='{basename}-list', initkwargs={}),\n" +
			"        DynamicListRoute(url=r'^{prefix}/{methodname}{trailing_slash}$', name='{basename}-{methodnamehyphen}', initkwargs={}),\n" +
			"        Route(url=r'^{prefix}/{lookup}{trailing_slash}$', mapping={'get': 'retrieve', 'delete': 'destroy'}, name='{basename}-detail', initkwargs={}),\n" +
			"        DynamicDetailRoute(url=r'^{prefix}/{lookup}/{methodnamehyphen}{trailing_slash}$', name='{basename}-{methodnamehyphen}', initkwargs={}),\n    ]\n\n\n" +
			"class DefaultRouter(SimpleRouter):\n    include_format_suffixes = True\n",
		"base/viewsets.py": "class GenericViewSet:\n    pass\n\n\nclass ListMixin:\n    def list(self, request):\n        return []\n",
		"api/__init__.py":  "",
		"api/views.py": "from rest_framework.decorators import detail_route, list_route\n\nfrom base.viewsets import GenericViewSet, ListMixin\n\n\n" +
			"class UserViewSet(ListMixin, GenericViewSet):\n    def retrieve(self, request, pk=None):\n        return {}\n\n" +
			"    @list_route(methods=[\"post\"])\n    def change_password(self, request):\n        return {}\n\n" +
			"    @detail_route()\n    def watched_items(self, request, pk=None):\n        return []\n\n\n" +
			"class VoterViewSet(ListMixin, GenericViewSet):\n    pass\n",
		"proj/urls.py": "from django.urls import include, path\n\nfrom api.views import UserViewSet, VoterViewSet\nfrom base import routers\n\n" +
			"router = routers.DefaultRouter(trailing_slash=False)\nrouter.register(r\"users\", UserViewSet, base_name=\"users\")\n" +
			"router.register(r\"issues/(?P<resource_id>\\d+)/voters\", VoterViewSet, base_name=\"voters\")\n" +
			"router.register(r\"epics\", VoterViewSet, base_name=\"epics\")\\\n    .register(r\"related\", VoterViewSet, base_name=\"related\", parents_query_lookups=[\"epic\"])\n\n" +
			"urlpatterns = [path(\"api/v1/\", include(router.urls))]\n",
	})
	st := routestest.Static(t, dir)
	got := map[string]bool{}
	for _, r := range st.Routes {
		if r.Unresolved != "" {
			t.Errorf("unresolved: %s (%s)", routestest.Brief(r), r.Unresolved)
		}
		got[r.Method+" "+r.Pattern] = true
	}
	for _, want := range []string{
		"GET /api/v1/users", "GET /api/v1/users/<pk>", "POST /api/v1/users/change_password", "GET /api/v1/users/<pk>/watched-items",
		`GET ^/api/v1/users/(?P<pk>[^/.]+)\.(?P<format>[a-z0-9]+)$`,
		`GET ^/api/v1/issues/(?P<resource_id>\d+)/voters$`,
		`GET ^/api/v1/issues/(?P<resource_id>\d+)/voters\.(?P<format>[a-z0-9]+)$`,
		"GET /api/v1/epics", `GET ^/api/v1/epics/(?P<parent_lookup_epic>[^/.]+)/related$`,
	} {
		if !got[want] {
			t.Errorf("missing %s", want)
		}
	}
	for _, not := range []string{"POST /api/v1/users", "DELETE /api/v1/users/<pk>"} {
		if got[not] {
			t.Errorf("%s is listed: the viewset has no such action", not)
		}
	}
	if t.Failed() {
		t.Logf("rows: %v", routestest.Briefs(st))
	}
}

// djangoShapesProject has the URLconf shapes of large Django sites: path()
// URLconfs included below regex prefixes (re_path(r"^", include(...))),
// patterns returned by functions that build them from a local base
// pattern, class views whose handlers come from their bases (FormView's
// put, RetrieveUpdateAPIView's patch), http_method_names, a feed instance
// as the view, and Django's own RedirectView.
func djangoShapesProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"manage.py":            "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"site_cfg.settings\")\n",
		"site_cfg/__init__.py": "",
		"site_cfg/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"site_cfg.urls\"\nINSTALLED_APPS = [\"django.contrib.contenttypes\", \"django.contrib.auth\", \"rest_framework\", \"content\"]\n" +
			"DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \":memory:\"}}\n",
		"site_cfg/urls.py": "from django.urls import include, re_path\nfrom django.views.generic import RedirectView\n\n" +
			"urlpatterns = [\n    re_path(r\"^contents/\", include(\"content.urls\")),\n    re_path(r\"^old/$\", RedirectView.as_view(url=\"/contents/\")),\n    re_path(r\"^\", include(\"content.api_urls\")),\n]\n",
		"content/__init__.py": "",
		"content/feeds.py":    "from django.contrib.syndication.views import Feed\n\n\nclass LatestFeed(Feed):\n    title = \"latest\"\n    link = \"/\"\n\n    def items(self):\n        return []\n",
		"content/views.py": "from django import forms\nfrom django.http import HttpResponse\nfrom django.views.generic import FormView, View\nfrom rest_framework.generics import RetrieveUpdateAPIView\n\n\n" +
			"class NoteForm(forms.Form):\n    text = forms.CharField()\n\n\n" +
			"class EditNote(FormView):\n    form_class = NoteForm\n    template_name = \"x.html\"\n\n\n" +
			"class BaseVersion(View):\n    def get(self, request, **kw):\n        return HttpResponse(\"v\")\n\n\n" +
			"class VersionView(BaseVersion):\n    http_method_names = [\"get\", \"post\"]\n\n    def post(self, request, **kw):\n        return HttpResponse(\"p\")\n\n    def delete(self, request, **kw):\n        return HttpResponse(\"d\")\n\n\n" +
			"class NoteAPI(RetrieveUpdateAPIView):\n    queryset = None\n",
		"content/urls.py": "from django.urls import path\n\nfrom content.feeds import LatestFeed\nfrom content.views import EditNote, VersionView\n\n\n" +
			"def version_pages():\n    base = \"version/<str:version>/<int:pk>\"\n    pages = [\n        path(f\"{base}/<slug:slug>/\", VersionView.as_view()),\n        path(f\"{base}/\", VersionView.as_view()),\n    ]\n    return pages\n\n\n" +
			"urlpatterns = version_pages() + [\n    path(\"edit/<int:pk>/\", EditNote.as_view()),\n    path(\"feed/rss/\", LatestFeed()),\n]\n",
		"content/api_urls.py": "from django.urls import path\n\nfrom content.views import NoteAPI\n\nurlpatterns = [path(\"api/notes/<int:pk>/\", NoteAPI.as_view())]\n",
	})
}

func TestDjangoLargeSiteShapes(t *testing.T) {
	st := routestest.Static(t, djangoShapesProject(t))
	routestest.SameList(t, "routes", routestest.Briefs(st), []string{
		`GET ^/api/notes/(?P<pk>[0-9]+)/$ GET,PATCH,PUT content.views.NoteAPI`,
		`PATCH ^/api/notes/(?P<pk>[0-9]+)/$ GET,PATCH,PUT content.views.NoteAPI`,
		`PUT ^/api/notes/(?P<pk>[0-9]+)/$ GET,PATCH,PUT content.views.NoteAPI`,
		`GET ^/contents/edit/(?P<pk>[0-9]+)/$ GET,POST,PUT content.views.EditNote`,
		`POST ^/contents/edit/(?P<pk>[0-9]+)/$ GET,POST,PUT content.views.EditNote`,
		`PUT ^/contents/edit/(?P<pk>[0-9]+)/$ GET,POST,PUT content.views.EditNote`,
		`GET ^/contents/feed/rss/$  content.feeds.LatestFeed`,
		`GET ^/contents/version/(?P<version>[^/]+)/(?P<pk>[0-9]+)/$ GET,POST content.views.VersionView`,
		`POST ^/contents/version/(?P<version>[^/]+)/(?P<pk>[0-9]+)/$ GET,POST content.views.VersionView`,
		`GET ^/contents/version/(?P<version>[^/]+)/(?P<pk>[0-9]+)/(?P<slug>[-a-zA-Z0-9_]+)/$ GET,POST content.views.VersionView`,
		`POST ^/contents/version/(?P<version>[^/]+)/(?P<pk>[0-9]+)/(?P<slug>[-a-zA-Z0-9_]+)/$ GET,POST content.views.VersionView`,
		`GET ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
		`POST ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
		`PUT ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
		`PATCH ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
		`DELETE ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
		`OPTIONS ^/old/$ DELETE,GET,OPTIONS,PATCH,POST,PUT RedirectView`,
	})
	for _, r := range st.Routes {
		if r.View == "RedirectView" && (r.Unresolved != "" || r.ViewOutside == "" || r.Regex == nil) {
			t.Errorf("RedirectView's route: unresolved %q, view outside %q, matcher %v: want a matched route with its view outside --src", r.Unresolved, r.ViewOutside, r.Regex)
		}
	}
}

// TestExactDjangoLargeSiteShapes: Django (Debian's) builds the same rows.
func TestExactDjangoLargeSiteShapes(t *testing.T) {
	lab.Need(t, nil, []string{"django", "rest_framework"})
	_, _, d := routestest.ExactOf(t, djangoShapesProject(t), time.Minute)
	routestest.NoDiff(t, d)
}

// formatSuffixProject uses DRF's format_suffix_patterns() on path() and
// re_path() routes: each gets its format-suffix variant, the path() one
// with DRF's drf_format_suffix converter and its parameter name.
func formatSuffixProject(t *testing.T) string {
	return lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "SECRET_KEY = \"x\"\nROOT_URLCONF = \"proj.urls\"\nINSTALLED_APPS = [\"django.contrib.contenttypes\", \"django.contrib.auth\", \"rest_framework\"]\n",
		"proj/urls.py": "from django.urls import path, re_path\nfrom rest_framework.decorators import api_view\nfrom rest_framework.response import Response\nfrom rest_framework.urlpatterns import format_suffix_patterns\n\n\n" +
			"@api_view([\"GET\"])\ndef items(request, format=None):\n    return Response([])\n\n\n" +
			"@api_view([\"GET\"])\ndef item(request, pk, format=None):\n    return Response({})\n\n\n" +
			"urlpatterns = format_suffix_patterns([\n    path(\"api/items/\", items),\n    re_path(r\"^api/items/(?P<pk>[0-9]+)/$\", item),\n])\n",
	})
}

func TestDRFFormatSuffixPatterns(t *testing.T) {
	st := routestest.Static(t, formatSuffixProject(t))
	routestest.SameList(t, "routes", routestest.Briefs(st), []string{
		"GET /api/items/ GET proj.urls.items",
		"GET /api/items<drf_format_suffix:format> GET proj.urls.items",
		"GET ^/api/items/(?P<pk>[0-9]+)/$ GET proj.urls.item",
		`GET ^/api/items/(?P<pk>[0-9]+)\.(?P<format>[a-z0-9]+)/?$ GET proj.urls.item`,
	})
	lab.Need(t, nil, []string{"django", "rest_framework"})
	_, _, d := routestest.ExactOf(t, formatSuffixProject(t), time.Minute)
	routestest.NoDiff(t, d)
}

// TestDjangoWrapperClassNotTheView: a project class given a view in the
// URLconf (a wrapper, Timed(account)) is not taken as the view: the row
// stays unresolved, never a shared-looking view in the wrapped one's
// place.
func TestDjangoWrapperClassNotTheView(t *testing.T) {
	st := routestest.Static(t, lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "ROOT_URLCONF = \"proj.urls\"\n",
		"proj/views.py": "from django.http import HttpResponse\n\n\nclass Timed:\n    def __init__(self, view):\n        self.view = view\n\n    def __call__(self, request, *a, **kw):\n        return self.view(request, *a, **kw)\n\n\n" +
			"def account(request):\n    return HttpResponse(request.user.email)\n",
		"proj/urls.py": "from django.urls import path\n\nfrom proj.views import Timed, account\n\nurlpatterns = [path(\"me/\", Timed(account))]\n",
	}))
	if len(st.Routes) != 1 || st.Routes[0].Unresolved == "" || st.Routes[0].View == "proj.views.Timed" {
		t.Fatalf("rows %v: want one unresolved row, not the wrapper class as its view", routestest.Briefs(st))
	}
}

// TestDjangoPatternsThroughSameNamedParameter: urlpatterns passed through
// a function whose parameter has the caller's variable's name.
func TestDjangoPatternsThroughSameNamedParameter(t *testing.T) {
	st := routestest.Static(t, lab.WriteFiles(t, map[string]string{
		"manage.py":        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"proj.settings\")\n",
		"proj/__init__.py": "",
		"proj/settings.py": "ROOT_URLCONF = \"proj.urls\"\n",
		"proj/views.py":    "from django.http import HttpResponse\n\n\ndef home(request):\n    return HttpResponse(\"\")\n\n\ndef health(request):\n    return HttpResponse(\"\")\n",
		"proj/urls.py": "from django.urls import path\n\nfrom proj import views\n\n\ndef versioned(patterns):\n    return patterns + [path(\"health/\", views.health)]\n\n\n" +
			"patterns = [path(\"\", views.home)]\nurlpatterns = versioned(patterns)\n",
	}))
	routestest.SameList(t, "routes", routestest.Briefs(st), []string{"GET /  proj.views.home", "GET /health/  proj.views.health"})
}

package django

import (
	"regexp"
	"strings"

	"github.com/cdnadvise/cdnadvise/framework"
	"github.com/cdnadvise/cdnadvise/pysrc"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// djangoHelperSource is the module cdnadvise writes next to Django views
// that take unsafe methods as well as GET: Django's @cache_control sets the
// header on every response of a view, so a view that also answers POST
// would tell shared caches that its POST responses may be stored.
const djangoHelperSource = `"""Cache-Control on GET and HEAD responses only, written by cdnadvise patch.

Django's @cache_control sets the header on every response of the view it
decorates. A view that also takes POST, PUT, PATCH or DELETE must not tell a
shared cache that those responses may be stored: @cache_control_safe takes the
same keywords as @cache_control and patches GET and HEAD responses only.
"""
import asyncio
from functools import wraps

from django.utils.cache import patch_cache_control

SAFE_METHODS = ("GET", "HEAD")


def cache_control_safe(**kwargs):
    def decorator(view):
        if asyncio.iscoroutinefunction(view):

            @wraps(view)
            async def async_wrapper(request, *args, **kw):
                response = await view(request, *args, **kw)
                if request.method in SAFE_METHODS:
                    patch_cache_control(response, **kwargs)
                return response

            return async_wrapper

        @wraps(view)
        def wrapper(request, *args, **kw):
            response = view(request, *args, **kw)
            if request.method in SAFE_METHODS:
                patch_cache_control(response, **kwargs)
            return response

        return wrapper

    return decorator
`

// onlySafe reports whether a view's declared methods are GET/HEAD only
// (require_GET, require_safe, api_view(["GET"])); nil (any method) is not.
func onlySafe(methods []string) bool {
	if len(methods) == 0 {
		return false
	}
	for _, m := range methods {
		if !framework.SafeMethod(strings.ToUpper(m)) {
			return false
		}
	}
	return true
}

// djangoGetViews are class-based views of Django and DRF that define get()
// themselves, so method_decorator(..., name="get") finds it on subclasses.
var djangoGetViews = map[string]bool{
	"TemplateView": true, "RedirectView": true, "ListView": true, "DetailView": true, "FormView": true, "CreateView": true,
	"UpdateView": true, "DeleteView": true, "ArchiveIndexView": true, "YearArchiveView": true, "MonthArchiveView": true,
	"WeekArchiveView": true, "DayArchiveView": true, "TodayArchiveView": true, "DateDetailView": true,
	"ListAPIView": true, "RetrieveAPIView": true, "ListCreateAPIView": true, "RetrieveUpdateAPIView": true,
	"RetrieveDestroyAPIView": true, "RetrieveUpdateDestroyAPIView": true,
}

// classServesGet reports whether method_decorator(..., name="get") can
// decorate the class: it defines get(), or a base is a view known to.
func classServesGet(m *pysrc.Module, def *sitter.Node) bool {
	for _, n := range pysrc.ClassMethods(m, def) {
		if n == "get" {
			return true
		}
	}
	for _, b := range pysrc.Children(pysrc.ClassNode(def).ChildByFieldName("superclasses")) {
		if djangoGetViews[pysrc.LastName(m.Text(b))] {
			return true
		}
	}
	return false
}

var ccDirective = regexp.MustCompile(`^([a-z-]+)(?:=(\d+))?$`)

// DjangoArgs turns "public, max-age=0, s-maxage=300" into cache_control's
// keyword arguments: public=True, max_age=0, s_maxage=300.
func DjangoArgs(cc string) string {
	var args []string
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		m := ccDirective.FindStringSubmatch(d)
		if m == nil {
			continue
		}
		name := strings.ReplaceAll(m[1], "-", "_")
		if m[2] != "" {
			args = append(args, name+"="+m[2])
		} else {
			args = append(args, name+"=True")
		}
	}
	return strings.Join(args, ", ")
}

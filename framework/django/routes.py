"""Print the routes Django builds, as JSON, for cdnadvise's exact mode.

Run by cdnadvise with the project's interpreter after common.py: python -c SCRIPT SRC.
DJANGO_SETTINGS_MODULE is set by the caller. Only django.setup() and the
URL resolver are used: no server is started, no request is made.
The JSON goes to the real stdout at the end; anything the project prints
while importing goes to stderr.
"""


def dotted(obj):
    return "%s.%s" % names(obj)


def closure(fn):
    code = getattr(fn, "__code__", None)
    cells = getattr(fn, "__closure__", None) or ()
    if code is None:
        return {}
    out = {}
    for name, cell in zip(code.co_freevars, cells):
        try:
            out[name] = cell.cell_contents
        except ValueError:
            pass
    return out


def decorator_methods(fn):
    """Methods from require_http_methods (require_GET, require_POST, require_safe)
    wrappers on the way down to the view function; None when there is none."""
    seen = 0
    while fn is not None and seen < 20:
        seen += 1
        cl = closure(fn)
        lst = cl.get("request_method_list")
        if isinstance(lst, (list, tuple, set)) and all(isinstance(m, str) for m in lst):
            return sorted(m.upper() for m in lst)
        fn = getattr(fn, "__wrapped__", None)
    return None


def default_handler(cls, name):
    """True when cls's handler for name is Django's or DRF's default one."""
    impl = getattr(cls, name, None)
    defaults = []
    try:
        from django.views.generic.base import View
        defaults.append(getattr(View, name, None))
    except Exception:
        pass
    try:
        from rest_framework.views import APIView
        defaults.append(getattr(APIView, name, None))
    except Exception:
        pass
    return any(impl is not None and impl is d for d in defaults)


# Django's own order of http_method_names: DRF's @api_view keeps its
# methods in a set, whose order changes from run to run.
METHOD_ORDER = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]


def class_methods(cls):
    names = sorted(getattr(cls, "http_method_names", None) or [],
                   key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER), m))
    out = []
    for m in names:
        if m == "head" and hasattr(cls, "get"):
            continue  # GET rows stand for HEAD
        if hasattr(cls, m) and not default_handler(cls, m):
            out.append(m.upper())
    return out


def wrapped_api_view(cls):
    """The function under DRF's @api_view (its WrappedAPIView class), or None."""
    if "WrappedAPIView" not in getattr(cls, "__qualname__", ""):
        return None
    for name in getattr(cls, "http_method_names", []):
        h = getattr(cls, name, None)
        fn = closure(h).get("func") if h is not None else None
        if callable(fn):
            return fn
    return None


def qualname_of(obj):
    return "%s.%s" % (getattr(obj, "__module__", "?"), getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj))))


def auth_of(cb, cls, action=None):
    """How Django or DRF requires a user for this callback, from the live
    objects ("" when nothing does): DRF's permission_classes as resolved
    after the settings (per @action when it sets its own), Django's login
    mixins, the wrappers of django.contrib.auth's decorators, and
    LoginRequiredMiddleware."""
    try:
        if cls is not None and hasattr(cls, "permission_classes"):
            if "get_permissions" in [k for c in cls.__mro__ if not c.__module__.startswith("rest_framework") for k in vars(c)]:
                return "%s.get_permissions() decides at run time" % qualname_of(cls)
            perms = list(getattr(cls, "permission_classes", None) or [])
            if action:
                handler = getattr(cls, action, None)
                kw = getattr(handler, "kwargs", None) or {}
                if "permission_classes" in kw:
                    perms = list(kw["permission_classes"] or [])
            names = [getattr(p, "__name__", str(p)) for p in perms]
            if any(n != "AllowAny" for n in names):
                return "DRF permission_classes resolved to [%s]" % ", ".join(qualname_of(p) for p in perms)
            return ""
        vc = getattr(cb, "view_class", None) or cls
        if isinstance(vc, type):
            try:
                from django.contrib.auth.mixins import AccessMixin
                if issubclass(vc, AccessMixin):
                    first = next(c for c in vc.__mro__ if c.__module__ == "django.contrib.auth.mixins")
                    return "%s inherits %s" % (qualname_of(vc), first.__name__)
            except Exception:
                pass
        f, seen = cb, 0
        while f is not None and seen < 20:
            seen += 1
            code = getattr(f, "__code__", None)
            fn = getattr(code, "co_filename", "") or ""
            if "django/contrib/auth/decorators" in fn or "django/contrib/admin/views/decorators" in fn:
                return "wrapped by %s" % getattr(code, "co_qualname", getattr(code, "co_name", "a login decorator"))
            if getattr(f, "login_required", None) is True:
                return "marked login_required"
            f = getattr(f, "__wrapped__", None)
        from django.conf import settings
        mw = list(getattr(settings, "MIDDLEWARE", None) or [])
        if any(m.rsplit(".", 1)[-1] == "LoginRequiredMiddleware" for m in mw) and getattr(cb, "login_required", True) is not False:
            return "LoginRequiredMiddleware in settings.MIDDLEWARE"
    except Exception as e:
        return "could not read its authentication (%s): taken as requiring a user" % type(e).__name__
    return ""


def level(p):
    from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
    if isinstance(p, LocalePrefixPattern):
        return {"kind": "locale", "p": str(p.language_prefix)}
    if isinstance(p, RoutePattern):
        return {"kind": "route", "p": str(p._route)}
    if isinstance(p, RegexPattern):
        return {"kind": "regex", "p": str(p._regex)}
    return {"kind": "regex", "p": str(p)}


def describe(p, levels):
    cb = p.callback
    base = {"levels": levels, "name": p.name or ""}
    cls = getattr(cb, "cls", None) or getattr(cb, "view_class", None)
    actions = getattr(cb, "actions", None)
    if actions is None:
        # A copy of DRF kept in the project (as DRF 2 did) may keep the
        # viewset's class and its method-to-action map only in the
        # closure of the view function as_view() returns.
        try:
            free = inspect.getclosurevars(cb).nonlocals
        except Exception:
            free = {}
        if isinstance(free.get("actions"), dict) and isinstance(free.get("cls"), type):
            cls, actions = cls or free["cls"], free["actions"]
    if cls is not None and isinstance(actions, dict) and actions:
        f, ln = where(cls)
        rows = []
        for method, action in sorted(actions.items()):
            r = dict(base)
            r.update(methods=[method.upper()], action=action, kind="viewset",
                     view=dotted(cls) + "." + action, module=cls.__module__, qualname=cls.__qualname__,
                     file=f, line=ln, auth=auth_of(cb, cls, action))
            rows.append(r)
        return rows
    r = dict(base)
    r["auth"] = auth_of(cb, cls)
    if cls is not None:
        fn = wrapped_api_view(cls)
        if fn is not None:
            f, ln = where(fn)
            r.update(kind="function", view=dotted(fn), module=fn.__module__,
                     qualname=getattr(inspect.unwrap(fn), "__qualname__", ""), file=f, line=ln,
                     methods=class_methods(cls))
            return [r]
        f, ln = where(cls)
        r.update(kind="class", view=dotted(cls), module=cls.__module__, qualname=cls.__qualname__,
                 file=f, line=ln, methods=class_methods(cls))
        return [r]
    f, ln = where(cb)
    u = inspect.unwrap(cb)
    r.update(kind="function", view=dotted(cb), module=getattr(u, "__module__", ""),
             qualname=getattr(u, "__qualname__", ""), file=f, line=ln,
             methods=decorator_methods(cb) or [])
    return [r]


def main():
    import django
    django.setup()
    from django.urls import URLResolver, get_resolver
    from django.urls.converters import get_converters

    out = {"framework": "django", "version": django.get_version(), "routes": [], "warnings": []}

    def walk(resolver, levels, depth):
        if depth > 50:
            out["warnings"].append("URLconf nesting deeper than 50 levels: not followed")
            return
        for p in resolver.url_patterns:
            lv = levels + [level(p.pattern)]
            if isinstance(p, URLResolver):
                walk(p, lv, depth + 1)
                continue
            try:
                out["routes"].extend(describe(p, lv))
            except Exception as e:
                # A callback this script cannot describe: the route is
                # listed with the reason, and the run goes on.
                why = "its view could not be described (%s: %s)" % (type(e).__name__, e)
                out["routes"].append({"levels": lv, "name": getattr(p, "name", "") or "", "methods": [], "kind": "function",
                                      "view": repr(getattr(p, "callback", None))[:200], "module": "", "qualname": "",
                                      "file": "", "line": 0, "auth": "", "unresolved": why})
                out["warnings"].append("%s: %s" % ("".join(l["p"] for l in lv), why))

    walk(get_resolver(), [], 0)
    out["converters"] = {k: getattr(v, "regex", "[^/]+") for k, v in get_converters().items()}
    OUT.write(json.dumps(out))
    OUT.flush()
    # Threads or servers the project started at import must not hold the
    # interpreter open: the table is written.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()

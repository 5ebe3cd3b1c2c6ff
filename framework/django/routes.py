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


def class_methods(cls):
    names = getattr(cls, "http_method_names", None) or []
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
    if cls is not None and isinstance(actions, dict) and actions:
        f, ln = where(cls)
        rows = []
        for method, action in sorted(actions.items()):
            r = dict(base)
            r.update(methods=[method.upper()], action=action, kind="viewset",
                     view=dotted(cls) + "." + action, module=cls.__module__, qualname=cls.__qualname__,
                     file=f, line=ln)
            rows.append(r)
        return rows
    r = dict(base)
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
            else:
                out["routes"].extend(describe(p, lv))

    walk(get_resolver(), [], 0)
    out["converters"] = {k: getattr(v, "regex", "[^/]+") for k, v in get_converters().items()}
    OUT.write(json.dumps(out))
    OUT.flush()


if __name__ == "__main__":
    main()

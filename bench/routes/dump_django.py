#!/usr/bin/python3
"""Dump the route list Django itself builds for one corpus project.

usage: /usr/bin/python3 dump_django.py BENCH_DIR/project.json CHECKOUT_DIR [> routes.tsv]

Reads project.json (settings, env, pythonpath, src), puts the --src folder and the
pythonpath entries on sys.path, runs django.setup(), then walks
django.urls.get_resolver().url_patterns recursively and prints
METHOD<TAB>PATTERN<TAB>VIEW<TAB>ORIGIN rows (see bench/routes/django/README.md).

Written for the bench only; independent of cdnadvise's own Python helpers.
"""
import importlib
import inspect
import json
import os
import sys
import types

HTTP = ("get", "post", "put", "patch", "delete")


def main():
    pj_path, checkout = sys.argv[1], os.path.abspath(sys.argv[2])
    bench_dir = os.path.dirname(os.path.abspath(pj_path))
    with open(pj_path) as f:
        pj = json.load(f)
    src = os.path.join(checkout, pj.get("src", "")) if pj.get("src") else checkout
    src = os.path.abspath(src)
    deps_root = "/tmp/corpus/_deps"

    paths = []
    for e in pj.get("pythonpath", []):
        if e == "@src":
            paths.append(src)
        elif e.startswith("@deps/"):
            paths.append(os.path.join(deps_root, e[len("@deps/"):]))
        elif e.startswith("stubs") or e.startswith("../"):
            paths.append(os.path.normpath(os.path.join(bench_dir, e)))
        else:
            paths.append(os.path.join(checkout, e))
    if src not in paths:
        paths.insert(0, src)
    # stubs first so that they can shadow missing packages; then the project
    for p in reversed(paths):
        sys.path.insert(0, p)
    for k, v in pj.get("env", {}).items():
        os.environ[k] = v.replace("@src", src).replace("@checkout", checkout)
    os.environ["DJANGO_SETTINGS_MODULE"] = pj["settings"]
    os.chdir(src)

    import django
    django.setup()
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver, RegexPattern, RoutePattern

    project_roots = [checkout + os.sep]

    def is_project_file(fn):
        if not fn:
            return False
        fn = os.path.abspath(fn)
        return any(fn.startswith(r) for r in project_roots)

    def pat_str(p):
        if isinstance(p, RegexPattern):
            s = p._regex
            if s.startswith("^"):
                s = s[1:]
            if s.endswith("\\Z"):
                s = s[:-2]
            elif s.endswith("$"):
                s = s[:-1]
            return s
        if isinstance(p, RoutePattern):
            return p._route
        # LocalePrefixPattern and other custom patterns
        if hasattr(p, "language_prefix"):
            # i18n_patterns(): the prefix is the request's language ("en/" for the
            # default one, "" if prefix_default_language=False); written as a parameter
            return "<lang>/"
        return str(p)

    def unwrap_chain(fn):
        seen = set()
        while fn is not None and id(fn) not in seen:
            seen.add(id(fn))
            yield fn
            nxt = getattr(fn, "__wrapped__", None)
            if nxt is None and isinstance(fn, types.FunctionType) and fn.__closure__:
                for name, cell in zip(fn.__code__.co_freevars, fn.__closure__):
                    try:
                        val = cell.cell_contents
                    except ValueError:
                        continue
                    if name in ("func", "view_func", "f", "fn", "function", "view") and callable(val):
                        nxt = val
                        break
            fn = nxt

    def func_methods(cb):
        # require_http_methods / require_GET / require_POST / require_safe keep the list
        # in the closure variable request_method_list of the wrapper.
        for f in unwrap_chain(cb):
            if isinstance(f, types.FunctionType) and f.__closure__:
                for name, cell in zip(f.__code__.co_freevars, f.__closure__):
                    if name == "request_method_list":
                        try:
                            ms = [m.upper() for m in cell.cell_contents]
                        except ValueError:
                            continue
                        return [m for m in ms if m not in ("HEAD", "OPTIONS")]
        return None

    def cname(cls):
        qn = cls.__qualname__
        if "<locals>" in qn:
            qn = cls.__name__
        return "%s.%s" % (cls.__module__, qn)

    def decorated_methods(fn):
        """methods allowed by require_http_methods applied through method_decorator"""
        if not isinstance(fn, types.FunctionType) or not fn.__closure__:
            return None
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__))
        if "decorators" not in cells:
            return None
        try:
            decs = cells["decorators"].cell_contents
        except ValueError:
            return None
        for d in decs:
            if isinstance(d, types.FunctionType) and d.__closure__:
                for name, cell in zip(d.__code__.co_freevars, d.__closure__):
                    if name == "request_method_list":
                        return [m.upper() for m in cell.cell_contents]
        return None

    def view_info(cb):
        """-> (list of (method, viewname))"""
        actions = getattr(cb, "actions", None)
        if actions is None:
            # DRF forks (e.g. taiga.base.api) keep the method->action map only in the
            # closure of the view function that ViewSet.as_view() returns
            for f in unwrap_chain(cb):
                if isinstance(f, types.FunctionType) and f.__closure__:
                    cells = dict(zip(f.__code__.co_freevars, f.__closure__))
                    if "actions" in cells:
                        try:
                            a = cells["actions"].cell_contents
                        except ValueError:
                            a = None
                        if isinstance(a, dict):
                            actions = a
                            break
        cls = getattr(cb, "cls", None) or getattr(cb, "view_class", None)
        if actions and cls is not None:
            base = cname(cls)
            return [(m.upper(), "%s.%s" % (base, a)) for m, a in actions.items()
                    if m.lower() not in ("head", "options")], cls
        if cls is not None:
            base = cname(cls)
            allowed = [m.lower() for m in getattr(cls, "http_method_names", HTTP)]
            ms = [m.upper() for m in HTTP if m in allowed and hasattr(cls, m)]
            # @method_decorator(require_POST) (or require_http_methods) on dispatch()
            only = decorated_methods(getattr(cls, "dispatch", None))
            if only is not None:
                ms = [m for m in ms if m in only]
            return [(m, base) for m in ms], cls
        inner = cb
        for f in unwrap_chain(cb):
            inner = f
        mod = getattr(inner, "__module__", None) or getattr(type(inner), "__module__", "?")
        qn = getattr(inner, "__qualname__", None) or type(inner).__qualname__
        name = "%s.%s" % (mod, qn)
        ms = func_methods(cb)
        if ms is None:
            ms = ["*"]
        return [(m, name) for m in ms], inner

    def obj_file(o):
        try:
            return inspect.getsourcefile(o) or inspect.getfile(o)
        except Exception:
            mod = sys.modules.get(getattr(o, "__module__", ""), None)
            return getattr(mod, "__file__", None)

    def leaf_objs(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from leaf_objs(p.url_patterns)
            else:
                _, o = view_info(p.callback)
                yield o

    rows = []
    seen = set()

    def walk(patterns, prefix, origin):
        for p in patterns:
            s = prefix + pat_str(p.pattern)
            if isinstance(p, URLResolver):
                uc = p.urlconf_name
                if isinstance(uc, str):
                    uc = importlib.import_module(uc)
                if isinstance(uc, types.ModuleType):
                    o = "project" if is_project_file(getattr(uc, "__file__", None)) else "third-party"
                elif p.app_name == "admin" or p.namespace == "admin":
                    o = "third-party"  # admin.site.urls (with any ModelAdmin.get_urls)
                else:
                    # include([...]) / include(admin.site.urls) / include(router.urls):
                    # a list built in code; third-party when none of its views is the project's
                    o = origin
                    if origin == "project":
                        objs = list(leaf_objs(p.url_patterns))
                        if objs and not any(is_project_file(obj_file(x)) for x in objs):
                            o = "third-party"
                walk(p.url_patterns, s, o)
            elif isinstance(p, URLPattern):
                mv, _ = view_info(p.callback)
                for m, v in mv:
                    key = (m, "/" + s)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append((m, "/" + s, v, origin))

    root = get_resolver()
    walk(root.url_patterns, "", "project")
    overrides = pj.get("origin_overrides", {})
    out = sys.stdout
    for m, s, v, o in rows:
        for pre, oo in overrides.items():
            if s.startswith(pre):
                o = oo
        out.write("%s\t%s\t%s\t%s\n" % (m, s, v, o))


if __name__ == "__main__":
    main()

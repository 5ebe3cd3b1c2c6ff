#!/usr/bin/python3
"""Dump the route list a FastAPI (or Starlette) application builds, as routes.tsv.

Usage:
    /usr/bin/python3 bench/routes/dump_fastapi.py bench/routes/fastapi/<slug>/project.json \
        /tmp/corpus/<slug> [> bench/routes/fastapi/<slug>/routes.tsv]

project.json keys used: src, app ("module:var", "module:factory()", "module:var.attr"),
env, pythonpath ("stubs..." = relative to the project.json folder, "@deps/<name>/..." =
/tmp/corpus/_deps/<name>/..., "@src" = the --src folder, "@root/..." = relative to the checkout,
anything else = relative to the checkout too), "chdir" (optional, relative to the checkout; default: the src folder),
"pre_import" (optional list of modules to import first, e.g. a stub that patches something).

Written for this benchmark; it does not use cdnadvise's own route scripts.  It only walks
the framework's own route objects (app.router.routes) after importing the application.
"""
import importlib
import json
import os
import sys

DEPS_ROOT = os.environ.get("BENCH_DEPS_ROOT", "/tmp/corpus/_deps")


def resolve_path(entry, bench_dir, checkout, src_dir):
    if entry == "@src":
        return src_dir
    if entry.startswith("@deps/"):
        return os.path.join(DEPS_ROOT, entry[len("@deps/"):])
    if entry.startswith("@root"):
        return os.path.join(checkout, entry[len("@root"):].lstrip("/"))
    if entry == "stubs" or entry.startswith("stubs/"):
        return os.path.join(bench_dir, entry)
    return os.path.join(checkout, entry)


def load_app(spec):
    mod_name, _, attr = spec.partition(":")
    mod = importlib.import_module(mod_name)
    call = attr.endswith("()")
    if call:
        attr = attr[:-2]
    obj = mod
    for part in attr.split("."):
        obj = getattr(obj, part)
    if call:
        obj = obj()
    return obj


def view_name(obj):
    mod = getattr(obj, "__module__", None) or type(obj).__module__
    qn = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{mod}.{qn}"


def builtin_paths(app):
    paths = set()
    for attr in ("openapi_url", "docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url"):
        v = getattr(app, attr, None)
        if v:
            paths.add(v)
    return paths


def walk(routes, prefix, builtins, rows):
    from starlette.routing import Mount, Route, WebSocketRoute, Host, Router
    try:
        from fastapi.routing import APIRoute, APIWebSocketRoute
    except ImportError:  # pragma: no cover
        APIRoute = APIWebSocketRoute = ()
    for r in routes:
        if isinstance(r, (APIWebSocketRoute, WebSocketRoute)) if APIWebSocketRoute else isinstance(r, WebSocketRoute):
            rows.append(("WS", prefix + r.path, view_name(r.endpoint), "project"))
        elif isinstance(r, (APIRoute, Route)):
            path = prefix + r.path
            endpoint = r.endpoint
            origin = "project"
            if (endpoint.__module__ or "").startswith("fastapi.") and r.path in builtins:
                origin = "builtin"
            methods = sorted(m for m in (r.methods or []) if m != "HEAD")
            if not r.methods:
                methods = ["*"]
            for m in methods:
                rows.append((m, path, view_name(endpoint), origin))
        elif isinstance(r, Mount):
            sub = r.app
            inner = getattr(sub, "router", sub)
            # FastAPI / Starlette sub-application or a plain Router: walk it.
            if isinstance(inner, Router) and (r.routes or []) is not None and hasattr(inner, "routes"):
                sub_builtins = builtin_paths(sub) if sub is not inner else set()
                walk(inner.routes, prefix + r.path, sub_builtins, rows)
            else:
                rows.append(("MOUNT", prefix + r.path, view_name(sub), "project"))
        elif isinstance(r, Host):
            rows.append(("MOUNT", prefix + "/", view_name(r.app), "project"))
        else:
            rows.append(("MOUNT", prefix + getattr(r, "path", "/"), view_name(r), "project"))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    pj_path = os.path.abspath(sys.argv[1])
    checkout = os.path.abspath(sys.argv[2])
    bench_dir = os.path.dirname(pj_path)
    with open(pj_path) as f:
        pj = json.load(f)
    src_dir = os.path.join(checkout, pj.get("src") or "")
    paths = [resolve_path(e, bench_dir, checkout, src_dir) for e in pj.get("pythonpath", [])]
    if src_dir not in paths:
        paths.append(src_dir)
    sys.path[:0] = paths
    for k, v in (pj.get("env") or {}).items():
        os.environ[k] = str(v)
    os.chdir(os.path.join(checkout, pj["chdir"]) if pj.get("chdir") else src_dir)
    for m in pj.get("pre_import", []):
        importlib.import_module(m)
    real_stdout = sys.stdout
    sys.stdout = sys.stderr  # keep import-time prints out of the TSV
    app = load_app(pj["app"])
    sys.stdout = real_stdout
    rows = []
    router = getattr(app, "router", app)
    walk(router.routes, "", builtin_paths(app), rows)
    seen = set()
    for row in rows:
        key = (row[0], row[1])
        if key in seen:
            continue
        seen.add(key)
        print("\t".join(row))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Dump the route list a Flask project's own url_map holds, as routes.tsv rows.

Usage: /usr/bin/python3 dump_flask.py PROJECT_JSON CHECKOUT_DIR [> routes.tsv]

PROJECT_JSON is bench/routes/flask/<slug>/project.json; CHECKOUT_DIR is the extracted
repository (e.g. /tmp/corpus/<slug>). The script
  * puts project.json "pythonpath" entries on sys.path, in order, before anything else:
      "stubs..."        relative to the folder holding project.json
      "@deps/<name>/.." /tmp/corpus/_deps/<name>/..  (override the root with DEPS_ROOT)
      "@src"            CHECKOUT_DIR/<src>
      "@root/<path>"    CHECKOUT_DIR/<path>  (as the scorer reads it)
    and always appends CHECKOUT_DIR/<src> last if it is not there yet;
  * sets the "env" variables, chdir()s to CHECKOUT_DIR/<src>/<cwd> ("cwd" optional),
    sets sys.argv to [<app module>] + "argv" (optional);
  * imports the module of "app" ("module:expr") and evaluates expr in its namespace
    (so "pkg.app:app" and "pkg:create_app('dev')" both work);
  * walks app.url_map.iter_rules() and prints METHOD, rule.rule, VIEW, ORIGIN,
    one row per method in rule.methods minus HEAD and OPTIONS.

ORIGIN: "builtin" for routes Flask or an API extension adds by itself (the app or a
blueprint static route, flask-restx swagger/specs/doc routes, flask-smorest's
openapi/docs blueprint); "project" when the view (or its view_class) is defined in a
file under the checkout dir; "third-party" otherwise.
The project's code is imported, never modified.
"""
import importlib
import inspect
import json
import os
import sys

BUILTIN_MODULE_PREFIXES = (
    "flask.", "werkzeug.", "flask_restx.", "flask_restplus.", "flask_smorest.",
    "flask_restful.", "flasgger.", "apispec.",
)


def resolve_path(entry, bench_dir, checkout, src_dir):
    deps_root = os.environ.get("DEPS_ROOT", "/tmp/corpus/_deps")
    if entry == "@src":
        return src_dir
    if entry.startswith("@src/"):
        return os.path.join(src_dir, entry[5:])
    if entry.startswith("@deps/"):
        return os.path.join(deps_root, entry[6:])
    if entry == "@root" or entry.startswith(("@root/", "@repo/")):
        return os.path.join(checkout, entry[6:])
    return os.path.join(bench_dir, entry)


def unwrap(obj):
    seen = set()
    while hasattr(obj, "__wrapped__") and id(obj) not in seen:
        seen.add(id(obj))
        obj = obj.__wrapped__
    return obj


def view_target(func):
    cls = getattr(func, "view_class", None)
    if cls is not None:
        return cls
    return unwrap(func)


def dotted(obj):
    mod = getattr(obj, "__module__", None) or "?"
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return "%s.%s" % (mod, name)


def defined_in(obj):
    try:
        f = inspect.getsourcefile(obj) or inspect.getfile(obj)
        return os.path.realpath(f)
    except (TypeError, OSError):
        mod = sys.modules.get(getattr(obj, "__module__", "") or "")
        f = getattr(mod, "__file__", None)
        return os.path.realpath(f) if f else ""


def origin_of(endpoint, obj, checkout):
    last = endpoint.rsplit(".", 1)[-1]
    if last == "static":
        return "builtin"
    mod = (getattr(obj, "__module__", "") or "") + "."
    if mod.startswith(BUILTIN_MODULE_PREFIXES):
        return "builtin"
    f = defined_in(obj)
    root = os.path.realpath(checkout) + os.sep
    if f.startswith(root):
        # a copy of a library vendored inside the repository is still a library
        parts = f[len(root):].split(os.sep)[:-1]
        if any(p in ("libs", "vendor", "_vendor", "site-packages", "dist-packages") for p in parts):
            return "third-party"
        return "project"
    return "third-party"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    pj_path, checkout = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(pj_path) as fh:
        pj = json.load(fh)
    bench_dir = os.path.dirname(pj_path)
    src_dir = os.path.join(checkout, pj.get("src") or "")
    paths = [resolve_path(e, bench_dir, checkout, src_dir) for e in pj.get("pythonpath", [])]
    if src_dir not in paths:
        paths.append(src_dir)
    sys.path[:0] = paths
    for k, v in (pj.get("env") or {}).items():
        os.environ[k] = v
    os.chdir(os.path.join(src_dir, pj.get("cwd") or ""))
    modname, _, expr = pj["app"].partition(":")
    sys.argv = [modname] + list(pj.get("argv") or [])
    # keep the project's import-time prints off the TSV
    real_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        mod = importlib.import_module(modname)
        app = eval(expr or "app", vars(mod))
    finally:
        sys.stdout = real_stdout
    rows, seen = [], set()
    for rule in app.url_map.iter_rules():
        func = app.view_functions.get(rule.endpoint)
        obj = view_target(func) if func is not None else None
        view = dotted(obj) if obj is not None else "<no view:%s>" % rule.endpoint
        origin = origin_of(rule.endpoint, obj, checkout) if obj is not None else "third-party"
        for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            # one row per (method, path): where two rules share a path (flask-restx puts
            # its doc page and its root view both on "/"), the first one in the map wins
            if (m, rule.rule) not in seen:
                seen.add((m, rule.rule))
                rows.append((m, rule.rule, view, origin))
    for r in sorted(rows, key=lambda r: (r[1], r[0], r[2])):
        print("\t".join(r))


if __name__ == "__main__":
    main()

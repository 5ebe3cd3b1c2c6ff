"""Print the routes a FastAPI (or Starlette) app builds, as JSON, for
cdnadvise's exact mode.

Run by cdnadvise with the project's interpreter:
python -c SCRIPT SRC MODULE:VARIABLE (after common.py). The module is imported under
its own name (never as __main__, so an `if __name__ == "__main__":
uvicorn.run(...)` block does not run), uvicorn.run is disabled, and only
app.routes is read: no server is started, no request is made. The JSON goes
to the real stdout at the end; anything the project prints while importing
goes to stderr.
"""

TARGET = sys.argv[2]

try:
    import uvicorn

    def _no_server(*args, **kwargs):
        raise RuntimeError("uvicorn.run() called while importing the app: cdnadvise does not start servers")

    uvicorn.run = _no_server
except Exception:
    pass


def auth_of(route):
    """The chain of dependencies through which FastAPI requires a user for
    the route ("" when none does): a dependency that is a security scheme
    (OAuth2, HTTP bearer or basic, API keys, OpenID Connect), followed
    from the route's, its router's and the app's dependencies."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return ""
    try:
        from fastapi.security.base import SecurityBase
    except Exception:
        return ""

    def name(call):
        if isinstance(call, SecurityBase):
            return type(call).__name__
        return getattr(call, "__qualname__", None) or type(call).__name__

    def walk(dep, path, depth):
        if depth > 30:
            return None
        for sub in getattr(dep, "dependencies", None) or []:
            call = getattr(sub, "call", None)
            here = path + [name(call)]
            if isinstance(call, SecurityBase):
                return here
            found = walk(sub, here, depth + 1)
            if found:
                return found
        return None

    try:
        chain = walk(dependant, [], 0)
    except Exception as e:
        return "could not read its dependencies (%s): taken as requiring a user" % type(e).__name__
    if chain:
        return "security dependency " + " -> ".join(chain)
    return ""


def endpoint_row(path, path_format, methods, endpoint, name, auth=""):
    mod, q = names(endpoint)
    f, ln = where(endpoint)
    return {"path": path, "path_format": path_format, "methods": sorted(m.upper() for m in (methods or [])),
            "kind": "function", "view": "%s.%s" % (mod, q), "module": mod, "qualname": q,
            "file": f, "line": ln, "name": name or "",
            "builtin": mod.split(".")[0] in ("fastapi", "starlette"), "auth": auth}


def walk(routes, prefix, out, depth):
    from starlette.routing import Host, Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    if depth > 30:
        out["warnings"].append("mounts nested deeper than 30 levels under %s: not followed" % prefix)
        return
    for r in routes:
        if isinstance(r, WebSocketRoute) or type(r).__name__ in ("APIWebSocketRoute", "WebSocketRoute"):
            continue  # not HTTP: nothing to cache
        if isinstance(r, Mount):
            sub = r.app
            path = prefix + r.path
            if isinstance(sub, StaticFiles):
                out["routes"].append({"path": path + "/{path:path}", "path_format": path, "methods": ["GET", "HEAD"],
                                      "kind": "static", "view": "%s.%s" % (type(sub).__module__, type(sub).__qualname__),
                                      "module": type(sub).__module__, "qualname": type(sub).__qualname__,
                                      "file": "", "line": 0, "name": r.name or "", "builtin": False,
                                      "directory": str(getattr(sub, "directory", "") or "")})
                continue
            subroutes = getattr(r, "routes", None)
            if subroutes:
                walk(subroutes, path, out, depth + 1)
                continue
            mod, q = names(sub)
            out["routes"].append({"path": path + "/{path:path}", "path_format": path, "methods": [], "kind": "mount",
                                  "view": "%s.%s" % (mod, q), "module": mod, "qualname": q, "file": "", "line": 0,
                                  "name": r.name or "", "builtin": False})
            continue
        if isinstance(r, Host):
            out["warnings"].append("Host(%r) routes are not listed" % getattr(r, "host", ""))
            continue
        endpoint = getattr(r, "endpoint", None)
        path = getattr(r, "path", None)
        if endpoint is None or path is None:
            out["warnings"].append("route %r of type %s is not listed" % (r, type(r).__name__))
            continue
        pf = getattr(r, "path_format", path)
        try:
            out["routes"].append(endpoint_row(prefix + path, prefix + pf, getattr(r, "methods", None), endpoint,
                                              getattr(r, "name", ""), auth_of(r)))
        except Exception as e:
            # An endpoint this script cannot describe: listed with the
            # reason, and the run goes on.
            why = "its endpoint could not be described (%s: %s)" % (type(e).__name__, e)
            out["routes"].append({"path": prefix + path, "path_format": prefix + pf, "methods": sorted(m.upper() for m in (getattr(r, "methods", None) or [])),
                                  "kind": "function", "view": repr(endpoint)[:200], "module": "", "qualname": "", "file": "", "line": 0,
                                  "name": getattr(r, "name", "") or "", "builtin": False, "unresolved": why})
            out["warnings"].append("%s: %s" % (prefix + path, why))


def main():
    app = load_app(TARGET, "routes")
    out = {"framework": "fastapi", "app": TARGET, "routes": [], "warnings": []}
    try:
        import fastapi
        out["version"] = fastapi.__version__
    except Exception:
        out["version"] = ""
    walk(app.routes, "", out, 0)
    OUT.write(json.dumps(out))
    OUT.flush()
    # Threads or servers the project started at import must not hold the
    # interpreter open: the table is written.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()

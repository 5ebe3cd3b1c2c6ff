"""Print the rules a Flask app builds (app.url_map), as JSON, for cdnadvise's
exact mode.

Run by cdnadvise with the project's interpreter:
python -c SCRIPT SRC MODULE:VARIABLE (after common.py). The module is imported
under its own name (never as __main__, so an `if __name__ == "__main__":
app.run()` block does not run), Flask.run is disabled, and only the url_map is
read: no server is started, no request is made. A VARIABLE that is a factory
(create_app) is called. The JSON goes to the real stdout at the end.
"""


TARGET = sys.argv[2]

try:
    import flask

    def _no_server(*args, **kwargs):
        raise RuntimeError("Flask.run() called while importing the app: cdnadvise does not start servers")

    flask.Flask.run = _no_server
except Exception:
    pass


# What a before_request hook or a view wrapper does when it turns anonymous
# users away: the static pass's markers (flask/auth.go's loginCheckRe),
# given by cdnadvise.
LOGIN_CHECK = re.compile(os.environ["CDNADVISE_LOGIN_CHECK"])


def wrapper_check(fn):
    """Why a function's wrappers (followed through __wrapped__) check for a
    user ("" when none does): Flask-Login's login_required, or a wrapper
    made by a decorator whose source checks for a user."""
    seen = 0
    while fn is not None and seen < 20:
        seen += 1
        code = getattr(fn, "__code__", None)
        if code is not None and "flask_login" in (code.co_filename or ""):
            return "wrapped by flask_login's login_required"
        qn = getattr(code, "co_qualname", getattr(code, "co_name", "")) if code is not None else ""
        if "<locals>" in qn:
            # A wrapper made by a decorator: its own code checks for a user?
            # (Read from the code object: inspect.getsource(fn) would follow
            # __wrapped__ to the view.)
            try:
                src = inspect.getsource(code)
            except Exception:
                src = ""
            if LOGIN_CHECK.search(src):
                return "wrapped by %s, which checks for a user" % qn
        fn = getattr(fn, "__wrapped__", None)
    return ""


def decorator_check(d):
    """Why a decorator (not yet applied) checks for a user: it comes from
    Flask-Login, or its source does."""
    if "flask_login" in (getattr(d, "__module__", "") or ""):
        return "flask_login's %s" % getattr(d, "__name__", "decorator")
    try:
        src = inspect.getsource(d)
    except Exception:
        return ""
    if LOGIN_CHECK.search(src):
        f, ln = where(d)
        return "%s (%s:%d), which checks for a user" % (getattr(d, "__qualname__", repr(d)), f, ln)
    return ""


def auth_of(app, rule, view):
    """How the app requires a user for the rule ("" when nothing does): a
    before_request function of the app or of the rule's blueprints (its
    source checks for a user), or Flask-Login's login_required (or a
    wrapper whose source checks for a user) around the view."""
    try:
        hooks = list(app.before_request_funcs.get(None, []))
        parts = rule.endpoint.split(".")[:-1]
        for i in range(1, len(parts) + 1):
            hooks += list(app.before_request_funcs.get(".".join(parts[:i]), []))
        for h in hooks:
            try:
                src = inspect.getsource(h)
            except Exception:
                continue
            if LOGIN_CHECK.search(src):
                f, ln = where(h)
                return "before_request hook %s (%s:%d)" % (getattr(h, "__qualname__", repr(h)), f, ln)
        why = wrapper_check(view)
        if why:
            return why
        # A Flask-RESTful / Flask-RESTX Resource: its method_decorators
        # (a list, or a dict per method) and the GET handler's own wrappers
        # (else any handler's): only GET and HEAD responses are cached.
        cls = getattr(view, "view_class", None)
        if cls is not None:
            handlers = [m for m in ("get", "post", "put", "patch", "delete") if callable(getattr(cls, m, None))]
            if "get" in handlers:
                handlers = ["get"]
            for m in handlers:
                decos = getattr(cls, "method_decorators", None) or []
                if isinstance(decos, dict):
                    decos = decos.get(m, [])
                for d in decos:
                    why = wrapper_check(d) or decorator_check(d)
                    if why:
                        return "method_decorators of %s: %s" % (cls.__qualname__, why)
                why = wrapper_check(getattr(cls, m))
                if why:
                    return "%s.%s: %s" % (cls.__qualname__, m, why)
    except Exception as e:
        return "could not read its hooks (%s): taken as requiring a user" % type(e).__name__
    return ""


def describe(app, rule):
    """The row of one rule: its view, methods, kind and authentication."""
    view = app.view_functions.get(rule.endpoint)
    methods = sorted(m for m in (rule.methods or []) if m not in ("HEAD", "OPTIONS"))
    kind = "function"
    target = view
    cls = getattr(view, "view_class", None)
    if cls is not None:
        kind, target = "class", cls
    if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
        kind = "static"
    mod_name, q = names(target) if target is not None else ("", rule.endpoint)
    f, ln = where(target) if target is not None else ("", 0)
    return {"path": rule.rule, "path_format": rule.rule, "methods": methods, "kind": kind,
            "view": "%s.%s" % (mod_name, q), "module": mod_name, "qualname": q,
            "file": f, "line": ln, "name": rule.endpoint,
            "builtin": kind == "static", "auth": auth_of(app, rule, view) if view is not None else ""}


def main():
    app = load_app(TARGET, "url_map")
    out = {"framework": "flask", "app": TARGET, "routes": [], "warnings": []}
    try:
        import flask as _flask
        out["version"] = _flask.__version__
    except Exception:
        out["version"] = ""
    for rule in app.url_map.iter_rules():
        try:
            out["routes"].append(describe(app, rule))
        except Exception as e:
            # A rule this script cannot describe: listed with the reason,
            # and the run goes on.
            why = "its view could not be described (%s: %s)" % (type(e).__name__, e)
            out["routes"].append({"path": rule.rule, "path_format": rule.rule, "methods": sorted(m for m in (rule.methods or []) if m not in ("HEAD", "OPTIONS")),
                                  "kind": "function", "view": rule.endpoint, "module": "", "qualname": "", "file": "", "line": 0,
                                  "name": rule.endpoint, "builtin": False, "unresolved": why})
            out["warnings"].append("%s: %s" % (rule.rule, why))
    OUT.write(json.dumps(out))
    OUT.flush()
    # Threads or servers the project started at import must not hold the
    # interpreter open: the table is written.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()

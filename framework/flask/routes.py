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


def main():
    app = load_app(TARGET, "url_map")
    out = {"framework": "flask", "app": TARGET, "routes": [], "warnings": []}
    try:
        import flask as _flask
        out["version"] = _flask.__version__
    except Exception:
        out["version"] = ""
    for rule in app.url_map.iter_rules():
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
        out["routes"].append({"path": rule.rule, "path_format": rule.rule, "methods": methods, "kind": kind,
                              "view": "%s.%s" % (mod_name, q), "module": mod_name, "qualname": q,
                              "file": f, "line": ln, "name": rule.endpoint,
                              "builtin": kind == "static"})
    OUT.write(json.dumps(out))
    OUT.flush()


if __name__ == "__main__":
    main()

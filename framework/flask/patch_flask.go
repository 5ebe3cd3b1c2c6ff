package flask

// Plan targets of Flask views (function views, and View classes through
// their decorators list).
const (
	flaskFuncTarget  = "\x00flask"
	flaskClassTarget = "\x00flask-class"
)

// flaskHelperSource is the module cdnadvise writes next to Flask views:
// a decorator that sets Cache-Control on the GET and HEAD responses of the
// view it wraps (a view that also takes POST must not tell shared caches
// that its POST responses may be stored), keeping a header the view set
// itself unless replace=True.
const flaskHelperSource = `"""Cache-Control per route on GET and HEAD responses, written by cdnadvise patch.

Put the decorator under the route decorators (closest to the function), so
that the view Flask registers is the wrapped one; for a View or MethodView
class, list it in the class's decorators. Responses to other methods (POST,
PUT, PATCH, DELETE) are left alone: shared caches must never store them.
"""
import re
from functools import wraps

from flask import make_response, request

FINGERPRINT = re.compile(r"[.-][0-9a-f]{8,}[.]")


def cache_control_header(value, replace=False):
    """Send Cache-Control: value on the view's GET and HEAD responses."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = make_response(view(*args, **kwargs))
            if request.method in ("GET", "HEAD") and (replace or "Cache-Control" not in response.headers):
                response.headers["Cache-Control"] = value
            return response

        return wrapped

    return decorator


def static_immutable(app, value="public, max-age=31536000, immutable"):
    """Send Cache-Control: value with the static files whose name carries a
    content hash (app.3f2a9c1b.js): a new version gets a new name."""

    @app.after_request
    def _immutable(response):
        if request.endpoint == "static" and request.method in ("GET", "HEAD") and response.status_code == 200 \
                and FINGERPRINT.search(request.path.rsplit("/", 1)[-1]):
            response.headers["Cache-Control"] = value
        return response

    return app
`

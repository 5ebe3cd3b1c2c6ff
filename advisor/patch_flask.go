package advisor

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
from functools import wraps

from flask import make_response, request


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
`

from functools import wraps

from flask import Blueprint, abort, g, jsonify

admin = Blueprint("admin", __name__)


def login_required(f):
    @wraps(f)
    def wrapped(*args, **kwargs):
        if getattr(g, "user", None) is None:
            abort(401)
        return f(*args, **kwargs)

    return wrapped


@admin.route("/stats")
@login_required
def stats():
    return jsonify(stats={})

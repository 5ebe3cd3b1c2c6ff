"""The family API: every answer is one family's own. The blueprint's
before_request hook turns anonymous requests away, so its views need no
marker of their own."""
from flask import Blueprint, abort, g, request

family = Blueprint("family", __name__)


@family.before_request
def family_member():
    auth = request.headers.get("Authorization", "")
    g.family = auth[len("Bearer "):] if auth.startswith("Bearer ") else request.cookies.get("sessionid")
    if not g.family:
        abort(401)


@family.get("/chores")
def chores():
    return {"family": g.family, "chores": ["dishes", "laundry"][: 1 + len(g.family) % 2]}


@family.post("/chores")
def add_chore():
    """A browser's write (session cookie) needs the CSRF token as a cookie
    and as a header; an app's (Authorization) does not."""
    token = request.headers.get("X-CSRFToken", "")
    if "Authorization" not in request.headers and (not token or request.cookies.get("csrftoken") != token):
        return {"error": "CSRF token missing or incorrect"}, 403
    return {"family": g.family, "added": True}, 201

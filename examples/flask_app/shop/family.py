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

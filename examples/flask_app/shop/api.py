import time

from flask import Blueprint, make_response, request

api = Blueprint("api", __name__)


@api.route("/leaderboard")
def leaderboard():
    epoch = int(time.time() // 30)  # the content changes every 30 s
    return {"epoch": epoch, "top": [(epoch * 7 + i) % 100 for i in range(10)]}


@api.get("/items")
def items():
    epoch = int(time.time() // 60)  # new items appear every minute
    return {"items": [epoch * 10 + i for i in range(10)]}


@api.post("/items")
def create_item():
    """A write needs the CSRF token twice, as a cookie and as a header (an
    edge that drops the cookie breaks every write)."""
    token = request.headers.get("X-CSRFToken", "")
    if not token or request.cookies.get("csrftoken") != token:
        return {"error": "CSRF token missing or incorrect"}, 403
    return {"created": True}, 201


@api.get("/items/<int:item_id>")
def item(item_id):
    time.sleep(0.002)
    epoch = int(time.time() // 120)  # prices change every two minutes
    return {"id": item_id, "name": "item %d" % item_id, "price": (item_id + epoch) % 50 + 0.99}


@api.get("/me")
def me():
    user = request.cookies.get("sessionid", "anonymous")
    response = make_response({"user": user})
    response.set_cookie("seen", "1")
    return response

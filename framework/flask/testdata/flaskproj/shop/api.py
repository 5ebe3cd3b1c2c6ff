from flask import Blueprint, jsonify, request
from flask.views import MethodView

api = Blueprint("api", __name__, url_prefix="/ignored-when-registered-with-a-prefix")
v2 = Blueprint("v2", __name__)


@api.route("/items", methods=["GET", "POST"])
def items():
    if request.method == "POST":
        return jsonify(created=True), 201
    return jsonify(items=[])


@api.get("/items/<int:item_id>")
def item(item_id):
    return jsonify(id=item_id)


@api.post("/items/<int:item_id>/reviews")
def review(item_id):
    return jsonify(ok=True), 201


def leaderboard():
    return jsonify(top=[])


api.add_url_rule("/leaderboard", "leaderboard", leaderboard)


class ThingAPI(MethodView):
    def get(self, thing_id):
        return jsonify(id=str(thing_id))

    def put(self, thing_id):
        return jsonify(ok=True)


api.add_url_rule("/things/<uuid:thing_id>", view_func=ThingAPI.as_view("thing"))


@v2.route("/files/<path:name>")
def files(name):
    return jsonify(name=name)

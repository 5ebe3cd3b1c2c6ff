from flask import Blueprint, g, jsonify, render_template_string, request, session

site = Blueprint("site", __name__)


@site.route("/")
def home():
    return render_template_string("<h1>Shop</h1>")


@site.route("/search/")
def search():
    return jsonify(q=request.args.get("q", ""))


@site.get("/tags/<slug:tag>")
def tag(tag):
    return jsonify(tag=tag)


@site.route("/me")
def me():
    return jsonify(user=session.get("user"))


def healthz():
    return "ok"

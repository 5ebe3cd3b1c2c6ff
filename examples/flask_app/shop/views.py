import time

from flask import Blueprint, request

site = Blueprint("site", __name__)


@site.route("/")
def home():
    epoch = int(time.time() // 60)  # the front page changes every minute
    return "<!doctype html><title>Shop</title><h1>Shop</h1><p>Deals of minute %d</p>" % epoch


@site.route("/search")
def search():
    time.sleep(0.005)
    q = request.args.get("q", "")
    return {"q": q, "results": [q + str(i) for i in range(5)]}

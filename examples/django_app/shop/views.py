"""Example shop views for the cdnadvise lab (Django under gunicorn).

They send no Cache-Control until `cdnadvise patch` adds it.
"""
import time

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def leaderboard(request):
    epoch = int(time.time() // 30)  # the content changes every 30 s
    return JsonResponse({"epoch": epoch, "top": [(epoch * 7 + i) % 100 for i in range(10)]})


def home(request):
    """The front page: the same for everyone, but it reads the session (a
    visit counter nobody sees), so SessionMiddleware adds Vary: Cookie."""
    request.session.get("visits")
    epoch = int(time.time() // 60)  # the front page changes every minute
    return HttpResponse("<!doctype html><title>Shop</title><h1>Shop</h1><p>Deals of minute %d</p>" % epoch)


def items(request):
    """The item collection: GET lists the newest items, POST creates one.

    One view, two methods, like most REST collections: only the GET may be
    cached by a shared cache.
    """
    if request.method == "POST":
        return JsonResponse({"created": True}, status=201)
    epoch = int(time.time() // 60)  # new items appear every minute
    return JsonResponse({"items": [epoch * 10 + i for i in range(10)]})


def item(request, item_id):
    time.sleep(0.002)
    epoch = int(time.time() // 120)  # prices change every two minutes
    return JsonResponse({"id": item_id, "name": "item %d" % item_id, "price": (item_id + epoch) % 50 + 0.99})


def search(request):
    time.sleep(0.005)
    q = request.GET.get("q", "")
    return JsonResponse({"q": q, "results": [q + str(i) for i in range(5)]})


def me(request):
    user = request.COOKIES.get("sessionid", "anonymous")
    response = JsonResponse({"user": user})
    response.set_cookie("seen", "1")
    return response


def static_file(request, name):
    return HttpResponse('console.log("shop app v1");\n', content_type="application/javascript")

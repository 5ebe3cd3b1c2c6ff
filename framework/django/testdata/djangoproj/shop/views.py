from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return HttpResponse("home")


def archive(request, year):
    return HttpResponse("archive %s" % year)


def about(request):
    return HttpResponse("about")


@cache_control(max_age=5)
def leaderboard(request):
    return JsonResponse({"top": [1, 2, 3]})


@login_required
def profile(request):
    return JsonResponse({"user": str(request.user)})


def orders(request):
    """A collection: GET lists, POST creates (any method reaches the view)."""
    if request.method == "POST":
        return JsonResponse({"created": True}, status=201)
    return JsonResponse({"orders": [1, 2, 3]})


class CommentList(View):
    """A class-based collection: get lists, post creates."""

    def get(self, request):
        return JsonResponse({"comments": []})

    def post(self, request):
        return JsonResponse({"created": True}, status=201)


class ItemDetail(View):
    def get(self, request, pk):
        return JsonResponse({"item": pk})


def make_view():
    def dynamic(request):
        return HttpResponse("dynamic")

    return dynamic

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views import View
from django.views.decorators.http import require_GET


def login(request):
    return HttpResponse("login")


@require_GET
def health(request):
    return HttpResponse("ok")


def robots(request):
    return HttpResponse("User-agent: *")


def ping(request):
    return HttpResponse("pong")


def signup(request):
    return HttpResponse("signup")


class ProjectView(View):
    def get(self, request, code):
        return HttpResponse("project")

    def post(self, request, code):
        return HttpResponse("saved")

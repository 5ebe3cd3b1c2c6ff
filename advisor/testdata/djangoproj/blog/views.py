from django.http import HttpResponse


def index(request):
    return HttpResponse("blog")


def post(request, slug):
    return HttpResponse("post " + slug)

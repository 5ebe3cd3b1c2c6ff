from django.http import HttpResponse


def add(request):
    return HttpResponse("added")

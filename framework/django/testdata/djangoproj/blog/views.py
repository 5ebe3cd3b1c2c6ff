from django.http import HttpResponse
from django.shortcuts import render


def index(request):
    # The list template extends a base without a form: the same for everyone.
    return render(request, "blog/index.html", {"posts": []})


def contact(request):
    # The contact form extends the base and includes a form that writes the
    # CSRF token: Django sets the csrftoken cookie and Vary: Cookie.
    return render(request, "blog/contact.html")


def post(request, slug):
    return HttpResponse("post " + slug)

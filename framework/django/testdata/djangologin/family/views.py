from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.generic import TemplateView

from core.decorators import family_required
from core.mixins import FamilyMemberMixin


@login_required
def dashboard(request):
    return render(request, "family/dashboard.html", {"family": request.user})


class CalendarView(FamilyMemberMixin, TemplateView):
    template_name = "family/calendar.html"


@family_required
def photos(request):
    return render(request, "family/photos.html")


def about(request):
    return render(request, "family/about.html")

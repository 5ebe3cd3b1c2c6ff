from django.contrib import admin
from django.urls import include, path
from rest_framework import routers

from family import api, views

router = routers.DefaultRouter()
router.register(r"members", api.MemberViewSet)
router.register(r"chores", api.ChoreViewSet)
router.register(r"allowances", api.AllowanceViewSet)
router.register(r"holidays", api.HolidayViewSet)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("photos/", views.photos, name="photos"),
    path("about/", views.about, name="about"),
    path("api/", include(router.urls)),
    path("api/stats/", api.stats, name="stats"),
    path("api/open-days/", api.open_days, name="open-days"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

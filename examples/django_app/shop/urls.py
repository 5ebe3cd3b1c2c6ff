from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import family, views

router = SimpleRouter()
router.register("chores", family.ChoreViewSet, basename="chores")

urlpatterns = [
    path("", views.home),
    path("api/leaderboard/", views.leaderboard),
    path("api/items/", views.items),
    path("api/items/<int:item_id>/", views.item),
    path("search/", views.search),
    path("api/me/", views.me),
    path("static/<path:name>", views.static_file),
    path("api/family/", include(router.urls)),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home),
    path("api/leaderboard/", views.leaderboard),
    path("api/items/", views.items),
    path("api/items/<int:item_id>/", views.item),
    path("search/", views.search),
    path("api/me/", views.me),
    path("static/<path:name>", views.static_file),
]

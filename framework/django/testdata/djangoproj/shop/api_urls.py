from django.urls import path
from rest_framework.routers import DefaultRouter

from shop import api, views

router = DefaultRouter()
router.register(r"products", api.ProductViewSet, basename="product")

urlpatterns = [
    path("leaderboard/", views.leaderboard),
    path("search/", api.search),
    path("tags/", api.tags),
    path("orders/", views.orders),
    path("me/", views.profile),
    path("dynamic/", views.make_view()),
]
urlpatterns += router.urls

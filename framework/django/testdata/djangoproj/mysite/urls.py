from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path, register_converter

import blog.urls as blog_urls
from shop import views
from shop.converters import YearConverter
from shop.views import ItemDetail

register_converter(YearConverter, "yyyy")

urlpatterns = [
    path("", views.home, name="home"),
    path("items/<int:pk>/", ItemDetail.as_view(), name="item"),
    path("comments/", views.CommentList.as_view(), name="comments"),
    path("api/", include("shop.api_urls")),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive, name="archive"),
    path("blog/", include(blog_urls)),
    path("by-year/<yyyy:year>/", views.archive),
]

urlpatterns += i18n_patterns(
    path("about/", views.about, name="about"),
)

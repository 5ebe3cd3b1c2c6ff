from urllib.parse import urlparse

from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path

from accounts import views as accounts_views

prefix = ""
if _path := urlparse(settings.SITE_ROOT).path.lstrip("/"):
    prefix = f"{_path}/"

INTEGRATIONS = ("slack", "email")

urlpatterns = [
    path(f"{prefix}admin/login/", accounts_views.login),
    path(prefix, include("accounts.urls")),
    path(settings.API_PREFIX + "/", include("api.urls")),
]

for name in INTEGRATIONS:
    urlpatterns.append(path(f"{prefix}integrations/{name}/", include(f"integrations.{name}.urls")))

urlpatterns += [path(f"{prefix}health/", accounts_views.health)]

extra = [path("robots.txt", accounts_views.robots)]
urlpatterns = urlpatterns + extra

if settings.DEBUG:
    urlpatterns += [path("__debug__/ping/", accounts_views.ping)]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.ENABLE_SIGNUP:
    urlpatterns.extend([path(f"{prefix}signup/", accounts_views.signup)])

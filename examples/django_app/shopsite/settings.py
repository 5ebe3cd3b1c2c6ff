"""Settings of the lab's example Django shop (no database needed)."""
SECRET_KEY = "lab-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["django.contrib.sessions", "rest_framework", "shop"]
# CsrfViewMiddleware: a POST needs the csrftoken cookie and the
# X-CSRFToken header (an edge that drops the cookie breaks every write).
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware"]
# Sessions in a signed cookie: no database needed.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
DATABASES = {}
USE_TZ = True
# The family API's authentication and permissions, set once for every DRF
# view (no database: the families come from their cookie or token).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["shop.familyauth.FamilyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["shop.familyauth.FamilyOnly"],
    "UNAUTHENTICATED_USER": None,
}

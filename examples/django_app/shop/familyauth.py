"""The family API's authentication and permission, named in settings'
REST_FRAMEWORK (apart from the views: DRF imports them while it loads)."""
from rest_framework import authentication, permissions


class Family:
    """A logged-in family (the lab needs no database)."""

    is_authenticated = True

    def __init__(self, name):
        self.name = name


class FamilyAuthentication(authentication.SessionAuthentication):
    """The family from its session cookie (browsers) or its API token
    (Authorization: Bearer, apps). A browser's write must pass DRF's CSRF
    check (SessionAuthentication.enforce_csrf: the csrftoken cookie and the
    X-CSRFToken header)."""

    def authenticate(self, request):
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if auth.startswith("Bearer "):
            return (Family(auth[len("Bearer "):]), None)
        name = request.COOKIES.get("sessionid")
        if not name:
            return None
        self.enforce_csrf(request)
        return (Family(name), None)

    def authenticate_header(self, request):
        return "Bearer"


class FamilyOnly(permissions.IsAuthenticated):
    """Logged-in families only."""

"""The family API's authentication and permission, named in settings'
REST_FRAMEWORK (apart from the views: DRF imports them while it loads)."""
from rest_framework import authentication, permissions


class Family:
    """A logged-in family (the lab needs no database)."""

    is_authenticated = True

    def __init__(self, name):
        self.name = name


class FamilyAuthentication(authentication.BaseAuthentication):
    """The family from its session cookie (browsers) or its API token
    (Authorization: Bearer, apps)."""

    def authenticate(self, request):
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        name = auth[len("Bearer "):] if auth.startswith("Bearer ") else request.COOKIES.get("sessionid")
        return (Family(name), None) if name else None

    def authenticate_header(self, request):
        return "Bearer"


class FamilyOnly(permissions.IsAuthenticated):
    """Logged-in families only."""

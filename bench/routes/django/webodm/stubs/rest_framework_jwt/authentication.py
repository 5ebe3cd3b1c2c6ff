# Bench stub for rest_framework_jwt.authentication (see __init__.py).
from rest_framework.authentication import BaseAuthentication


class BaseJSONWebTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        return None


class JSONWebTokenAuthentication(BaseJSONWebTokenAuthentication):
    pass

# Bench stub for rest_framework_jwt.views (see __init__.py).
from rest_framework.views import APIView


class ObtainJSONWebToken(APIView):
    def post(self, request, *args, **kwargs):
        raise NotImplementedError("bench stub")


obtain_jwt_token = ObtainJSONWebToken.as_view()

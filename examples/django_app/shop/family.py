"""The family API (Django REST framework): every answer is one family's own.
Authentication and permissions are set once, project-wide, in settings
(REST_FRAMEWORK, shop/familyauth.py): the viewset declares none of its
own."""
from rest_framework import viewsets
from rest_framework.response import Response


class ChoreViewSet(viewsets.ViewSet):
    def list(self, request):
        fam = request.user.name
        return Response({"family": fam, "chores": ["dishes", "laundry"][: 1 + len(fam) % 2]})

    def create(self, request):
        fam = request.user.name
        return Response({"family": fam, "added": request.data.get("chore", "")}, status=201)

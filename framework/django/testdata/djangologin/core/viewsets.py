from rest_framework import viewsets


class FamilyViewSet(viewsets.ModelViewSet):
    """Base of the family API: the queryset is the user's family's."""

    def get_queryset(self):
        return super().get_queryset().filter(family=self.request.user.family)

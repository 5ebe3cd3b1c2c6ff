from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.viewsets import FamilyViewSet
from family.models import Allowance, Chore, Holiday, Member


class MemberViewSet(viewsets.ModelViewSet):
    queryset = Member.objects.all()


class ChoreViewSet(FamilyViewSet):
    queryset = Chore.objects.all()


class AllowanceViewSet(FamilyViewSet):
    queryset = Allowance.objects.all()


class HolidayViewSet(viewsets.ReadOnlyModelViewSet):
    """School holidays: the same for everyone."""

    queryset = Holiday.objects.all()
    permission_classes = [AllowAny]


@api_view(["GET"])
def stats(request):
    return Response({"chores": Chore.objects.count()})


@api_view(["GET"])
@permission_classes([AllowAny])
def open_days(request):
    return Response({"days": ["saturday"]})

from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response


@api_view(["GET"])
def search(request):
    return Response({"q": request.query_params.get("q", "")})


@api_view(["GET", "POST"])
def tags(request):
    if request.method == "POST":
        return Response({"created": True}, status=201)
    return Response(["red", "blue"])


class ProductViewSet(viewsets.ViewSet):
    lookup_field = "slug"

    def list(self, request):
        return Response([{"slug": "blue-shirt"}])

    def create(self, request):
        return Response({"created": True}, status=201)

    def retrieve(self, request, slug=None):
        return Response({"slug": slug})

    @action(detail=True, methods=["get"], url_path="reviews")
    def reviews(self, request, slug=None):
        return Response({"slug": slug, "reviews": []})

    @action(detail=False)
    def featured(self, request):
        return Response([])

"""The one search, as the header's search box and /search/ answer it: what the caller may see, best first."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR
from alliance.portal.search import search

from .serializers import SearchAnswerSerializer, SearchHitSerializer, SearchQuerySerializer


class SearchView(APIView):
    """Members, projects, catalog entries, events and committees matching ``q`` (of one ``type`` when given).

    One answer, not a paginated list (a plain view, not a viewset): up to 20 results of each type, best first.
    """

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["search"],
        summary="Search members, projects, catalog entries, events and committees",
        description="Full-text with typo tolerance on PostgreSQL; only what the caller may see, and only what is "
        "listed (never a draft). Up to 20 results of each type, best first.",
        parameters=[SearchQuerySerializer],
        responses={200: SearchAnswerSerializer, 400: ERROR},
    )
    def get(self, request: Request) -> Response:
        values = query_values(request, SearchQuerySerializer)
        hits = search(person=request.user, query=values.get("q", ""), kind=values.get("type", ""))
        return Response({"count": len(hits), "results": SearchHitSerializer(hits, many=True).data})

"""List endpoints whose answer to anonymous callers is kept in the cache (``alliance.page_cache``).

A public list (organizations, projects, events) reads the same for every caller without a token or session, and
serializing its rows is most of its cost. ``ListCachedForVisitors`` keeps the serialized page of rows per address
and language until an audited change in the viewset's ``visitor_cache_areas`` (at most ``PAGE_CACHE_SECONDS``).
"""

from typing import Any, ClassVar

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.page_cache import visitor_data_cached


class ListCachedForVisitors:
    """Mixed into a viewset with DRF's ``ListModelMixin``, before it."""

    visitor_cache_areas: ClassVar[tuple[str, ...]] = ()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answers: list[Response] = []

        def build() -> Any:
            answer = super(ListCachedForVisitors, self).list(request, *args, **kwargs)  # type: ignore[misc]
            answers.append(answer)
            return answer.data if answer.status_code == status.HTTP_200_OK else None

        data = visitor_data_cached(self.visitor_cache_areas, request, build)
        return answers[0] if answers else Response(data)

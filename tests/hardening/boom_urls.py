"""The portal's URLconf and its handler500, plus views that fail unexpectedly."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from alliance.portal.urls import handler404, handler500  # noqa: F401 (the real ones, under test)
from alliance.portal.urls import urlpatterns as portal_urlpatterns


class Boom(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("an unexpected failure")


def page_boom(request):
    raise RuntimeError("an unexpected failure")


urlpatterns = [
    path("api/v1/boom/", Boom.as_view()),
    path("api/plain-boom/", page_boom),
    path("boom/", page_boom),
    *portal_urlpatterns,
]

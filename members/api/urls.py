"""The members API: viewsets registered on the one router, plus the non-resource endpoints."""

extra_urlpatterns: list = []


def register(router) -> None:
    pass

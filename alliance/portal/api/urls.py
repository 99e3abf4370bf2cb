"""The search API: ``GET /api/v1/search/`` (one answer, not a resource list; alliance/portal/api_urls.py)."""

from django.urls import path

from . import views

urlpatterns = [path("search/", views.SearchView.as_view(), name="api-search")]

"""The catalog's pages. Included by projects/urls.py into the ``projects`` namespace, so their names stay
``projects:catalog_list``, ``projects:catalog_detail``, ... (notifications use them too)."""

from django.urls import path

from . import views

urlpatterns = [
    path("projects/<slug:slug>/catalog/new/", views.catalog_entry_create, name="catalog_entry_create"),
    path("catalog/", views.catalog_list, name="catalog_list"),
    path("members/<slug:slug>/catalog/", views.organization_catalog, name="organization_catalog"),
    path("catalog/<int:pk>/", views.catalog_detail, name="catalog_detail"),
    path("catalog/<int:pk>/validate/", views.catalog_validate, name="catalog_validate"),
    path("catalog/<int:pk>/deprecate/", views.catalog_deprecate, name="catalog_deprecate"),
]

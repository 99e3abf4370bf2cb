"""Pages of the projects domain. The names below are used by notifications too."""

from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/<slug:slug>/", views.project_detail, name="project_detail"),
    path("staff/proposals/", views.review_queue, name="review_queue"),
    path("catalog/", views.catalog_list, name="catalog_list"),
    path("catalog/<int:pk>/", views.catalog_detail, name="catalog_detail"),
]

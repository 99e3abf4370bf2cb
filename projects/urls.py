"""Pages of the projects domain (and, included, the catalog's). The names are used by notifications too."""

from django.urls import include, path

from . import views

app_name = "projects"

PROJECT = "projects/<slug:slug>/"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("my-projects/", views.my_projects, name="my_projects"),
    path("my-projects/propose/", views.project_create, name="project_create"),
    path(PROJECT, views.project_detail, name="project_detail"),
    path(f"{PROJECT}edit/", views.project_edit, name="project_edit"),
    path(f"{PROJECT}submit/", views.project_submit, name="project_submit"),
    path(f"{PROJECT}decide/", views.project_decide, name="project_decide"),
    path(f"{PROJECT}reviews/", views.project_review, name="project_review"),
    path(f"{PROJECT}request-archive/", views.project_request_archive, name="project_request_archive"),
    path(f"{PROJECT}state/<str:action>/", views.project_transition, name="project_transition"),
    path(f"{PROJECT}join/", views.project_join, name="project_join"),
    path(f"{PROJECT}leave/", views.project_leave, name="project_leave"),
    path(f"{PROJECT}people/<int:pk>/<str:action>/", views.participant_action, name="participant_action"),
    path(f"{PROJECT}updates/", views.update_post, name="update_post"),
    path("members/<slug:slug>/projects/", views.organization_projects, name="organization_projects"),
    path("staff/proposals/", views.review_queue, name="review_queue"),
    path("", include("projects.catalog.urls")),  # the catalog's pages, in this namespace
]

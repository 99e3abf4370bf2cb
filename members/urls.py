"""Pages of the members domain. Views are in views.py; the names below are used by notifications too."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/", views.directory, name="directory"),
    path("members/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("organizations/register/", views.organization_register, name="organization_register"),
    path("organizations/<slug:slug>/manage/", views.my_organization, name="my_organization"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("staff/applications/", views.review_queue, name="review_queue"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

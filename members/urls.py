"""Pages of the members domain. Views are in views.py; the names below are used by notifications too."""

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/", views.directory, name="directory"),
    path("members/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("members/<slug:slug>/join/", views.join_request_create, name="join_request_create"),
    path("organizations/", views.my_organizations, name="my_organizations"),
    path("organizations/register/", views.organization_register, name="organization_register"),
    path("organizations/<slug:slug>/apply/", views.application_create, name="application_create"),
    path("organizations/<slug:slug>/manage/", views.my_organization, name="my_organization"),
    path("organizations/<slug:slug>/manage/me/", views.affiliation_profile, name="affiliation_profile"),
    path("organizations/<slug:slug>/manage/audit/", views.organization_audit, name="organization_audit"),
    path("organizations/<slug:slug>/manage/people/<int:pk>/role/", views.person_role, name="person_role"),
    path("organizations/<slug:slug>/manage/people/<int:pk>/remove/", views.person_remove, name="person_remove"),
    path("organizations/<slug:slug>/manage/invitations/", views.invitation_create, name="invitation_create"),
    path(
        "organizations/<slug:slug>/manage/invitations/<int:pk>/<str:action>/",
        views.invitation_action,
        name="invitation_action",
    ),
    path("organizations/<slug:slug>/manage/domains/", views.domain_add, name="domain_add"),
    path("organizations/<slug:slug>/manage/domains/<int:pk>/remove/", views.domain_remove, name="domain_remove"),
    path(
        "organizations/<slug:slug>/manage/join-requests/<int:pk>/<str:decision>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("organizations/<slug:slug>/membership/", views.membership, name="membership"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/resubmit/", views.application_resubmit, name="application_resubmit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application_decide"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("staff/applications/", views.review_queue, name="review_queue"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("account/profile/", views.profile, name="profile"),
    path("account/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]

"""Pages of governance: committees, ballots, votes and results."""

from django.urls import path

from . import views

app_name = "governance"
urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<slug:slug>/", views.committee_detail, name="committee_detail"),
    path("committees/<slug:slug>/members/", views.committee_member_add, name="committee_member_add"),
    path(
        "committees/<slug:slug>/members/<int:pk>/remove/", views.committee_member_remove, name="committee_member_remove"
    ),
    path("committees/<slug:slug>/ballots/new/", views.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/edit/", views.ballot_edit, name="ballot_edit"),
    path("ballots/<int:pk>/vote/", views.ballot_vote, name="ballot_vote"),
    path("ballots/<int:pk>/open/", views.ballot_open, name="ballot_open"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:pk>/cancel/", views.ballot_cancel, name="ballot_cancel"),
    path("ballots/<int:pk>/results/", views.ballot_results, name="ballot_results"),
    path("my-ballots/", views.my_ballots, name="my_ballots"),
]

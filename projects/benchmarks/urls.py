"""Pages of the benchmark registry. The names below are used by notifications too."""

from django.urls import path

from . import views

app_name = "benchmarks"

BENCHMARK = "benchmarks/<slug:slug>/"
ROUND = "benchmark-rounds/<int:pk>/"
SUBMISSION = "benchmark-submissions/<int:pk>/"

urlpatterns = [
    path("benchmarks/", views.benchmark_list, name="benchmark_list"),
    path(BENCHMARK, views.benchmark_detail, name="benchmark_detail"),
    path(f"{BENCHMARK}leaderboard/", views.leaderboard, name="leaderboard"),
    path(f"{BENCHMARK}rounds/new/", views.round_create, name="round_create"),
    path(ROUND, views.round_detail, name="round_detail"),
    path(f"{ROUND}submit/", views.submission_create, name="submission_create"),
    path(f"{ROUND}publish/", views.round_publish, name="round_publish"),
    path(f"{ROUND}cancel/", views.round_cancel, name="round_cancel"),
    path(SUBMISSION, views.submission_detail, name="submission_detail"),
    path(f"{SUBMISSION}edit/", views.submission_edit, name="submission_edit"),
    path(f"{SUBMISSION}withdraw/", views.submission_withdraw, name="submission_withdraw"),
    path(f"{SUBMISSION}available/", views.submission_available, name="submission_available"),
    path(f"{SUBMISSION}reviews/", views.review_post, name="review_post"),
    path(f"{SUBMISSION}objections/", views.objection_post, name="objection_post"),
    path("benchmark-objections/", views.objection_queue, name="objection_queue"),
    path("benchmark-objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
]

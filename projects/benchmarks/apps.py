from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """The benchmark results registry: rounds, peer-reviewed submissions, leaderboards and immutable releases."""

    name = "projects.benchmarks"
    label = "benchmarks"
    verbose_name = "Benchmarks"
    default_auto_field = "django.db.models.BigAutoField"

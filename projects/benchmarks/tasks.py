from celery import shared_task

from .services import benchmark_rounds_advance as rounds_advance


@shared_task(name="projects.benchmarks.tasks.benchmark_rounds_advance")
def benchmark_rounds_advance() -> dict[str, int]:
    """Beat job: start due reviews, publish rounds at their publication time, mark lapsed previews (idempotent)."""
    return rounds_advance()

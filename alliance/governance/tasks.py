from celery import shared_task

from .services import ballot_schedule_advance


@shared_task(name="alliance.governance.tasks.ballots_advance")
def ballots_advance() -> dict[str, int]:
    """Beat job: open ballots at their opening time, remind non-voters once a day before closing, close and count
    ballots at their closing time."""
    return ballot_schedule_advance()

"""What the projects services share: the project's lock, telling a project's people, and the refusal for what only
leads may do. Private to ``projects.services``."""

from collections.abc import Iterable
from typing import Any

from alliance.errors import NotPermitted
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify
from projects.models import Project

BUSY = "Someone else is changing this project right now; please try again in a moment."


def lock_project(project: Project) -> Project:
    """The project as it is now, locked for the rest of the transaction: state checks never trust a stale copy."""
    locked = lock_row(Project.objects.filter(pk=project.pk), busy=BUSY)
    if locked is None:
        raise Project.DoesNotExist(f"{project} no longer exists.")
    return locked


def notify_project_people(project: Project, template: str, recipients: Iterable[Any], **context: Any) -> None:
    """Tell ``recipients`` about the project, linking to its page."""
    notify(
        recipients=recipients,
        kind=Notification.Kind.PROJECTS,
        template=template,
        context={"project": project, **context},
        url=project.get_absolute_url(),
    )


def only_leads_refusal(project: Project) -> NotPermitted:
    """The refusal for what only a lead of the project (or staff, where they may) can do."""
    return NotPermitted(f"Only a lead of {project} can do this.")

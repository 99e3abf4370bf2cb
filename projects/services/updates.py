"""Project updates: news a lead posts on a project, told to everyone else who takes part."""

from typing import Any

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, validate_model
from members.models import User
from projects.models import Project, ProjectUpdate
from projects.selectors import may_post_project_update, project_participants

from ._common import lock_project, notify_project_people, only_leads_refusal


def require_may_post_update(actor: Any, project: Project) -> None:
    """A lead posts the news, in their own name; the pages and the API ask before reading the update."""
    if not may_post_project_update(actor, project):
        raise only_leads_refusal(project)


def project_update_post(*, actor: User, project: Project, title: str, body: str) -> ProjectUpdate:
    """A lead posts news on a proposed or live project; every other participant is told."""
    require_may_post_update(actor, project)
    update = ProjectUpdate(project=project, author=actor, title=(title or "").strip(), body=(body or "").strip())
    validate_model(update, exclude=["project", "author"])
    with transaction.atomic():
        if lock_project(project).state not in (*Project.LIVE_STATES, Project.State.PROPOSED):
            raise DomainError("Updates can be posted on proposed, incubating and active projects.")
        update.save()
        audit_record(actor=actor, action="project.update_posted", target=project, note=update.title)
        notify_project_people(
            project,
            "projects/notifications/project_update_posted",
            project_participants(project, exclude=actor),
            update=update,
        )
    return update

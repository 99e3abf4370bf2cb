"""The signed-in home pages, read from every app (which is why they live on the top floor).

A person's home: their next events, their projects with each one's latest update, what their organizations ask of
them (invitations, join requests to answer, open applications, renewals), the ballots waiting for their vote and
their latest unread notifications. Staff's home adds what waits for staff (applications, project proposals,
catalog validations, benchmark objections), oldest first, with how long each has waited.

Each part is one query (two for a staff queue: its size and its oldest rows), whatever the number of rows; each
is limited to the first few rows and links to its full page.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from alliance.governance.models import Ballot
from alliance.governance.selectors import ballots_awaiting_vote
from alliance.models import Notification
from alliance.notifications import inbox
from events.models import Registration
from events.selectors import person_registrations
from members.models import Affiliation, Invitation, JoinRequest, MembershipApplication, Organization
from members.selectors import (
    application_review_queue,
    applications_open_for_admin,
    invitations_for,
    join_requests_awaiting,
    organizations_to_act_on,
    person_affiliations,
)
from projects.benchmarks.selectors import objection_queue
from projects.catalog.selectors import catalog_validation_queue
from projects.models import Participation
from projects.selectors import person_projects_with_latest_update, project_review_queue

SHOWN = 5  # rows of each part; the part links to its full page for the rest
SHOWN_NOTIFICATIONS = 3


@dataclass
class PersonHome:
    """What a signed-in person's home shows, each part already limited to its first rows."""

    affiliations: list[Affiliation]
    registrations: list[Registration]
    participations: list[Participation]
    invitations: list[Invitation]
    join_requests: list[JoinRequest]
    applications: list[MembershipApplication]
    organizations_to_act_on: list[Organization]
    ballots: list[Ballot]
    unread_notifications: list[Notification]

    @property
    def pending_count(self) -> int:
        return (
            len(self.invitations) + len(self.join_requests) + len(self.applications) + len(self.organizations_to_act_on)
        )

    @property
    def is_quiet(self) -> bool:
        """Nothing in any part: no event ahead, no project, nothing waiting, nothing unread."""
        return not (self.registrations or self.participations or self.pending_count or self.unread_notifications)

    @property
    def is_newcomer(self) -> bool:
        """No organization and nothing going on: the welcome page's next steps serve them better."""
        return not self.affiliations and not self.ballots and self.is_quiet


def person_home(person: Any, *, now: datetime | None = None) -> PersonHome:
    """The parts of ``person``'s home: ten queries (nine parts and the projects' latest updates), whatever their
    sizes. The unread count comes from the header's (``alliance.context_processors``), counted once."""
    now = now or timezone.now()
    return PersonHome(
        affiliations=list(person_affiliations(person)),
        registrations=list(person_registrations(person, now=now)[:SHOWN]),
        participations=list(person_projects_with_latest_update(person)[:SHOWN]),
        invitations=list(invitations_for(person, now=now)[:SHOWN]),
        join_requests=list(join_requests_awaiting(person)[:SHOWN]),
        applications=list(applications_open_for_admin(person)[:SHOWN]),
        organizations_to_act_on=list(organizations_to_act_on(person, now=now)[:SHOWN]),
        ballots=list(ballots_awaiting_vote(person, now=now)),
        unread_notifications=list(inbox(person=person, unread=True)[:SHOWN_NOTIFICATIONS]),
    )


# --- staff ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for staff: what it is, where to act on it, and since when."""

    label: str
    detail: str
    url: str
    since: datetime


@dataclass
class Queue:
    """A staff queue: how many wait in it, the oldest few, and the page with all of them."""

    name: str
    title: str
    url: str
    count: int
    oldest: list[Waiting] = field(default_factory=list)
    empty: str = ""


def staff_queues(person: Any) -> list[Queue]:
    """What waits for staff, each queue oldest first: eight queries (a count and the oldest rows of four queues).

    The objections are those ``person`` may decide (none of their own organization's), as on the queue's page.
    How long each has waited is the page's to say (``since|age``).
    """
    applications = application_review_queue()
    proposals = project_review_queue().prefetch_related(None)  # the queue page's sponsors are not shown here
    validations = catalog_validation_queue()
    objections = objection_queue(person)
    return [
        Queue(
            name="applications",
            title="Membership applications",
            url=reverse("members:review_queue"),
            count=applications.count(),
            oldest=[
                Waiting(
                    label=application.organization.name,
                    detail=application.get_status_display(),
                    url=reverse("members:application_detail", args=[application.pk]),
                    since=application.submitted_at,
                )
                for application in applications[:SHOWN]
            ],
            empty="No application waits for a decision.",
        ),
        Queue(
            name="proposals",
            title="Project proposals",
            url=reverse("projects:review_queue"),
            count=proposals.count(),
            oldest=[
                Waiting(
                    label=project.title,
                    detail=f"{project.review_count} review{'s' if project.review_count != 1 else ''}",
                    url=project.get_absolute_url(),
                    since=project.state_changed_at,
                )
                for project in proposals[:SHOWN]
            ],
            empty="No proposal waits for a decision.",
        ),
        Queue(
            name="validations",
            title="Catalog validations",
            url=reverse("projects:catalog_list") + "?status=submitted",
            count=validations.count(),
            oldest=[
                Waiting(
                    label=entry.name,
                    detail=entry.project.title,
                    url=reverse("projects:catalog_detail", args=[entry.pk]),
                    since=entry.created_at,
                )
                for entry in validations[:SHOWN]
            ],
            empty="No catalog entry waits for validation.",
        ),
        Queue(
            name="objections",
            title="Benchmark objections",
            url=reverse("benchmarks:objection_queue"),
            count=objections.count(),
            oldest=[
                Waiting(
                    label=f"{objection.objector_organization.name} on {objection.submission.organization.name}",
                    detail=objection.submission.round.benchmark.project.title,
                    url=objection.get_absolute_url(),
                    since=objection.created_at,
                )
                for objection in objections[:SHOWN]
            ],
            empty="No objection waits for a decision.",
        ),
    ]

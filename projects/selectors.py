"""Reusable read queries of the projects domain; each costs a fixed number of queries whatever the rows."""

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from members.models import Affiliation, Organization, User
from members.selectors import PROPOSE_PROJECTS, is_alliance_member, is_member_expression

from .models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview

LATEST_UPDATES = 10


def projects_visible_to(person: Any) -> QuerySet[Project]:
    """Listed projects (incubating, active, archived) the person may see, plus their own and, for staff, all.

    Members-only projects are shown to people of active member organizations; drafts, proposals and rejected
    ones only to their participants and staff.
    """
    if getattr(person, "is_staff", False):
        return Project.objects.all()
    listed = Q(state__in=Project.LISTED_STATES)
    if not getattr(person, "is_authenticated", False):
        return Project.objects.filter(listed, visibility=Project.Visibility.PUBLIC)
    own = Project.objects.filter(participations__person=person).values("pk")
    return Project.objects.alias(viewer_is_member=is_member_expression(person)).filter(
        (listed & (Q(visibility=Project.Visibility.PUBLIC) | Q(viewer_is_member=True))) | Q(pk__in=own)
    )


def sponsor_choices(person: Any, project: Project | None = None) -> QuerySet[Organization]:
    """Who a person may name as sponsors: staff any active member; others their own active organizations.

    A project's current sponsors stay available to whoever edits it, so a lead from one sponsor can edit a
    project that another organization also backs.
    """
    active = Organization.objects.filter(status=Organization.Status.ACTIVE)
    if getattr(person, "is_staff", False):
        return active.order_by("name")
    mine = Q(affiliations__person=person) if getattr(person, "is_authenticated", False) else Q(pk__in=[])
    if project is not None and project.pk:
        mine |= Q(sponsored_projects=project)
    return active.filter(pk__in=Organization.objects.filter(mine).values("pk")).order_by("name")


def project_list(
    *,
    person: Any,
    search: str = "",
    state: str = "",
    kind: str = "",
    focus_area: str = "",
    organization: str = "",
) -> QuerySet[Project]:
    """Projects as lists show them: focus areas and sponsors prefetched, participants counted."""
    projects = projects_visible_to(person)
    if search:
        projects = projects.filter(
            Q(title__icontains=search) | Q(summary__icontains=search) | Q(description__icontains=search)
        )
    if state:
        projects = projects.filter(state=state)
    if kind:
        projects = projects.filter(kind=kind)
    if focus_area:
        projects = projects.filter(focus_areas__slug=focus_area)
    if organization:
        projects = projects.filter(
            Q(sponsors__slug=organization) | Q(participations__person__affiliations__organization__slug=organization)
        )
    if focus_area or organization:
        projects = Project.objects.filter(pk__in=projects.values("pk"))
    # A subquery, not a join counted with GROUP BY: the page's count (and each row) stays a plain indexed query.
    active = Participation.objects.filter(project_id=OuterRef("pk"), status=Participation.Status.ACTIVE).order_by()
    participant_count = Subquery(active.values("project_id").annotate(n=Count("pk")).values("n"))
    return (
        projects.annotate(participant_count=Coalesce(participant_count, 0))
        .prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.order_by("name")),
            Prefetch("sponsors", queryset=Organization.objects.order_by("name")),
        )
        .order_by("title")
    )


def project_detail(*, person: Any, slug: str) -> Project | None:
    """One project with everything its page shows, in a fixed number of queries; its newest updates are in
    ``latest_updates``."""
    return (
        projects_visible_to(person)
        .filter(slug=slug)
        .select_related("proposer")
        .prefetch_related(
            Prefetch("focus_areas", queryset=FocusArea.objects.order_by("name")),
            Prefetch("sponsors", queryset=Organization.objects.order_by("name")),
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person").order_by("role", "created_at", "pk"),
            ),
            # A sliced prefetch needs ``to_attr``: without it Django filters the sliced queryset and fails.
            Prefetch(
                "updates",
                queryset=ProjectUpdate.objects.select_related("author").order_by("-created_at", "-pk")[:LATEST_UPDATES],
                to_attr="latest_updates",
            ),
            Prefetch("catalog_entries", queryset=CatalogEntry.objects.order_by("name", "pk")),
        )
        .first()
    )


def project_review_queue() -> QuerySet[Project]:
    """Proposals waiting for staff, oldest first, with their sponsors and review count."""
    return (
        Project.objects.filter(state=Project.State.PROPOSED)
        .select_related("proposer")
        .prefetch_related("sponsors", "focus_areas")
        .annotate(review_count=Count("reviews"))
        .order_by("state_changed_at", "pk")
    )


def organization_projects(organization: Organization) -> QuerySet[Project]:
    """Projects the organization sponsors or its people take part in, for its public page."""
    return (
        Project.objects.filter(state__in=Project.LISTED_STATES, visibility=Project.Visibility.PUBLIC)
        .filter(
            Q(sponsors=organization)
            | Q(
                participations__person__affiliations__organization=organization,
                participations__status=Participation.Status.ACTIVE,
            )
        )
        .distinct()
        .order_by("title")
    )


def organization_led_projects(organization: Organization, *, person: Any) -> QuerySet[Project]:
    """The listed projects an organization leads, as far as ``person`` may see them: the ones it sponsors and the
    ones one of its people leads. A hidden project (a draft, a members-only one for a visitor) never appears."""
    leads = Participation.objects.filter(
        role=Participation.Role.LEAD,
        status=Participation.Status.ACTIVE,
        person__affiliations__organization=organization,
    ).values("project_id")
    sponsored = Project.sponsors.through.objects.filter(organization_id=organization.pk).values("project_id")
    return projects_visible_to(person).filter(Q(pk__in=sponsored) | Q(pk__in=leads), state__in=Project.LISTED_STATES)


def person_public_participations(person: Any, *, viewer: Any) -> QuerySet[Participation]:
    """The listed projects a person takes part in that ``viewer`` may see, for the person's page (never a hidden
    project, nor a request to join)."""
    visible = projects_visible_to(viewer).filter(state__in=Project.LISTED_STATES).values("pk")
    return (
        Participation.objects.filter(person=person, status=Participation.Status.ACTIVE, project__in=visible)
        .select_related("project")
        .order_by("project__title", "pk")
    )


def person_public_updates(person: Any, *, viewer: Any, limit: int = LATEST_UPDATES) -> list[ProjectUpdate]:
    """The person's newest updates on listed projects ``viewer`` may see, for the person's page."""
    visible = projects_visible_to(viewer).filter(state__in=Project.LISTED_STATES).values("pk")
    updates = ProjectUpdate.objects.filter(author=person, project__in=visible).select_related("project")
    return list(updates.order_by("-created_at", "-pk")[:limit])


def person_projects(person: Any) -> QuerySet[Participation]:
    """The projects a person leads, takes part in or asked to join, for their own page."""
    return Participation.objects.filter(person=person).select_related("project").order_by("project__title")


def person_projects_with_latest_update(person: Any) -> QuerySet[Participation]:
    """The person's projects (taking part or asked to join) with each project's newest update as
    ``project.latest_updates`` (a list of at most one), most recently changed first: the home page's part."""
    latest = ProjectUpdate.objects.order_by("-created_at", "-pk")
    newest_at = latest.filter(project_id=OuterRef("project_id")).values("created_at")[:1]
    return (
        Participation.objects.filter(person_id=person.pk)
        .select_related("project")
        .prefetch_related(Prefetch("project__updates", queryset=latest[:1], to_attr="latest_updates"))
        .annotate(last_news=Coalesce(Subquery(newest_at), "project__state_changed_at"))
        .order_by("-last_news", "project__title", "pk")
    )


def project_active_leads(project: Project) -> list[User]:
    """The project's active leads, in a stable order: who is told of requests to join and catalog decisions."""
    return list(
        User.objects.filter(
            participations__project=project,
            participations__role=Participation.Role.LEAD,
            participations__status=Participation.Status.ACTIVE,
        ).order_by("pk")
    )


def project_participants(project: Project, *, exclude: Any = None) -> list[User]:
    """The active participants with an active account (who hear of updates and state changes), but ``exclude``."""
    people = User.objects.filter(
        participations__project=project, participations__status=Participation.Status.ACTIVE, is_active=True
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people.order_by("pk"))


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------
#
# A project read by ``project_detail`` carries its participations; the predicates then answer from them without a
# query, so the project page asks every one of them for free. Services check again under their locks where it
# matters (the lead rows in projects/services/participation.py).


def _prefetched_participations(project: Project) -> list[Participation] | None:
    cache = getattr(project, "_prefetched_objects_cache", {})
    return list(cache["participations"]) if "participations" in cache else None


def project_participation_of(person: Any, project: Project) -> Participation | None:
    """The person's participation in the project (active or asked to join), if any."""
    if not getattr(person, "is_authenticated", False):
        return None
    known = _prefetched_participations(project)
    if known is not None:
        return next((participation for participation in known if participation.person_id == person.pk), None)
    return Participation.objects.filter(project=project, person=person).first()


def is_project_lead(person: Any, project: Project) -> bool:
    """An active lead of the project."""
    if not getattr(person, "is_authenticated", False):
        return False
    known = _prefetched_participations(project)
    if known is not None:
        return any(_is_active_lead(participation) and participation.person_id == person.pk for participation in known)
    return Participation.objects.filter(
        project=project, person=person, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    ).exists()


def is_project_participant(person: Any, project: Project) -> bool:
    """Takes part in the project (in any role, request approved)."""
    participation = project_participation_of(person, project)
    return participation is not None and participation.status == Participation.Status.ACTIVE


def project_lead_count(project: Project) -> int:
    """How many active leads the project has (the services count them again under a lock before acting on it)."""
    known = _prefetched_participations(project)
    if known is not None:
        return sum(_is_active_lead(participation) for participation in known)
    return Participation.objects.filter(
        project=project, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    ).count()


def _is_active_lead(participation: Participation) -> bool:
    return participation.role == Participation.Role.LEAD and participation.status == Participation.Status.ACTIVE


def leaves_project_without_lead(participation: Participation, *, lead_count: int) -> bool:
    """The last-lead rule: a live project keeps at least one lead, so its only lead cannot step down or leave.

    ``lead_count`` is the project's active leads as the caller counted them (the services under a lock).
    """
    return _is_active_lead(participation) and participation.project.state in Project.LIVE_STATES and lead_count <= 1


def may_propose_project(person: Any) -> bool:
    """People of a member organization in good standing whose tier brings proposing start proposals (and submit
    them); a lapsed organization's people cannot until it renews."""
    return is_alliance_member(person, benefit=PROPOSE_PROJECTS)


def may_edit_project(person: Any, project: Project) -> bool:
    """Staff edit any project; the proposer a draft; leads an incubating, active or archived one.

    A proposal under review (or rejected) stays as staff read it.
    """
    if getattr(person, "is_staff", False):
        return True
    if project.state == Project.State.DRAFT:
        return getattr(person, "pk", None) == project.proposer_id
    if project.state in (Project.State.PROPOSED, Project.State.REJECTED):
        return False
    return is_project_lead(person, project)


def may_submit_project(person: Any, project: Project) -> bool:
    """The proposer submits their draft for review, while they belong to an active member organization."""
    return getattr(person, "pk", None) == project.proposer_id and may_propose_project(person)


def has_sponsor_conflict(person: Any, project: Project) -> bool:
    """The person belongs to an organization that sponsors the project."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Affiliation.objects.filter(person=person, organization__in=project.sponsors.all()).exists()


def may_decide_project(person: Any, project: Project) -> bool:
    """Staff accept or reject proposals, except those sponsored by an organization they belong to."""
    return getattr(person, "is_staff", False) and not has_sponsor_conflict(person, project)


def may_join_project(person: Any, project: Project) -> bool:
    """Anyone signed in joins a public project; a members-only one takes people of active member organizations."""
    if not getattr(person, "is_authenticated", False):
        return False
    return project.visibility != Project.Visibility.MEMBERS or is_alliance_member(person)


def may_manage_participants(person: Any, project: Project) -> bool:
    """Leads (and staff) approve and decline requests to join, change roles and remove people."""
    return getattr(person, "is_staff", False) or is_project_lead(person, project)


def may_remove_participant(person: Any, participation: Participation) -> bool:
    """A person may always leave; removing someone else is for the project's leads and staff."""
    return getattr(person, "pk", None) == participation.person_id or may_manage_participants(
        person, participation.project
    )


def may_request_archive(person: Any, project: Project) -> bool:
    """A lead asks staff to archive the project (staff archive it themselves)."""
    return is_project_lead(person, project)


def may_post_project_update(person: Any, project: Project) -> bool:
    """A lead posts the project's news, in their own name (staff are not its authors)."""
    return is_project_lead(person, project)


# --- the personal-data contract (ARCHITECTURE.md) ------------------------------------------------------------


def projects_only_led_by(person: Any) -> QuerySet[Project]:
    """The live projects whose one active lead is this person: they cannot leave (nor erase their account) before
    making someone else a lead."""
    leads = Participation.objects.filter(
        project=OuterRef("pk"), role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    )
    return (
        Project.objects.filter(
            state__in=Project.LIVE_STATES,
            participations__person_id=person.pk,
            participations__role=Participation.Role.LEAD,
            participations__status=Participation.Status.ACTIVE,
        )
        .annotate(
            lead_count=Coalesce(Subquery(leads.order_by().values("project").annotate(n=Count("pk")).values("n")), 0)
        )
        .filter(lead_count=1)
        .order_by("title")
    )


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What the projects app (with its catalog) holds about ``person``: each part a query of the rows."""
    return {
        "focus_areas_chaired": FocusArea.objects.filter(chairs=person),
        "projects_proposed": Project.objects.filter(proposer=person),
        "participations": Participation.objects.filter(person=person),
        "proposal_reviews": ProposalReview.objects.filter(reviewer=person),
        "project_updates": ProjectUpdate.objects.filter(author=person),
        "catalog_entries_submitted": CatalogEntry.objects.filter(submitted_by=person),
        "catalog_entries_validated": CatalogEntry.objects.filter(validated_by=person),
    }


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md); projects they proposed and focus areas they chair are everyone's who
# takes part.
PERSONAL_DATA_OWN_ROWS = ("participations",)

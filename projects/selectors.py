"""Reusable read queries of the projects domain; each costs a fixed number of queries whatever the rows."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from members.models import Organization
from members.selectors import is_member_expression

from .models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate

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
    return (
        projects.annotate(
            participant_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.ACTIVE), distinct=True
            )
        )
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


def person_projects(person: Any) -> QuerySet[Participation]:
    return Participation.objects.filter(person=person).select_related("project").order_by("project__title")


def catalog_list(
    *,
    person: Any,
    search: str = "",
    kind: str = "",
    focus_area: str = "",
    status: str = "",
    license: str = "",
) -> QuerySet[CatalogEntry]:
    """The public catalog: entries of visible listed projects; submitted ones only to staff and the project."""
    visible = projects_visible_to(person).values("pk")
    entries = CatalogEntry.objects.filter(project__in=visible)
    if not getattr(person, "is_staff", False):
        published = ~Q(status=CatalogEntry.Status.SUBMITTED)
        if getattr(person, "is_authenticated", False):
            published |= Q(project__participations__person=person, project__participations__status="active")
        entries = entries.filter(published)
    if search:
        entries = entries.filter(Q(name__icontains=search) | Q(description__icontains=search))
    if kind:
        entries = entries.filter(kind=kind)
    if focus_area:
        entries = entries.filter(project__focus_areas__slug=focus_area)
    if status:
        entries = entries.filter(status=status)
    if license:
        entries = entries.filter(license__iexact=license)
    return (
        CatalogEntry.objects.filter(pk__in=entries.values("pk"))
        .select_related("project", "validated_by")
        .prefetch_related(Prefetch("project__focus_areas", queryset=FocusArea.objects.order_by("name")))
        .order_by("name", "pk")
    )


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------


def is_project_lead(person: Any, project: Project) -> bool:
    """An active lead of the project."""
    if not getattr(person, "is_authenticated", False):
        return False
    return Participation.objects.filter(
        project=project, person=person, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    ).exists()

"""Reading the catalog, and who may do what with its entries (services, views and the API all ask these)."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from projects.models import CatalogEntry, FocusArea, Participation, Project
from projects.selectors import (
    is_project_lead,
    is_project_participant,
    organization_led_projects,
    projects_visible_to,
)


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
            published |= Q(
                project__participations__person=person,
                project__participations__status=Participation.Status.ACTIVE,
            )
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


def catalog_validation_queue() -> QuerySet[CatalogEntry]:
    """Entries waiting for a staff validation, oldest first, with their project."""
    return (
        CatalogEntry.objects.filter(status=CatalogEntry.Status.SUBMITTED)
        .select_related("project")
        .order_by("created_at", "pk")
    )


def organization_catalog_entries(organization: Any, *, person: Any) -> QuerySet[CatalogEntry]:
    """The catalog entries of the projects an organization leads, as ``catalog_list`` shows them to ``person``
    (a submitted entry only to the project's people and staff), for the organization's page."""
    led = organization_led_projects(organization, person=person).values("pk")
    return catalog_list(person=person).filter(project__in=led)


def catalog_entry_visible_to(person: Any, pk: int | str) -> CatalogEntry | None:
    """One entry, if the person may see it (as ``catalog_list`` decides), with its project."""
    return catalog_list(person=person).filter(pk=pk).first()


def catalog_licenses() -> QuerySet[CatalogEntry, str]:
    """The licences entries state, for the catalog's filter."""
    return CatalogEntry.objects.order_by("license").values_list("license", flat=True).distinct()


def project_catalog_entries(person: Any, project: Project) -> list[CatalogEntry]:
    """The project's entries the person may see (its page lists them); reads the prefetched ones when there."""
    return [entry for entry in project.catalog_entries.all() if may_see_catalog_entry(person, entry)]


# --- who is who -----------------------------------------------------------------------------------------------


def may_see_catalog_entry(person: Any, entry: CatalogEntry) -> bool:
    """Published entries are for everyone who sees the project; a submitted one for its people and staff.

    The same rule as ``catalog_list``'s filter, for an entry already read (the project page's).
    """
    if getattr(person, "is_staff", False) or entry.status != CatalogEntry.Status.SUBMITTED:
        return True
    return is_project_participant(person, entry.project)


def may_submit_catalog_entry(person: Any, project: Project) -> bool:
    """A lead submits the project's tools, models, datasets, benchmarks and learning resources (staff do not)."""
    return is_project_lead(person, project)


def may_validate_catalog_entry(person: Any) -> bool:
    """Staff validate entries against the checklist (and renew them)."""
    return bool(getattr(person, "is_staff", False))


def may_deprecate_catalog_entry(person: Any, entry: CatalogEntry) -> bool:
    """Staff, or a lead of the entry's project, retire an entry."""
    return bool(getattr(person, "is_staff", False)) or is_project_lead(person, entry.project)

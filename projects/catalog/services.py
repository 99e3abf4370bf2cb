"""Every write of the catalog: a lead submits an entry, staff validate (and later renew) it against the checklist,
staff or a lead deprecate it, and a beat job expires validations that were not renewed.

Who may act is asked of ``projects.catalog.selectors`` (the pages and the API ask the same predicates before they
read a body, through the ``require_*`` functions below). These services use only the projects selectors, never
``projects.services``, which re-exports them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, validate_model
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients
from alliance.sweeps import claim_each
from members.models import User
from projects.models import CatalogEntry, Project
from projects.selectors import project_active_leads
from projects.validators import normalize_spdx_expression

from .selectors import may_deprecate_catalog_entry, may_submit_catalog_entry, may_validate_catalog_entry

CATALOG_CHECKLIST = {
    "license": "A licence is stated and fits the entry",
    "documentation": "Documentation explains how to use it",
    "evaluation": "The evaluation can be reproduced (or does not apply)",
    "safety_notes": "Safety notes describe known risks and limits",
}


# --- who may act (the pages and the API call these before reading a body) ------------------------------------


def require_may_submit_catalog_entry(actor: Any, project: Project) -> None:
    """Only a lead of the project submits its entries."""
    if not may_submit_catalog_entry(actor, project):
        raise NotPermitted(f"Only a lead of {project} can do this.")


def require_may_validate_catalog_entry(actor: Any) -> None:
    """Only staff validate or renew an entry."""
    if not may_validate_catalog_entry(actor):
        raise NotPermitted("Only alliance staff can do this.")


def require_may_deprecate_catalog_entry(actor: Any, entry: CatalogEntry) -> None:
    """Staff, or a lead of the entry's project, deprecate it."""
    if not may_deprecate_catalog_entry(actor, entry):
        raise NotPermitted(f"Only a lead of {entry.project} can do this.")


def catalog_checklist_check(checklist: dict[str, bool]) -> dict[str, bool]:
    """Every item of the checklist must be ticked: the checklist as it will be stored, or a DomainError naming
    the items that are not."""
    missing = [label for key, label in CATALOG_CHECKLIST.items() if not checklist.get(key)]
    if missing:
        raise DomainError(f"The checklist is not complete: {'; '.join(missing)}.", field="checklist")
    return {key: bool(checklist.get(key)) for key in CATALOG_CHECKLIST}


# --- the services ----------------------------------------------------------------------------------------------


def _notify_entry_people(entry: CatalogEntry, template: str, recipients: Iterable[Any], **context: Any) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.PROJECTS,
        template=template,
        context={"entry": entry, "project": entry.project, **context},
        url=entry.get_absolute_url(),
    )


def _locked_entry(entry: CatalogEntry) -> CatalogEntry:
    """The entry as it is now, locked for the rest of the transaction: status checks never trust a stale copy."""
    locked = lock_row(CatalogEntry.objects.select_related("project").filter(pk=entry.pk))
    if locked is None:
        raise DomainError(f"{entry} is no longer in the catalog.")
    return locked


def catalog_entry_submit(
    *,
    actor: User,
    project: Project,
    kind: str,
    name: str,
    description: str,
    link: str,
    license: str,
    version: str = "",
    documentation_url: str = "",
    safety_notes: str = "",
    evaluation_notes: str = "",
) -> CatalogEntry:
    """A lead submits a tool, model, dataset, benchmark or learning resource; staff are told, and validate it
    before the public sees it."""
    require_may_submit_catalog_entry(actor, project)
    entry = CatalogEntry(
        project=project,
        kind=kind,
        name=(name or "").strip(),
        description=description or "",
        link=link,
        license=normalize_spdx_expression(license) if license else "",
        version=(version or "").strip(),
        documentation_url=documentation_url,
        safety_notes=safety_notes or "",
        evaluation_notes=evaluation_notes or "",
        submitted_by=actor,
    )
    validate_model(entry, exclude=["project", "submitted_by"])
    with transaction.atomic():
        # The project's lock keeps it live until the entry is saved.
        if lock_row(Project.objects.filter(pk=project.pk, state__in=Project.LIVE_STATES)) is None:
            raise DomainError("Only incubating and active projects publish catalog entries.")
        entry.save()
        audit_record(actor=actor, action="catalog.submitted", target=entry)
        _notify_entry_people(entry, "projects/notifications/catalog_submitted_staff", staff_recipients())
    return entry


def catalog_entry_validate(*, actor: User, entry: CatalogEntry, checklist: dict[str, bool]) -> CatalogEntry:
    """Staff validate an entry against the checklist, or renew a validated or expired one: validation lasts
    ``CATALOG_VALIDATION_PERIOD``, so the catalog never vouches for what nobody checked lately."""
    require_may_validate_catalog_entry(actor)
    ticked = catalog_checklist_check(checklist)
    with transaction.atomic():
        entry = _locked_entry(entry)
        if entry.status == CatalogEntry.Status.DEPRECATED:
            raise DomainError("A deprecated entry cannot be validated; submit a new version instead.")
        if not entry.license:
            raise DomainError("The entry states no licence.", field="checklist")
        before = entry.status
        now = timezone.now()
        entry.status = CatalogEntry.Status.VALIDATED
        entry.checklist = ticked
        entry.validated_by = actor
        entry.validated_at = now
        entry.expires_at = now + settings.CATALOG_VALIDATION_PERIOD
        entry.expiry_warning_sent_at = None
        entry.save(update_fields=[
            "status", "checklist", "validated_by", "validated_at", "expires_at", "expiry_warning_sent_at",
            "updated_at",
        ])  # fmt: skip
        renewed = before in (CatalogEntry.Status.VALIDATED, CatalogEntry.Status.EXPIRED)
        audit_record(
            actor=actor,
            action="catalog.renewed" if renewed else "catalog.validated",
            target=entry,
            changes={"status": (before, entry.status)},
        )
        _notify_entry_people(entry, "projects/notifications/catalog_validated", project_active_leads(entry.project))
    return entry


def catalog_entry_deprecate(*, actor: User, entry: CatalogEntry, reason: str = "") -> CatalogEntry:
    """Staff or the project's leads retire an entry: it stays listed, marked deprecated, so links keep working."""
    require_may_deprecate_catalog_entry(actor, entry)
    with transaction.atomic():
        entry = _locked_entry(entry)
        if entry.status == CatalogEntry.Status.DEPRECATED:
            raise DomainError("This entry is already deprecated.")
        before = entry.status
        entry.status = CatalogEntry.Status.DEPRECATED
        entry.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="catalog.deprecated",
            target=entry,
            changes={"status": (before, entry.status)},
            note=reason,
        )
        _notify_entry_people(
            entry, "projects/notifications/catalog_deprecated", project_active_leads(entry.project), reason=reason
        )
    return entry


# --- the expiry beat job ---------------------------------------------------------------------------------------


def catalog_expire_due(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job: warn leads a month before validation lapses, then mark overdue entries expired.

    Each entry is claimed on its own (``claim_each``) and each step is recorded on the row
    (``expiry_warning_sent_at``, ``status``) in the same transaction as its notification, so running the job
    twice, or two workers at once, notifies once.
    """
    now = now or timezone.now()
    validated = CatalogEntry.objects.filter(status=CatalogEntry.Status.VALIDATED).select_related("project")

    def expire(entry: CatalogEntry) -> bool:
        entry.status = CatalogEntry.Status.EXPIRED
        entry.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action="catalog.expired",
            target=entry,
            changes={"status": (CatalogEntry.Status.VALIDATED, CatalogEntry.Status.EXPIRED)},
        )
        _notify_entry_people(entry, "projects/notifications/catalog_expired", project_active_leads(entry.project))
        return True

    def warn(entry: CatalogEntry) -> bool:
        entry.expiry_warning_sent_at = now
        entry.save(update_fields=["expiry_warning_sent_at", "updated_at"])
        _notify_entry_people(entry, "projects/notifications/catalog_expiring", project_active_leads(entry.project))
        return True

    expired = claim_each(validated.filter(expires_at__lte=now), expire)
    warning_until = now + settings.CATALOG_EXPIRY_WARNING
    warned = claim_each(
        validated.filter(expires_at__gt=now, expires_at__lte=warning_until, expiry_warning_sent_at=None), warn
    )
    return {"expired": expired, "warned": warned}

"""Focus areas: the themes of the alliance's work, added and edited by staff."""

from typing import Any

from django.db import transaction

from alliance.audit import audit_record, audited_update
from alliance.errors import DomainError, require_staff, validate_model
from alliance.slugs import unique_slug
from alliance.text import clean_slug
from members.models import User
from projects.models import FocusArea

FOCUS_AREA_EDITABLE_FIELDS = ("name", "description")


def focus_area_create(*, actor: User, name: str, description: str = "", slug: str = "") -> FocusArea:
    """Staff add a theme of the alliance's work; the address (slug) is chosen from the name unless given."""
    require_staff(actor)
    area = FocusArea(
        name=(name or "").strip(),
        slug=clean_slug(slug) if slug else unique_slug(FocusArea, name or "", fallback="focus-area"),
        description=(description or "").strip(),
    )
    validate_model(area)
    with transaction.atomic():
        area.save()
        audit_record(actor=actor, action="focus_area.created", target=area)
    return area


def focus_area_update(*, actor: User, focus_area: FocusArea, **fields: Any) -> FocusArea:
    """Staff rename or describe a focus area; its address stays, so links to it keep working."""
    require_staff(actor)
    unknown = set(fields) - set(FOCUS_AREA_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    cleaned = {field: (value or "").strip() for field, value in fields.items()}
    audited_update(actor=actor, obj=focus_area, fields=cleaned, action="focus_area.updated")
    return focus_area

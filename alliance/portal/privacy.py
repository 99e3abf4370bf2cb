"""A person's data, whole: the export they download, and the erasure of their account (issue 14).

Both read every app, so they live on the top floor; each app says what it holds about a person
(``<app>.selectors.personal_data``) and does its own part of an erasure through its services, so audit entries,
waitlist promotion, notifications and webhooks happen as on any other change.

**Export.** One JSON document: a ``README`` naming each part (what its rows are, how many), then one section per
app with its parts, every row as its own columns. Never a secret (password hash, token keys or their hashes,
webhook secrets, TOTP secrets, calendar-feed addresses), and nothing of another person: a link to someone else
reads "another person", an address that is not the person's own reads "another person's address".

**Erasure.** Refused, with what to do first, while the person is an organization's only admin, a live project's
only lead or an upcoming event's only organizer. Otherwise, in one transaction: webhook endpoints they set up
stop; registrations for events to come are cancelled (the waitlist moves up); they leave projects, focus areas,
committees and organizations; tokens are revoked; the account is emptied (no name, an address of the ``.invalid``
domain, no password, inactive, every session ended); their notifications and preferences go, and the audit trail,
other people's notifications and webhook payloads keep their entries with "Former member" in place of the name and
address. Closed ballots' results, attendance of past events and secret votes are not touched. One last message goes
to the old address; its row forgets the address once it is sent.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from alliance import selectors as ground_floor_selectors
from alliance.audit import audit_record
from alliance.erasure import ground_floor_forget, needles_of, text_without
from alliance.errors import DomainError, require_reason, require_staff
from alliance.governance import services as governance_services
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify
from alliance.webhooks import services as webhook_services
from events import services as event_services
from events.selectors import events_only_organized_by
from members import services as member_services
from members.models import User
from members.selectors import organizations_only_administered_by
from projects import services as project_services
from projects.selectors import projects_only_led_by

OUR_PACKAGES = ("alliance", "members", "projects", "events")
EXPORT_FORMAT = "alliance-portal-personal-data/1"

# Columns an export never holds, whatever part they are in: what would let someone act as the person.
SECRET_COLUMNS = {
    "password",
    "key_hash",
    "prefix",
    "token_hash",
    "token",
    "secret",
    "previous_secret",
    "data",  # allauth's authenticator: the TOTP secret and recovery codes
}
ANOTHER_PERSON = "another person"
ANOTHER_ADDRESS = "another person's address"
ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


# --- export ----------------------------------------------------------------------------------------------------


def personal_data_parts(person: Any) -> dict[str, dict[str, QuerySet]]:
    """Every app's answer to "what do you hold about this person", by app label.

    The ground floor's answer comes with the others' own rows (each app's ``PERSONAL_DATA_OWN_ROWS``), so that its
    audit entries about the person are also those about their registrations, seats, tokens and the like.
    """
    modules = {}
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in OUR_PACKAGES:
            continue
        try:
            selectors = import_module(f"{config.name}.selectors")
        except ModuleNotFoundError:
            continue
        if hasattr(selectors, "personal_data"):
            modules[config.label] = selectors
    parts = {
        label: selectors.personal_data(person)
        for label, selectors in modules.items()
        if selectors is not ground_floor_selectors
    }
    own_rows = [
        parts[label][name]
        for label, selectors in modules.items()
        for name in getattr(selectors, "PERSONAL_DATA_OWN_ROWS", ())
    ]
    return {
        label: ground_floor_selectors.personal_data(person, own_rows=own_rows)
        if selectors is ground_floor_selectors
        else parts[label]
        for label, selectors in modules.items()
    }


def _first_line(model: type[models.Model]) -> str:
    doc = (model.__doc__ or "").strip()
    if not doc or doc.startswith(f"{model.__name__}("):  # Django's generated signature: no docstring of its own
        return str(model._meta.verbose_name_plural).capitalize() + "."
    return " ".join(doc.split("\n\n", 1)[0].split())


def _text(value: str, own_address: str) -> str:
    return ADDRESS.sub(
        lambda match: match.group(0) if match.group(0).lower() == own_address else ANOTHER_ADDRESS, value
    )


def _value(value: Any, own_address: str) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _text(value, own_address)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_value(item, own_address) for item in value]
    if isinstance(value, dict):
        return {str(key): _value(item, own_address) for key, item in value.items()}
    if isinstance(value, bytes | memoryview):
        return None
    return _text(str(value), own_address)


def _row(row: models.Model, person: Any, own_address: str) -> dict[str, Any]:
    """The row's own columns (links as ids), without secrets; a link to someone else says only that it is."""
    data: dict[str, Any] = {}
    for field in row._meta.concrete_fields:
        if field.name in SECRET_COLUMNS:
            continue
        if field.is_relation and field.related_model is User:
            linked = getattr(row, field.attname)
            data[field.name] = None if linked is None else ("you" if linked == person.pk else ANOTHER_PERSON)
        elif field.is_relation:
            data[field.name] = getattr(row, field.attname)
        else:
            data[field.name] = _value(field.value_from_object(row), own_address)
    return data


def personal_data_export(*, person: User) -> dict[str, Any]:
    """The whole export as one JSON-ready document (one query per part, whatever the number of rows)."""
    own_address = person.email.lower()
    document: dict[str, Any] = {}
    readme: dict[str, str] = {}
    for app_label, parts in personal_data_parts(person).items():
        section: dict[str, list[dict[str, Any]]] = {}
        for name, query in parts.items():
            rows = [_row(row, person, own_address) for row in query.order_by("pk")]
            section[name] = rows
            readme[f"{app_label}.{name}"] = (
                f"{len(rows)} × {query.model._meta.verbose_name}: {_first_line(query.model)}"
            )
        document[app_label] = section
    return {
        "README": {
            "format": EXPORT_FORMAT,
            "generated_at": timezone.now().isoformat(),
            "about": (
                "Everything Alliance Portal holds about you, one section per part of the portal. Each part lists "
                'rows as their columns; links to other rows are their ids, a link to you reads "you" and a link to '
                'someone else "another person". Secrets (your password, token keys, webhook secrets, two-factor '
                "secrets, calendar-feed addresses) are never exported."
            ),
            "parts": readme,
        },
        **document,
    }


# --- erasure ---------------------------------------------------------------------------------------------------


class ErasureRefused(DomainError):
    """The account cannot be erased yet; ``refusals`` says what to do first, one sentence each."""

    def __init__(self, refusals: list[str]) -> None:
        super().__init__(" ".join(refusals))
        self.refusals = refusals


def erasure_refusals(person: Any, *, by_staff: bool = False) -> list[str]:
    """What stands in the way of erasing the account, each with what to do first (empty: nothing); told to the person
    themselves, or to the staff who erase it on their request (``by_staff``)."""
    who = "This person is" if by_staff else "You are"
    refusals = [
        f"{who} the only admin of {organization}: make another person an admin of it first."
        for organization in organizations_only_administered_by(person)
    ]
    refusals += [
        f"{who} the only lead of the live project {project}: make another participant a lead first."
        for project in projects_only_led_by(person)
    ]
    refusals += [
        f"{who} the only organizer of the upcoming event {event}: add another organizer or cancel it first."
        for event in events_only_organized_by(person)
    ]
    return refusals


def person_erase(*, actor: User, person: User, reason: str = "") -> User:
    """Erase the account: the person themselves (who proved it with ``account_credentials_check``), or staff on a
    verified request from someone who lost access (``reason`` required, recorded without the person's name)."""
    if actor.pk != person.pk:
        require_staff(actor)
        reason = require_reason(reason, reader="audit trail")
    if person.erased_at is not None:
        raise DomainError("This account is already erased.")
    with transaction.atomic():
        locked = lock_row(User.objects.filter(pk=person.pk))
        if locked is None or locked.erased_at is not None:
            raise DomainError("This account is already erased.")
        person = locked
        refusals = erasure_refusals(person, by_staff=actor.pk != person.pk)
        if refusals:
            raise ErasureRefused(refusals)
        old_address = person.email
        needles = needles_of(
            person=person, addresses=EmailAddress.objects.filter(user=person).values_list("email", flat=True)
        )

        webhook_services.webhook_endpoints_disable_for(person=person)
        event_services.person_events_leave(person=person)
        project_services.person_projects_leave(person=person)
        governance_services.committee_seats_vacate(person=person)
        member_services.person_memberships_end(person=person)
        member_services.person_account_empty(person=person)

        ground_floor_forget(person=person, email=old_address, needles=needles)
        webhook_services.webhook_texts_forget(needles=needles)
        # the staff's reason may name the person: it is recorded without the name and address too
        audit_record(actor=actor, action="person.erased", target=person, note=text_without(reason, needles))
        notify(
            recipients=[old_address],
            kind=Notification.Kind.SECURITY,
            template="portal/notifications/account_erased",
            context={"by_staff": actor.pk != person.pk},
            forget_address_when_sent=True,
        )
    return person

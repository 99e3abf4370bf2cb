"""Writing the rows: each recipient's notification, rendered in their language and time zone, with a subject that
fits.

``notify`` writes its rows here in the request; the delivery job writes a crowd's rows here, a chunk at a time
(``delivery.notification_fan_out_run``). One renderer for both, so a message reads the same whichever way it went.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template import Context, Engine
from django.utils import translation

from ..locale import zone_override
from ..models import ERASED_ADDRESS_DOMAIN, Notification
from .preferences import people_without_email

Recipient = Any  # a person (with .email) or a bare email address

ERASED_SUFFIX = f"@{ERASED_ADDRESS_DOMAIN}"
SUBJECT_MAX_LENGTH = Notification._meta.get_field("subject").max_length or 255
ELLIPSIS = "…"


def recipients_distinct(recipients: Iterable[Recipient]) -> list[tuple[Any, str]]:
    """(person or None, address) once per address, whatever its case; empty addresses left out."""
    distinct: list[tuple[Any, str]] = []
    seen: set[str] = set()
    for recipient in recipients:
        person = None if isinstance(recipient, str) else recipient
        email = recipient if person is None else person.email
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        distinct.append((person, email))
    return distinct


def notifications_write(
    recipients: list[tuple[Any, str]],
    *,
    kind: str,
    template: str,
    context: dict[str, Any],
    url: str,
    transactional: bool,
    forget_address_when_sent: bool = False,
) -> list[Notification]:
    """One row per (person, address), rendered in the person's language and time zone (never the sender's); pending,
    or skipped for a person who does not want email of this kind (the inbox still shows it). Two queries, however
    many recipients (three when people were loaded without their language and zone)."""
    # an erased account's placeholder address reaches nobody: it gets no message (and cannot sign in to an inbox)
    recipients = [(person, email) for person, email in recipients if not email.lower().endswith(ERASED_SUFFIX)]
    person_ids = [person.pk for person, _ in recipients if person is not None]
    locales = _locales(person for person, _ in recipients if person is not None)
    muted = set() if transactional else people_without_email(person_ids, kind)
    compiled = Engine.get_default().get_template(f"{template}.txt")
    rows = []
    for person, email in recipients:
        language, zone_name = locales.get(person.pk, ("", "")) if person is not None else ("", "")
        with translation.override(language or settings.LANGUAGE_CODE), zone_override(zone_name):
            subject, body = _render(compiled, {**context, "recipient": person, "site_url": settings.SITE_URL})
        muted_person = person is not None and person.pk in muted
        rows.append(
            Notification(
                recipient=person,
                email=email,
                kind=kind,
                transactional=transactional,
                language=language,
                subject=subject,
                body=body,
                url=url,
                status=Notification.Status.SKIPPED if muted_person else Notification.Status.PENDING,
                forget_address_when_sent=forget_address_when_sent,
            )
        )
    return Notification.objects.bulk_create(rows)


def _locales(people: Iterable[Any]) -> dict[int, tuple[str, str]]:
    """Each person's language and time zone (``User.language``, ``User.time_zone``), from the rows at hand; read
    in one query for those loaded without them."""
    locales, unread = {}, []
    for person in people:
        if person.get_deferred_fields() & {"language", "time_zone"}:
            unread.append(person.pk)
        else:
            locales[person.pk] = (person.language, person.time_zone)
    if unread:
        rows = get_user_model()._default_manager.filter(pk__in=unread).values_list("pk", "language", "time_zone")
        locales.update({pk: (language, zone) for pk, language, zone in rows})
    return locales


def subject_fit(subject: str) -> str:
    """The subject, shortened with an ellipsis when it is longer than a subject may be (a long project title and a
    long update title together, say): a long name never makes the change it reports fail."""
    if len(subject) <= SUBJECT_MAX_LENGTH:
        return subject
    return subject[: SUBJECT_MAX_LENGTH - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _render(compiled: Any, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body; plain text is not HTML, so nothing is escaped (the HTML part escapes it)."""
    text = compiled.render(Context(context, autoescape=False)).strip()
    subject, _, body = text.partition("\n")
    return subject_fit(subject.strip()), body.strip() + "\n"

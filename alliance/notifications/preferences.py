"""Preferences: which kinds of email a person gets, and the one-click unsubscribe tokens (their language is the
person's own, ``alliance.locale``).

A person may turn email of a kind (membership, projects, events, digests) off; the defaults are the model's
(``NotificationPreference.DEFAULT_EMAIL``). Digests (``CONSENT_KINDS``) need a yes, recorded with its time.
The person here is always the one whose preference it is (the subject), who is not necessarily signed in: an
unsubscribe link works without a sign-in.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

from ..errors import DomainError
from ..models import NotificationPreference

UNSUBSCRIBE_SALT = "alliance.notifications.unsubscribe"
PREFERENCE_KINDS = frozenset(NotificationPreference.Kind.values)
# Mail that is news rather than an answer or a change in what the person takes part in: off until the person says
# yes, and that yes is recorded with its time (``consented_at``); the digest goes only with it.
CONSENT_KINDS = frozenset({NotificationPreference.Kind.DIGESTS})


def languages_of(person_ids: list[int]) -> dict[int, str]:
    """The language each of these people chose (only those who chose one): ``User.language``."""
    if not person_ids:
        return {}
    people = get_user_model()._default_manager.filter(pk__in=person_ids).exclude(language="")
    return dict(people.values_list("pk", "language"))


def people_without_email(person_ids: list[int], kind: str) -> set[int]:
    """Of these people, those who do not want email of this kind (explicitly, or by the default)."""
    if not person_ids or kind not in PREFERENCE_KINDS:
        return set()
    chosen = dict(
        NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind).values_list(
            "person_id", "email_enabled"
        )
    )
    default = NotificationPreference.DEFAULT_EMAIL[NotificationPreference.Kind(kind)]
    return {pk for pk in person_ids if not chosen.get(pk, default)}


def email_preferences(*, person: Any) -> dict[str, bool]:
    """Every kind a person can turn off, with whether they get its email (the default where they never chose)."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "email_enabled"))
    return {
        kind: chosen.get(kind, NotificationPreference.DEFAULT_EMAIL[NotificationPreference.Kind(kind)])
        for kind in NotificationPreference.Kind.values
    }


def email_wanted(*, person: Any, kind: str) -> bool:
    """Whether the person wants the email of this kind now (asked again at delivery: they may have changed it)."""
    if kind not in PREFERENCE_KINDS:
        return True
    return person.pk not in people_without_email([person.pk], kind)


def notification_preference_set(*, person: Any, kind: str, email_enabled: bool) -> NotificationPreference:
    """A person turns the email of one kind on or off (from the preferences page, the API or an unsubscribe)."""
    if kind not in PREFERENCE_KINDS:
        raise DomainError("Choose membership, projects, events or digests.", field="kind")
    current = NotificationPreference.objects.filter(person=person, kind=kind).first()
    consented_at = None
    if email_enabled and kind in CONSENT_KINDS:  # a yes to news is recorded with its time (kept while it stands)
        consented_at = current.consented_at if current and current.email_enabled and current.consented_at else None
        consented_at = consented_at or timezone.now()
    preference, _ = NotificationPreference.objects.update_or_create(
        person=person, kind=kind, defaults={"email_enabled": bool(email_enabled), "consented_at": consented_at}
    )
    return preference


def unsubscribe_token(*, person: Any, kind: str) -> str:
    """A signed token naming one person and one kind: it turns off that kind for that person, nothing else."""
    return signing.dumps({"person": person.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """The person id and kind a token names; ``signing.BadSignature`` when it was not made by us."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or data.get("kind") not in PREFERENCE_KINDS
        or not isinstance(data.get("person"), int)
    ):
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["person"], data["kind"]

"""Retention of accounts: one whose address was never confirmed is deleted ``RETENTION_UNVERIFIED_ACCOUNT_DAYS``
after it was made (sign-up asks for confirmation; nobody can sign in to such an account, so it holds nothing else).

Only accounts made through sign-up (an address row, none of them verified) that never signed in, and never staff:
an account made by hand (the admin, ``createsuperuser``) has no address row and is left alone. Each is deleted on
its own row lock (``claim_each``), so a second run, or two at once, deletes nobody twice. Audited as one summary.
"""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from alliance.audit import audit_record
from alliance.sweeps import claim_each

from ..models import User


def accounts_unverified_due(*, now: datetime) -> QuerySet[User]:
    """The accounts made through sign-up, past the retention period, whose address nobody confirmed."""
    cutoff = now - timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
    addresses = EmailAddress.objects.filter(user=OuterRef("pk"))
    return User.objects.filter(
        Exists(addresses),
        ~Exists(addresses.filter(verified=True)),
        date_joined__lt=cutoff,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        erased_at__isnull=True,
    )


def accounts_unverified_delete(*, now: datetime | None = None) -> int:
    """Delete the accounts never confirmed within ``RETENTION_UNVERIFIED_ACCOUNT_DAYS``; returns how many."""
    now = now or timezone.now()

    def delete(person: User) -> bool:
        try:
            with transaction.atomic():
                person.delete()
        except ProtectedError:  # something others rely on points at it: it stays
            return False
        return True

    deleted = claim_each(accounts_unverified_due(now=now), delete)
    if deleted:
        cutoff = now - timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
        with transaction.atomic():
            audit_record(
                actor=None,
                action="retention.unverified_accounts_deleted",
                target=ContentType.objects.get_for_model(User),
                changes={"accounts": (None, deleted)},
                note=(
                    f"Accounts made before {cutoff:%Y-%m-%d %H:%M} UTC whose address was never confirmed "
                    "(RETENTION_UNVERIFIED_ACCOUNT_DAYS)."
                ),
            )
    return deleted

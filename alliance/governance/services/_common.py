"""What the governance services share: the row locks and the one way they notify (private to this package)."""

from typing import Any

from alliance.errors import DomainError
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify

from ..models import Ballot, Committee

# The notification kind of governance messages: the closest of the kinds a person can turn email of on or off
# (committees and ballots are how the member organizations govern the alliance).
NOTIFICATION_KIND = Notification.Kind.MEMBERSHIP

BALLOT_BUSY = "Many people are voting in this ballot right now; please try again in a moment."
COMMITTEE_BUSY = "Someone else is changing this committee right now; please try again in a moment."


def ballot_locked(ballot: Ballot) -> Ballot:
    """The ballot row, locked until the transaction ends: votes, the close and the schedule take turns on it."""
    locked = lock_row(Ballot.objects.select_related("committee").filter(pk=ballot.pk), busy=BALLOT_BUSY)
    if locked is None:
        raise DomainError("This ballot no longer exists.")
    return locked


def committee_locked(committee: Committee) -> Committee:
    """The committee row, locked: seats are added and removed one at a time, checked under the lock."""
    locked = lock_row(Committee.objects.filter(pk=committee.pk), busy=COMMITTEE_BUSY)
    if locked is None:
        raise DomainError("This committee no longer exists.")
    return locked


def notify_governance(recipients: list[Any], name: str, *, about: Ballot | Committee, **context: Any) -> None:
    """Tell people about a committee or a ballot, with ``governance/notifications/<name>.txt``."""
    if not recipients:
        return
    key = "ballot" if isinstance(about, Ballot) else "committee"
    notify(
        recipients=recipients,
        kind=NOTIFICATION_KIND,
        template=f"governance/notifications/{name}",
        context={key: about, **context},
        url=about.get_absolute_url(),
    )

"""Every write of governance: committees, seats, ballots, votes and their count.

Each service checks permission (the predicates of ``alliance.governance.selectors``), then state, writes in one
transaction, records the audit entry and notifies. Import them from here: ``from alliance.governance import
services; services.ballot_vote(...)``.
"""

from .ballots import (
    BALLOT_EDITABLE_FIELDS,
    REMINDER_BEFORE,
    ballot_cancel,
    ballot_close,
    ballot_create,
    ballot_open,
    ballot_options_clean,
    ballot_schedule_advance,
    ballot_update,
    require_ballot_manager,
)
from .committees import (
    COMMITTEE_EDITABLE_FIELDS,
    NOT_A_MANAGER,
    committee_create,
    committee_update,
    require_committee_manager,
)
from .counting import ballot_result_store
from .seats import committee_member_add, committee_member_remove, committee_seats_vacate
from .votes import NO_VOTE, ballot_vote, require_voter, vote_content_clean

__all__ = [
    "BALLOT_EDITABLE_FIELDS",
    "COMMITTEE_EDITABLE_FIELDS",
    "NOT_A_MANAGER",
    "NO_VOTE",
    "REMINDER_BEFORE",
    "ballot_cancel",
    "ballot_close",
    "ballot_create",
    "ballot_open",
    "ballot_options_clean",
    "ballot_result_store",
    "ballot_schedule_advance",
    "ballot_update",
    "ballot_vote",
    "committee_create",
    "committee_member_add",
    "committee_member_remove",
    "committee_seats_vacate",
    "committee_update",
    "require_ballot_manager",
    "require_committee_manager",
    "require_voter",
    "vote_content_clean",
]

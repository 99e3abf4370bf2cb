"""Every write of the events domain, by sub-domain; import them from here (``from events import services``).

- ``events``: create, edit, publish, cancel, capacity, and who organizes an event;
- ``registrations``: register, cancel (the waitlist moves up), check-in, a waiting person's place;
- ``reminders``: the reminder beat job;
- ``calendars``: each person's private calendar-feed address.

``_common`` holds what they share (the event lock, the organizer check, the rules on times and seats); it is
private to this package.
"""

from .calendars import calendar_feed_for, calendar_feed_reset
from .erasure import person_events_leave
from .events import (
    CREATE_REFUSAL,
    EVENT_EDITABLE_FIELDS,
    RESERVED_EVENT_SLUGS,
    event_cancel,
    event_change_capacity,
    event_create,
    event_create_check,
    event_organizer_add,
    event_organizer_remove,
    event_publish,
    event_update,
    organizer_by_address,
)
from .registrations import (
    event_register,
    event_registration_cancel,
    registration_cancel,
    registration_check_in,
    registration_is_open,
    waitlist_position,
)
from .reminders import event_reminders_send
from .retention import registrations_anonymize_ended

__all__ = [
    "CREATE_REFUSAL",
    "EVENT_EDITABLE_FIELDS",
    "RESERVED_EVENT_SLUGS",
    "calendar_feed_for",
    "calendar_feed_reset",
    "event_cancel",
    "event_change_capacity",
    "event_create",
    "event_create_check",
    "event_organizer_add",
    "event_organizer_remove",
    "event_publish",
    "event_register",
    "event_registration_cancel",
    "event_reminders_send",
    "event_update",
    "organizer_by_address",
    "person_events_leave",
    "registration_cancel",
    "registration_check_in",
    "registration_is_open",
    "registrations_anonymize_ended",
    "waitlist_position",
]

"""The viewer's language and time zone: which ones a request is answered in, and the person's own choice of both.

A person's saved language (``User.language``) wins over the language switcher (its cookie) and the browser's
``Accept-Language`` (which Django's ``LocaleMiddleware`` weighs, in that order); the zone times are shown in is the
person's (``User.time_zone``) when they chose one on their profile, else the browser's (told by ``js/zone.js`` in
the ``ZONE_COOKIE``; kept on the person as it changes, for their emails), else ``TIME_ZONE``. The ground floor knows
no domain app: the person is whatever ``AUTH_USER_MODEL`` is, read and written by its ``language``, ``time_zone``
and ``time_zone_follows_browser`` fields.
"""

import importlib.resources
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any
from urllib.parse import unquote

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .errors import DomainError

_VIEWER_ZONE: ContextVar[str] = ContextVar("viewer_zone", default="")  # the zone name the viewer is known to be in
ZONE_COOKIE = "alliance_tz"  # the browser's zone, set by js/local-time.js (not a secret, not personal: a zone name)

# Offered first: where the alliance's people and events most often are.
COMMON_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Brussels",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@cache
def zone_names() -> frozenset[str]:
    """Every name the time-zone database knows, aliases included (``US/Eastern`` is valid, if not offered)."""
    return frozenset(zoneinfo.available_timezones())


def zone_info(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone of that name (``Europe%2FBerlin``, as a cookie may carry it, too), or None for an empty or unknown
    one (a cookie may say anything). Its ``key`` is the name as the time-zone database spells it."""
    name = unquote(name or "")
    if not name or name not in zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


def validate_time_zone(value: str) -> None:
    """The validator of every field holding a zone name."""
    if value not in zone_names():
        raise ValidationError(f"“{value}” is not a time zone name (for example Europe/Berlin or America/New_York).")


@cache
def _canonical_zone_names() -> list[str]:
    """Each time zone once: the names of the time-zone database's ``zone.tab`` (no aliases such as
    ``Asia/Calcutta`` beside ``Asia/Kolkata``, nor ``US/Eastern``), from the ``tzdata`` package."""
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line and not line.startswith("#")}
    return sorted(name for name in names if name in zone_names())


@cache
def _zone_links() -> dict[str, str]:
    """Each alias of the time-zone database (``US/Eastern``, ``Asia/Calcutta``) and the zone it names, read from
    the link lines (``L <zone> <alias>``) of the ``tzdata`` package's compiled source."""
    source = importlib.resources.files("tzdata.zoneinfo").joinpath("tzdata.zi").read_text(encoding="utf-8")
    return {parts[2]: parts[1] for parts in (line.split() for line in source.splitlines()) if parts[:1] == ["L"]}


@cache
def offered_zones() -> frozenset[str]:
    """The zones the forms offer (``time_zone_choices``), as a set."""
    return frozenset(COMMON_TIMEZONES) | frozenset(_canonical_zone_names())


def offered_zone(name: str) -> str:
    """The zone the forms offer for a stored name: the name itself, or the zone an alias names (``US/Eastern`` is
    ``America/New_York``); a name the forms do not offer otherwise stays as it is."""
    seen = name
    for _ in range(5):  # links may chain; the database keeps them short
        if seen in offered_zones():
            return seen
        if seen not in _zone_links():
            break
        seen = _zone_links()[seen]
    return name


@cache
def time_zone_choices() -> list[tuple[str, Any]]:
    """The time zones a form offers, each once: the common ones first, then every other by name."""
    label = lambda name: name.replace("_", " ")  # noqa: E731
    others = [(name, label(name)) for name in _canonical_zone_names() if name not in COMMON_TIMEZONES]
    return [
        ("Common", [(name, label(name)) for name in COMMON_TIMEZONES]),
        ("All time zones", others),
    ]


class TimeZoneField(forms.ChoiceField):
    """A zone from ``time_zone_choices``, or an alias of one (a zone stored as ``US/Eastern`` is saved again as it
    is): the events' form and the person's profile."""

    def valid_value(self, value: Any) -> bool:
        return super().valid_value(offered_zone(str(value)))


# --- the person's choices ----------------------------------------------------------------------------------------


def person_language_set(*, person: Any, language: str) -> Any:
    """The person chooses the language of their pages and messages; empty means the browser's, else the portal's."""
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError("Choose one of the languages offered.", field="language")
    return _person_update(person, language=language)


def person_time_zone_set(*, person: Any, time_zone: str) -> Any:
    """The person chooses the zone their times are shown in; empty means their browser's (whichever they use: the
    zone kept for their emails follows it)."""
    if not time_zone:
        return _person_update(person, time_zone_follows_browser=True)
    if time_zone not in zone_names():
        raise DomainError("Choose a time zone from the list (for example Europe/Berlin).", field="time_zone")
    return _person_update(person, time_zone=time_zone, time_zone_follows_browser=False)


def person_language(*, person: Any) -> str:
    """The language the person chose; '' when they did not (the browser's, else the portal's, then)."""
    return getattr(person, "language", "") or ""


def _person_update(person: Any, **fields: Any) -> Any:
    get_user_model()._default_manager.filter(pk=person.pk).update(**fields)
    for name, value in fields.items():
        setattr(person, name, value)
    return person


# --- each request ------------------------------------------------------------------------------------------------


def person_locale_activate(person: Any, *, browser_zone: str = "") -> None:
    """Answer in the person's language (when they chose one) and show times in their zone for the rest of this
    request or task: the one they chose, else their browser's (kept on the person, for their emails, when it
    changes), else the one last kept, else the portal's. ``person`` may be anonymous."""
    signed_in = bool(person is not None and person.is_authenticated)
    language = person_language(person=person) if signed_in else ""
    if language and language in dict(settings.LANGUAGES) and language != translation.get_language():
        translation.activate(language)
    browser = zone_info(browser_zone)
    if not signed_in:
        zone = browser
    elif not person.time_zone_follows_browser:
        zone = zone_info(person.time_zone)
    else:
        zone = browser or zone_info(person.time_zone)
        if browser is not None and browser.key != person.time_zone:
            _person_update(person, time_zone=browser.key)  # their emails follow the browser they last used
    if zone is not None:
        timezone.activate(zone)
    else:
        timezone.deactivate()
    _VIEWER_ZONE.set(zone.key if zone is not None else "")


def viewer_zone() -> str:
    """The zone the viewer is known to be in (their own, or their browser's), '' when unknown: times are then
    shown in the portal's zone, and a page does not say "for you" of it."""
    return _VIEWER_ZONE.get()


@contextmanager
def zone_override(zone_name: str) -> Iterator[None]:
    """Times in this zone (a person's, for their message; '' for the portal's) inside the block, and "for you"
    said of it: what the middleware does for a request, for one recipient."""
    zone = zone_info(zone_name)
    token = _VIEWER_ZONE.set(zone_name if zone is not None else "")
    try:
        with timezone.override(zone):
            yield
    finally:
        _VIEWER_ZONE.reset(token)


class PersonLocaleMiddleware:
    """After authentication: the signed-in person's language over what ``LocaleMiddleware`` found, and the zone
    times are shown in, for the rest of the request (the API's token authentication does the same for its person:
    ``members.authentication``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person_locale_activate(getattr(request, "user", None), browser_zone=request.COOKIES.get(ZONE_COOKIE, ""))
        request.LANGUAGE_CODE = translation.get_language()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _VIEWER_ZONE.set("")

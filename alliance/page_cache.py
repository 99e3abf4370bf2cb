"""Whole pages for anonymous visitors, kept in the cache and served without rendering them again.

A list page (``/events/``, ``/projects/``, ``/members/``) looks the same to every visitor who is not signed in, and
rendering it is most of its cost. ``cached_for_visitors("events")`` keeps each such answer (per address, query,
language, and whether htmx asked for the results only) under its areas' current versions. Any audited change
(``alliance.audit``: every service records one in its transaction) moves the versions of the areas it touches on,
at once and again after commit (``page_cache_areas_register`` says which app touches which areas), so the next
visitor gets a fresh page. ``PAGE_CACHE_SECONDS`` (a setting; 0 turns the cache off, as in the test settings) bounds
how old a page can be whatever happens, a change made without a service included.

What differs per request is put back when a page is served: the Content-Security-Policy nonce and the CSRF token
(a fresh one for this visitor, as a rendered page would carry). Signed-in people, anyone with a session or pending
messages, and any answer that is not a plain 200 go around the cache. The cache is ``alliance.cache``'s: with Redis
down every page is rendered, as without this module.

The API's list endpoints keep their data the same way for anonymous callers (``visitor_data_cached``, used through
``alliance.api.cached.ListCachedForVisitors``).
"""

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from .locale import viewer_zone
from .models import AuditEntry

_NONCE = "\x00csp-nonce\x00"
_TOKEN = "\x00csrf-token\x00"
_TOKEN_IN_PAGE = re.compile(rb'"x-csrftoken": "([A-Za-z0-9]{32,64})"')

# app label of an audited object → the page areas that show it (registered by the top floor, which knows the apps)
_areas_by_app: dict[str, frozenset[str]] = {}


def page_cache_areas_register(app_label: str, areas: Iterable[str]) -> None:
    """Changes to the objects of ``app_label`` make the cached pages of ``areas`` stale."""
    _areas_by_app[app_label] = frozenset(areas) | _areas_by_app.get(app_label, frozenset())


def page_cache_bump(*areas: str) -> None:
    """Every cached page of these areas is stale: now, and again when the transaction commits (a page rendered in
    between still showed what was there before). Nothing to do while the page cache is off."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return
    _bump(areas)
    transaction.on_commit(partial(_bump, areas))


def page_cache_audit_listener(entry: AuditEntry, target: models.Model) -> None:
    """The audit listener: a change to an object shown on cached pages makes them stale after commit."""
    areas = _areas_by_app.get(target._meta.app_label)
    if areas:
        page_cache_bump(*sorted(areas))


def _bump(areas: tuple[str, ...]) -> None:
    cache.set_many({_version_key(area): secrets.token_hex(8) for area in areas}, timeout=None)


def _version_key(area: str) -> str:
    return f"page-version:{area}"


def _versions(areas: tuple[str, ...]) -> str:
    """The areas' current versions; one a cache lost (evicted, or Redis restarted) starts again as a new one."""
    keys = [_version_key(area) for area in areas]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            fresh = secrets.token_hex(8)
            found[key] = fresh if cache.add(key, fresh, timeout=None) else (cache.get(key) or fresh)
    return ".".join(str(found[key]) for key in keys)


def _cacheable(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and "HTTP_AUTHORIZATION" not in request.META  # an API token (or a wrong one) is never a visitor
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request: HttpRequest, areas: tuple[str, ...]) -> str:
    htmx = getattr(request, "htmx", None)
    part = "results" if htmx and not htmx.history_restore_request else "page"
    address = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
    zone = viewer_zone() or "-"  # times are shown in the visitor's zone when it is known (alliance.locale)
    return f"page:{'.'.join(areas)}:{_versions(areas)}:{translation.get_language()}:{zone}:{part}:{address}"


def cached_for_visitors(*areas: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view's answers to anonymous visitors are kept until a change in ``areas`` (at most PAGE_CACHE_SECONDS)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key(request, areas)
            kept = cache.get(key)
            if kept is not None:
                return _served(request, kept)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming and not response.cookies:
                cache.set(key, _kept(request, response), settings.PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorator


def visitor_data_cached(areas: tuple[str, ...], request: Any, build: Callable[[], Any]) -> Any:
    """For the API's lists: the data ``build()`` returns for an anonymous caller, kept like a page (per address and
    language, until a change in ``areas``); anyone signed in or sending a token gets ``build()`` of their own.

    ``request`` is the API's (its ``user`` is who the token says). What is kept is the data, not the rendered
    answer, so content negotiation and the answer's headers work as without the cache. ``build()`` returning None
    (an answer that is not a plain list) is never kept.
    """
    if not _cacheable(request):
        return build()
    key = "api:" + _key(request, areas)
    kept = cache.get(key)
    if kept is not None:
        return kept
    data = build()
    if data is not None:
        cache.set(key, data, settings.PAGE_CACHE_SECONDS)
    return data


def _kept(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The page with this request's nonce and token replaced by markers."""
    body = response.content
    nonce = getattr(request, "_csp_nonce", None)  # django-csp's, set only if the page used it
    if nonce:
        body = body.replace(str(nonce).encode(), _NONCE.encode())
    token = _TOKEN_IN_PAGE.search(body)
    if token:
        body = body.replace(token.group(1), _TOKEN.encode())
    return {"body": body, "content_type": response["Content-Type"]}


def _served(request: HttpRequest, kept: dict[str, Any]) -> HttpResponse:
    body: bytes = kept["body"]
    if _NONCE.encode() in body:
        body = body.replace(_NONCE.encode(), str(request.csp_nonce).encode())  # type: ignore[attr-defined]
    if _TOKEN.encode() in body:
        body = body.replace(_TOKEN.encode(), get_token(request).encode())
    return HttpResponse(body, content_type=kept["content_type"])

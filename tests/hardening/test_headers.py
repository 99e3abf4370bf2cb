"""Security headers on the main pages, for a visitor, an organization admin and staff (on the demo data): a
Content-Security-Policy whose script-src names the request's nonce, no 'unsafe-inline' (or 'unsafe-eval') for
scripts or styles, and nothing in the page the policy would block (an inline script or style without that nonce,
an inline event handler, a style attribute, a javascript: link); a Permissions-Policy; no Server header naming a
version, from the portal or from gunicorn, which serves it in production."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from alliance.governance.models import Ballot, Committee
from alliance.webhooks.models import WebhookEndpoint
from events.models import Event
from members.demo import ADMIN_EMAIL, STAFF_EMAIL
from members.models import Organization, User
from projects.models import CatalogEntry, Project

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = ["/", "/members/", "/projects/", "/catalog/", "/events/", "/committees/", "/api/docs/", "/privacy/"]
ACCOUNT_PAGES = [
    "/account/profile/",
    "/account/tokens/",
    "/account/events/",
    "/account/notifications/",
    "/account/privacy/",
    "/accounts/2fa/",
    "/accounts/email/",
    "/inbox/",
    "/my-projects/",
    "/my-ballots/",
    "/organizations/",
    "/webhooks/",
    "/organizations/aurora-labs/membership/",
    "/organizations/aurora-labs/dashboard/",
]
STAFF_PAGES = ["/staff/applications/", "/staff/proposals/", "/staff/audit/", "/staff/dashboard/"]
# The types of <script> a browser runs (and the policy governs); allauth's email page holds an application/json block.
SCRIPT_TYPES = {"text/javascript", "application/javascript", "module"}


class _Markup(HTMLParser):
    """What in a page the policy governs: inline scripts and styles (with their nonce), and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[tuple[str, str | None]] = []  # (tag, nonce) of <script> without src, and <style>
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        executed = (values.get("type") or "text/javascript").lower() in SCRIPT_TYPES  # a JSON data block is not
        if tag == "style" or (tag == "script" and "src" not in values and executed):
            self.inline.append((tag, values.get("nonce")))
        self.attributes += [(tag, name, value or "") for name, value in attrs]


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def problems_of(url: str, response) -> list[str]:
    """Everything wrong with one answer's headers and markup, each named with the page."""
    if response.status_code != 200:
        return [f"{url}: answered {response.status_code}"]
    problems = []
    if not response.get("Permissions-Policy") or "camera=()" not in response["Permissions-Policy"]:
        problems.append(f"{url}: no Permissions-Policy (or camera not denied)")
    if re.search(r"\d", response.get("Server", "")):
        problems.append(f"{url}: Server header names a version: {response['Server']}")
    policy = response.get("Content-Security-Policy")
    if not policy:
        return [*problems, f"{url}: no Content-Security-Policy"]
    directives = _directives(policy)
    for directive in ("script-src", "style-src"):
        unsafe = {"'unsafe-inline'", "'unsafe-eval'"} & set(directives.get(directive, []))
        if unsafe:
            problems.append(f"{url}: {directive} allows {', '.join(sorted(unsafe))}")
    if directives.get("object-src") != ["'none'"] or "default-src" not in directives:
        problems.append(f"{url}: default-src missing or object-src not 'none'")
    nonces = [value[len("'nonce-") : -1] for value in directives.get("script-src", []) if value.startswith("'nonce-")]
    if len(nonces) != 1:
        return [*problems, f"{url}: script-src names no nonce: {directives.get('script-src')}"]
    if not response["Content-Type"].startswith("text/html"):
        return problems
    markup = _Markup()
    markup.feed(response.content.decode())
    problems += [f"{url}: inline <{tag}> without the nonce" for tag, nonce in markup.inline if nonce != nonces[0]]
    for tag, name, value in markup.attributes:
        if name.startswith("on"):
            problems.append(f"{url}: <{tag} {name}=...> (an inline event handler)")
        elif name == "style":
            problems.append(f'{url}: <{tag} style="{value}"> (an inline style)')
        elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
            problems.append(f"{url}: <{tag} {name}={value}> (a javascript: URL)")
    return problems


@pytest.fixture
def demo():
    call_command("load_demo_data", stdout=StringIO())


def _detail_pages() -> list[str]:
    """A page of each kind of thing the demo shows everyone: organization, project, event, catalog entry, committee."""
    return [
        Organization.objects.filter(status=Organization.Status.ACTIVE).first().get_absolute_url(),
        Project.objects.filter(state=Project.State.ACTIVE, visibility=Project.Visibility.PUBLIC)
        .first()
        .get_absolute_url(),
        Event.objects.filter(status=Event.Status.PUBLISHED, visibility=Event.Visibility.PUBLIC)
        .first()
        .get_absolute_url(),
        f"/catalog/{CatalogEntry.objects.filter(status=CatalogEntry.Status.VALIDATED).first().pk}/",
        f"/committees/{Committee.objects.first().slug}/",
    ]


def test_every_main_page_carries_the_security_headers_and_nothing_the_csp_blocks(demo):
    # given the demo, a visitor, the demo's organization admin and staff
    visitor, admin, staff = Client(), Client(), Client()
    admin.force_login(User.objects.get(email=ADMIN_EMAIL))
    staff.force_login(User.objects.get(email=STAFF_EMAIL))
    pages = [*PUBLIC_PAGES, *_detail_pages()]

    # when each opens the pages they may see, and the two pages that show a secret once
    answers = [(f"visitor {url}", visitor.get(url)) for url in [*pages, "/accounts/login/", "/accounts/signup/"]]
    answers += [(f"admin {url}", admin.get(url)) for url in [*pages, *ACCOUNT_PAGES]]
    ballot = f"/ballots/{Ballot.objects.exclude(state=Ballot.State.DRAFT).first().pk}/"  # for committee members
    answers += [(f"staff {url}", staff.get(url)) for url in [*pages, *ACCOUNT_PAGES, *STAFF_PAGES, ballot]]
    answers.append(("admin: new API key", admin.post("/account/tokens/", {"name": "Laptop"})))
    endpoint = WebhookEndpoint.objects.first() or _endpoint(staff)
    answers.append(("staff: webhook secret", staff.post(f"/webhooks/{endpoint.pk}/rotate/")))

    # then none has a problem
    assert len(answers) > 60
    assert [problem for url, response in answers for problem in problems_of(url, response)] == []


def _endpoint(staff: Client) -> WebhookEndpoint:
    from alliance.webhooks import services

    actor = User.objects.get(email=STAFF_EMAIL)
    endpoint, _ = services.webhook_endpoint_create(
        actor=actor, url="https://127.0.0.1/hook", event_types=["project.submitted"]
    )
    return endpoint


def test_the_checks_catch_what_they_look_for():
    """The crawl's own checks, on answers that break each rule once."""

    class Answer(dict):
        status_code = 200

        def __init__(self, body: str, **headers: str) -> None:
            super().__init__({"Content-Type": "text/html", "Permissions-Policy": "camera=()", **headers})
            self.content = body.encode()

    policy = "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self' 'nonce-abc'; object-src 'none'"
    good = Answer(
        '<script nonce="abc">1</script><script src="/s.js"></script><script type="application/json">{}</script>',
        **{"Content-Security-Policy": policy},
    )
    assert problems_of("good", good) == []
    loose = policy.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    bad = Answer(
        '<script>1</script><style nonce="xyz"></style><input onfocus="x()"><p style="color:red">'
        '<a href="javascript:alert(1)">',
        **{"Content-Security-Policy": loose, "Server": "WSGIServer/0.2 CPython/3.11"},
    )
    found = " | ".join(problems_of("bad", bad))
    for expected in (
        "version",
        "allows 'unsafe-inline'",
        "<script> without",
        "<style> without",
        "onfocus",
        "style=",
        "javascript:",
    ):
        assert expected in found, found
    assert "names no nonce" in " ".join(
        problems_of("none", Answer("", **{"Content-Security-Policy": "script-src 'self'"}))
    )
    assert "no Content-Security-Policy" in " ".join(problems_of("missing", Answer("")))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_names_no_version_and_keeps_the_portals_headers():
    # given the portal served by gunicorn, as in production, on this run's test database
    database = settings.DATABASES["default"]
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alliance.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{database['NAME']}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "alliance.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        response = None
        deadline = time.monotonic() + 60
        while response is None and time.monotonic() < deadline:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else "gunicorn stopped"
                time.sleep(0.3)
        assert response is not None, "gunicorn did not answer within a minute"

        # then its Server header names no version, and the portal's headers are there
        assert response.status == 200
        assert not re.search(r"\d", response.headers["Server"]), response.headers["Server"]
        assert "'nonce-" in response.headers["Content-Security-Policy"]
        assert "camera=()" in response.headers["Permissions-Policy"]
    finally:
        server.terminate()
        server.wait(timeout=30)

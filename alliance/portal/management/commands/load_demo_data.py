"""``load_demo_data``: the demo of every app, in the order they build on each other, for ``make run``.

Each app's ``demo.py`` builds its part through its services, as a person would on the pages, and skips what is
already there, so running the command again changes nothing.

The demo's people (a superuser among them) share a password the README publishes: the command loads them only with
the local or test settings. Elsewhere it refuses unless ``--force`` is given, and even then never with the published
password: the people get ``--password``, or a random one printed once.
"""

import logging
import os
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.governance.demo import load_governance_demo
from events.demo import load_events_demo
from members.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL, load_members_demo, load_membership_demo
from projects.benchmarks.demo import load_benchmarks_demo
from projects.demo import load_projects_demo

# The settings the published demo password is for: the embedded default and the test suite.
LOCAL_SETTINGS = frozenset({"alliance.settings.local", "alliance.settings.test"})


class Command(BaseCommand):
    help = (
        "Load fictional demo organizations, people, projects, events, committees, ballots and benchmarks "
        "(idempotent: safe to run again). Only with the local or test settings, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo under other settings too (production); its people then get --password, or a random "
            "password printed once, never the published one.",
        )
        parser.add_argument(
            "--password", help="The demo people's password (the published one is refused with --force)."
        )

    def handle(self, *args, force: bool = False, password: str | None = None, **options) -> None:
        password, generated = self._password(force=force, given=password)
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per email is noise here
        quiet = options.get("verbosity", 1) == 0  # make run: its banner names the logins, after the server starts
        log = (lambda line: None) if quiet else self.stdout.write
        load_members_demo(log=log, password=password)
        log("Projects:")
        load_projects_demo(log=log)
        log("Events:")
        load_events_demo(log=log)
        log("Governance:")
        load_governance_demo(log=log)
        log("Benchmarks:")
        load_benchmarks_demo(log=log)
        log("Membership:")
        load_membership_demo(log=log)
        if quiet and password == DEMO_PASSWORD:
            return
        if generated:
            said = f"password, shown only now: {password}"
        elif password == DEMO_PASSWORD:
            said = f"password: {password}"
        else:
            said = "the password given with --password"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo logins ({said}; people already there keep theirs):\n"
                f"  staff (secretariat):              {STAFF_EMAIL}\n"
                f"  organization admin (Aurora Labs): {ADMIN_EMAIL}\n"
            )
        )

    def _password(self, *, force: bool, given: str | None) -> tuple[str, bool]:
        """The demo people's password, and whether it was generated; refuses what the settings do not allow."""
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
        if settings_module in LOCAL_SETTINGS:
            return given or DEMO_PASSWORD, False
        if not force:
            raise CommandError(
                f"The demo holds fictional people (a superuser among them) with a published password, so it loads only "
                f"with the local or test settings; these are {settings_module or 'not named'}. Nothing was loaded. "
                "Pass --force to load it here anyway: its people then get a random password, printed once."
            )
        if given is None:
            return secrets.token_urlsafe(18), True
        if given == DEMO_PASSWORD:
            raise CommandError(
                "The published demo password is refused outside the local and test settings. Nothing was loaded. "
                "Choose another with --password, or leave it out for a random one."
            )
        try:
            validate_password(given)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages) + " Nothing was loaded.") from error
        return given, False

"""``load_demo_data``: the demo of every app, in the order they build on each other, for ``make run``.

Each app's ``demo.py`` builds its part through its services, as a person would on the pages, and skips what is
already there, so running the command again changes nothing.
"""

import logging

from django.core.management.base import BaseCommand

from alliance.governance.demo import load_governance_demo
from events.demo import load_events_demo
from members.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL, load_members_demo
from projects.demo import load_projects_demo


class Command(BaseCommand):
    help = "Load fictional demo organizations, people, projects, events, committees and ballots (idempotent)."

    def handle(self, *args, **options) -> None:
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)  # one line per email is noise here
        load_members_demo(log=self.stdout.write)
        self.stdout.write("Projects:")
        load_projects_demo(log=self.stdout.write)
        self.stdout.write("Events:")
        load_events_demo(log=self.stdout.write)
        self.stdout.write("Governance:")
        load_governance_demo(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo logins (password: {DEMO_PASSWORD}):\n"
                f"  staff (secretariat):              {STAFF_EMAIL}\n"
                f"  organization admin (Aurora Labs): {ADMIN_EMAIL}\n"
            )
        )

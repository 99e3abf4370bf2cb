"""``load_demo_data`` creates a superuser, with a password the README publishes: only the local and test settings
load it; elsewhere (production) it refuses unless forced, and forced, its people never get the published password."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from members.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF_EMAIL
from members.models import Organization, User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = "alliance.settings.production"


def load(*args: str) -> str:
    output = StringIO()
    call_command("load_demo_data", *args, stdout=output)
    return output.getvalue()


def test_under_the_real_production_settings_it_refuses_before_touching_anything():
    # given the production settings, with a database that does not answer: the command must not get that far
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": PRODUCTION,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "portal.example.org",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
        "EMAIL_URL": "consolemail://",
        "MEDIA_BUCKET": "media",
        "MEDIA_S3_ACCESS_KEY_ID": "key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
    }

    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo_data"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    # then
    assert result.returncode != 0
    assert "loads only with the local or test settings" in result.stderr, result.stderr
    assert PRODUCTION in result.stderr and "--force" in result.stderr
    assert DEMO_PASSWORD not in result.stdout + result.stderr


def test_outside_the_local_settings_it_refuses_without_force_and_loads_nothing(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCTION)

    with pytest.raises(CommandError, match="loads only with the local or test settings"):
        load()

    assert not User.objects.exists() and not Organization.objects.exists()


def test_forced_outside_the_local_settings_it_never_takes_the_published_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCTION)

    with pytest.raises(CommandError, match="published demo password is refused"):
        load("--force", f"--password={DEMO_PASSWORD}")

    assert not User.objects.exists()


def test_forced_outside_the_local_settings_its_people_get_a_random_password_printed_once(monkeypatch):
    # given production settings, and the command forced
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCTION)

    # when
    output = load("--force")

    # then no demo person has the published password; they share one generated for this run, printed once
    printed = output.split("password, shown only now: ", 1)[1].split(";", 1)[0]
    assert len(printed) >= 20 and output.count(printed) == 1
    assert DEMO_PASSWORD not in output
    people = list(User.objects.all())
    assert len(people) > 10
    assert not any(person.check_password(DEMO_PASSWORD) for person in people)
    staff = User.objects.get(email=STAFF_EMAIL)
    assert staff.is_superuser and staff.check_password(printed)
    assert User.objects.get(email=ADMIN_EMAIL).check_password(printed)


def test_forced_with_a_chosen_password_it_is_used_and_not_printed(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", PRODUCTION)

    output = load("--force", "--password=a chosen demo passphrase")

    assert "a chosen demo passphrase" not in output
    assert User.objects.get(email=STAFF_EMAIL).check_password("a chosen demo passphrase")
    assert not User.objects.get(email=ADMIN_EMAIL).check_password(DEMO_PASSWORD)

"""A journey across the two web processes of the production shape (``make stack``): what one process learns, the
other knows, because nothing is kept in a process's memory.

- a session made by signing in on one is valid on the other;
- failed sign-ins counted on both add up to one limit (in memory, each process would have counted only its own);
- a registration race split across both is exact;
- the two workers deliver each mail once.
"""

import re
import time
from collections import Counter

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from bench.load import burst
from events.models import Registration
from members import services as member_services
from tests.events.factories import EventFactory
from tests.members.factories import UserFactory

pytestmark = [pytest.mark.stack, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long stack password"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFUSED = "Too many failed login attempts"


def _person(email: str):
    """A verified account whose password the production hasher can check (the suite's own hasher is MD5)."""
    hasher = PBKDF2PasswordHasher()
    person = UserFactory(email=email)
    person.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    person.save(update_fields=["password"])
    return person


class Browser:
    """Cookies by hand: production marks them Secure, and this stack speaks plain HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}

    def _keep(self, response: requests.Response) -> requests.Response:
        self.cookies.update(response.cookies.get_dict())
        return response

    def get(self, url: str) -> requests.Response:
        return self._keep(requests.get(url, headers=self._headers(), allow_redirects=False, timeout=30))

    def sign_in(self, base: str, email: str, password: str) -> requests.Response:
        form = self.get(f"{base}/accounts/login/")
        assert form.status_code == 200, form.text[:500]
        [token] = CSRF_INPUT.findall(form.text)
        data = {"login": email, "password": password, "csrfmiddlewaretoken": token}
        return self._keep(
            requests.post(
                f"{base}/accounts/login/", data=data, headers=self._headers(), allow_redirects=False, timeout=30
            )
        )


def test_two_web_processes_and_two_workers_share_everything(stack):
    # -- a session made on web1 is valid on web2 ----------------------------------------------------------------
    # given a person with an account
    person = _person("ada@stack.example")
    browser = Browser()

    # when they sign in on web1
    answer = browser.sign_in(stack.web1, person.email, PASSWORD)

    # then web2 knows them by that session; without it, it does not
    assert answer.status_code == 302, answer.text[:500]
    assert "sessionid" in browser.cookies
    me = browser.get(f"{stack.web2}/api/v1/me/")
    assert me.status_code == 200, me.text[:500]
    assert me.json()["email"] == person.email
    assert requests.get(f"{stack.web2}/api/v1/me/", timeout=30).status_code in (401, 403)

    # -- failed sign-ins counted on both processes add up to one limit (5 per account in 5 minutes) ---------------
    # given one account that failed 3 times (2 on web1, 1 on web2): under the limit, its right password works
    control = _person("grace@stack.example")
    for base in (stack.web1, stack.web1, stack.web2):
        assert control.email in Browser().sign_in(base, control.email, "wrong password").text
    assert Browser().sign_in(stack.web2, control.email, PASSWORD).status_code == 302

    # when another account fails 3 times on web1 and 2 times on web2 (no process saw 5)
    target = _person("linus@stack.example")
    for base in (stack.web1, stack.web1, stack.web1, stack.web2, stack.web2):
        failed = Browser().sign_in(base, target.email, "wrong password")
        assert failed.status_code == 200 and REFUSED not in failed.text

    # then both processes refuse even the right password: the count is shared
    for base in (stack.web1, stack.web2):
        refused = Browser().sign_in(base, target.email, PASSWORD)
        assert refused.status_code in (200, 429), refused.status_code
        assert REFUSED in refused.text
        assert "sessionid" not in refused.cookies

    # -- a registration race split across both processes is exact --------------------------------------------------
    # given 40 people with API tokens and an event with 10 seats
    event = EventFactory(capacity=10)
    racers = UserFactory.create_batch(40)
    keys = [member_services.api_token_create(actor=racer, name="stack")[1] for racer in racers]
    stack.sink.reset()

    # when all of them register at once, half through web1 and half through web2
    calls = [
        ("POST", f"{base}/api/v1/events/{event.slug}/register/", {"Authorization": f"Token {key}"}, None)
        for base, key in zip([stack.web1, stack.web2] * 20, keys, strict=True)
    ]
    answers, _seconds = burst(calls)

    # then exactly 10 hold a seat and 30 wait, in the order they got the lock, with no error
    assert [answer.status for answer in answers] == [201] * 40, [(a.status, a.body, a.error) for a in answers]
    assert Counter(answer.body["status"] for answer in answers) == {"confirmed": 10, "waitlisted": 30}
    event.refresh_from_db()
    assert event.confirmed_count == 10
    rows = list(Registration.objects.filter(event=event).order_by("pk"))
    assert [row.status for row in rows] == ["confirmed"] * 10 + ["waitlisted"] * 30
    assert [row.waitlisted_at for row in rows[10:]] == sorted(row.waitlisted_at for row in rows[10:])

    # -- the two workers deliver each of those 40 mails once ----------------------------------------------------
    stats = stack.sink.wait_for(40, seconds=60)
    time.sleep(3)  # a copy sent twice would arrive by now
    messages = stack.sink.messages()
    assert len(messages) == 40, f"{len(messages)} messages: {Counter(m['subject'] for m in messages)}; {stats}"
    assert Counter(address for message in messages for address in message["to"]) == Counter(
        racer.email for racer in racers
    )
    assert len({message["message_id"] for message in messages}) == 40

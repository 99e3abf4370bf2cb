"""The "your time" line of an event is written in the page's language, not the browser's (system Chromium)."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.events.factories import EventFactory

FRENCH_WORDS = re.compile(r"\b(lun|mar|mer|jeu|ven|sam|dim|janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\b")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_french_browser_in_another_zone_reads_english_24_hour_times(live_server, browser: Browser):
    # given an event in Brussels and a visitor whose browser speaks French and lives in New York
    event = EventFactory(title="Evaluation clinic", timezone="Europe/Brussels")
    context = browser.new_context(locale="fr-FR", timezone_id="America/New_York")
    page = context.new_page()

    # when they open the event's page and the list of events
    for path in (event.get_absolute_url(), "/events/"):
        page.goto(f"{live_server.url}{path}")
        local = page.locator("[data-local-time]").first

        # then the "your time" line is shown, in English (the page's lang) and 24-hour, with the zone
        expect(local).to_be_visible()
        text = local.inner_text()
        assert page.evaluate("document.documentElement.lang") == "en"
        assert not FRENCH_WORDS.search(text.lower()), text
        assert re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", text), text
        assert re.search(r"\b([01]\d|2[0-3]):[0-5]\d\b", text) and not re.search(r"\b(AM|PM)\b", text), text
        assert re.search(r"\b(EST|EDT|GMT-[45])\b", text), text
    context.close()

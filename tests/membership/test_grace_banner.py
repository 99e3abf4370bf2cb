"""The grace banner says the same dates as the rest of the page, in the reader's zone, whichever database wrote the
person's grace (PostgreSQL's JSON carries the offset; SQLite's, the embedded default's, writes UTC without it)."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone

TEMPLATE = Template("{% load membership %}{% membership_grace_banner %}")


@pytest.mark.parametrize("written", ["2026-11-22 20:00:00", "2026-11-22T20:00:00+00:00"], ids=["sqlite", "postgresql"])
def test_the_banner_reads_the_term_end_in_the_readers_zone(written, settings):
    settings.MEMBERSHIP_GRACE_DAYS = 30
    # given a term that ended at 20:00 UTC on 22 November: already the 23rd in Tokyo
    reader = SimpleNamespace(membership_grace={"name": "Aurora Labs", "slug": "aurora", "term_end": written})

    with timezone.override("Asia/Tokyo"):
        banner = TEMPLATE.render(Context({"user": reader}))

    assert "ended on 23 November 2026" in banner and "continue until 23 December 2026" in banner

"""The HTML part of every email links the text's web addresses (alliance.templatetags.links), as Django's urlize
did for the portal's texts, in one pass, and nothing in the text can leave the link or add markup."""

import pytest

from alliance.templatetags.links import links


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "See https://alliance.example/events/x/.",
            'See <a href="https://alliance.example/events/x/">https://alliance.example/events/x/</a>.',
        ),
        (
            "Open (https://a.example/p?x=1&y=2), now!",
            'Open (<a href="https://a.example/p?x=1&amp;y=2">https://a.example/p?x=1&amp;y=2</a>), now!',
        ),
        ("end http://a.example/z", 'end <a href="http://a.example/z">http://a.example/z</a>'),
        (
            "two: https://a.example/1; https://a.example/2!",
            'two: <a href="https://a.example/1">https://a.example/1</a>; '
            '<a href="https://a.example/2">https://a.example/2</a>!',
        ),
        ("no address here, nor ftp://a.example/", "no address here, nor ftp://a.example/"),
    ],
    ids=["sentence", "brackets-and-query", "end-of-text", "two", "none"],
)
def test_addresses_become_links_and_sentence_punctuation_stays_outside(text, html):
    assert links(text) == html


@pytest.mark.parametrize(
    "text",
    [
        'https://a.example/a"onmouseover=alert(1) x',
        "https://a.example/a'onmouseover=alert(1) x",
        "<script>alert(1)</script>https://a.example/<img src=x>",
    ],
    ids=["double-quote", "single-quote", "tags"],
)
def test_nothing_in_the_text_leaves_the_link_or_adds_markup(text):
    html = str(links(text))
    assert "<script" not in html and "<img" not in html
    assert html.count("<a ") == 1 and html.count('"') == 2  # the href's own quotes only
    assert "onmouseover" not in html.split(">")[0]

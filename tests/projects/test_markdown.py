from html.parser import HTMLParser

from alliance.markdown import render_markdown


class _Collector(HTMLParser):
    """Every tag and attribute of the rendered HTML, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_markdown_keeps_formatting_and_safe_links():
    html = render_markdown("## Goals\n\n*Open* work, see [the repo](https://example.org/repo).")

    assert "<h2>Goals</h2>" in html
    assert "<em>Open</em>" in html
    assert ("href", "https://example.org/repo") in _parse(html).attributes
    assert ("rel", "nofollow noopener noreferrer") in _parse(html).attributes


def test_markdown_drops_scripts_event_handlers_and_javascript_links():
    html = render_markdown(
        "<script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)">\n\n'
        '[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>\n\n'
        "![pixel](javascript:alert(3)) [upper](JaVaScRiPt:alert(4))"
    )
    parsed = _parse(html)

    assert "script" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not [value for name, value in parsed.attributes if value.strip().lower().startswith("javascript:")]
    assert "alert('x')" in html  # shown as text, harmless

"""Remote images in Markdown: shown only from the allowed hosts; any other becomes a link (no tracking pixel)."""

from html.parser import HTMLParser

from alliance.markdown import render_markdown


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_by_default_a_remote_image_becomes_a_link_labelled_with_its_text(settings):
    settings.MARKDOWN_IMAGE_HOSTS = []

    html = render_markdown('Read me ![the *chart*](https://tracker.example/pixel.gif?id=42 "Chart")')

    tags = _tags(html)
    assert "img" not in [tag for tag, _ in tags]
    link = next(attrs for tag, attrs in tags if tag == "a")
    assert link["href"] == "https://tracker.example/pixel.gif?id=42"
    assert link["title"] == "Chart"
    assert "nofollow" in link["rel"]
    assert "the <em>chart</em></a>" in html


def test_an_image_without_text_is_labelled_with_its_address(settings):
    settings.MARKDOWN_IMAGE_HOSTS = []

    html = render_markdown("![](http://tracker.example/p.png) and ![](//tracker.example/q.png)")

    assert "<img" not in html
    assert ">Image: http://tracker.example/p.png</a>" in html
    assert ">Image: //tracker.example/q.png</a>" in html


def test_an_image_from_an_allowed_host_is_shown(settings):
    settings.MARKDOWN_IMAGE_HOSTS = ["images.alliance.example"]

    html = render_markdown("![logo](https://images.alliance.example/logo.png) ![x](https://elsewhere.example/x.png)")

    images = [attrs for tag, attrs in _tags(html) if tag == "img"]
    assert images == [{"src": "https://images.alliance.example/logo.png", "alt": "logo"}]
    assert 'href="https://elsewhere.example/x.png"' in html


def test_an_image_on_the_portal_itself_is_kept(settings):
    settings.MARKDOWN_IMAGE_HOSTS = []

    html = render_markdown("![diagram](/media/diagram.png)")

    assert ("img", {"src": "/media/diagram.png", "alt": "diagram"}) in _tags(html)


def test_a_remote_image_inside_a_link_leaves_only_its_text_and_no_nested_link(settings):
    settings.MARKDOWN_IMAGE_HOSTS = []

    html = render_markdown("[![badge](https://ci.example/badge.svg)](https://ci.example/build)")

    tags = _tags(html)
    assert [tag for tag, _ in tags].count("a") == 1
    assert "img" not in [tag for tag, _ in tags]
    assert 'href="https://ci.example/build"' in html and ">badge</a>" in html

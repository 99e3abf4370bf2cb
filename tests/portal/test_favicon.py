"""Every page names the portal's icon, so browsers stop asking for a /favicon.ico that is not there."""

from xml.etree import ElementTree

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_links_the_svg_icon_and_the_icon_is_a_real_svg(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'rel="icon"' in page.text and "img/favicon" in page.text and 'type="image/svg+xml"' in page.text
    path = finders.find("img/favicon.svg")
    assert path, "the icon is a static file"
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"

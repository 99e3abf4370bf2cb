"""``{{ person|person_link }}``: a person's name as public pages show it, by their consent.

A person who agreed to be listed by name (``User.has_public_page``) is shown by name, linked to their page; anyone
else is "Name not given", unlinked. ``{{ person|person_link:True }}`` is for a viewer who must see every name (a
project's leads deciding on a request, staff): the name is shown, linked only when the person has a page.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter(name="person_link")
def person_link(person: Any, viewer_sees_names: bool = False) -> SafeString | str:
    if person is None:
        return ""
    if person.has_public_page:
        return format_html('<a href="{}">{}</a>', reverse("person_detail", args=[person.pk]), person.public_name)
    return person.public_name if viewer_sees_names else person.listed_name

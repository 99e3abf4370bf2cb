"""``{{ text|links }}``: plain text as HTML with its web addresses made links, for the HTML part of every email.

Django's ``urlize`` handles every shape of address (bare domains, e-mail addresses, punctuation) word by word, and
was a third of the time it took to write a notification's email. The portal's texts carry only full ``http(s)``
addresses (``SITE_URL`` and links people gave), so this filter links those in one regular-expression pass over the
escaped text. Punctuation that ends a sentence (``.``, ``,``, ``;``, ``:``, ``!``, ``?``, a closing bracket or
quote) is left outside the link, as ``urlize`` does.
"""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# An address runs to the first space, quote or angle bracket (the text is escaped first, so those are entities and
# none can leave the attribute), and does not end in sentence punctuation.
_ENTITY = r"&(?:quot|#x27|lt|gt);"
_ADDRESS = re.compile(rf"\bhttps?://(?:(?!{_ENTITY})\S)+?(?=[.,;:!?)\]]*(?:\s|{_ENTITY}|$))")


@register.filter(name="links")
def links(text: str) -> SafeString:
    return mark_safe(_ADDRESS.sub(lambda found: f'<a href="{found[0]}">{found[0]}</a>', escape(text or "")))

"""Addresses (slugs) made from titles: readable, unique, and found with one query however many share a title."""

import re

from django.db import models
from django.utils.text import slugify


def unique_slug(model: type[models.Model], text: str, *, fallback: str, max_length: int = 70) -> str:
    """A slug from ``text`` that no row of ``model`` uses yet: ``name``, then ``name-2``, ``name-3``...

    One query fetches every slug of the form ``name`` or ``name-<number>``; the first free one is chosen.
    """
    base = slugify(text)[:max_length] or fallback
    taken = set(
        model._default_manager.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"

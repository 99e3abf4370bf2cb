from django.db import models
from django.utils.text import slugify


def unique_slug(model: type[models.Model], text: str, *, fallback: str, max_length: int = 70) -> str:
    """A slug from ``text`` that no row of ``model`` uses yet: ``name``, then ``name-2``, ``name-3``..."""
    base = slugify(text)[:max_length] or fallback
    slug, number = base, 2
    while model._default_manager.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug

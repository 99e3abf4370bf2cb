"""The Sites framework's row follows the settings: its domain is ``SITE_URL``'s host, its name ``SITE_NAME``.

allauth names the site in its mails and pages from this row (``current_site``); left alone, Django creates it as
"example.com", and a sign-up confirmation would read like phishing. ``site_sync`` runs after every ``migrate``
(``AllianceConfig.ready``), so a fresh database, a test database and a deployment with a new ``SITE_URL`` all agree.
"""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings


def site_domain() -> str:
    """``SITE_URL``'s host (and port): what a person sees in the address bar."""
    return urlsplit(settings.SITE_URL).netloc or settings.SITE_URL


def site_sync(**kwargs: Any) -> None:
    """Create or update the current site's row from the settings (a ``post_migrate`` receiver)."""
    from django.contrib.sites.models import Site

    using = kwargs.get("using", "default")
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain(), "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()

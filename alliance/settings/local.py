"""The embedded default: SQLite, tasks run in-process, email written under var/mail/."""

import os

os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/db.sqlite3")

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks: take the write lock when a transaction opens and wait for it instead of failing.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

# Uploads stay in the local folder (var/media/), served by the portal itself.
MEDIA_SERVED_BY_PORTAL = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# One file per message, named by time and recipient, listed at /dev/mail/.
EMAIL_BACKEND = "alliance.mail.NamedFileEmailBackend"
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEV_MAIL_PAGE = True
# Webhook receivers on this machine (a local test receiver); private networks stay refused.
WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

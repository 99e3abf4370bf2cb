"""The test suite: PostgreSQL and Redis, real as in production, with fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance")

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, redis_cache

DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# One test database per run, so that two runs on one machine never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_alliance_{os.getpid()}"}

# One prefix per run: tests clear only their own keys, never another run's (or the broker's) data.
CACHES = {"default": redis_cache(REDIS_URL, KEY_PREFIX=f"alliance-test-{os.getpid()}")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
STAFF_NOTIFICATION_EMAILS = ["secretariat@alliance.example"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Pages are not kept between requests (a test that builds rows with factories expects to see them); the page cache's
# own tests turn it on.
PAGE_CACHE_SECONDS = 0
# Webhook receivers on this machine (a local test receiver); private networks stay refused.
WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]

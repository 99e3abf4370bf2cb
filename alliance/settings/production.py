"""Production: every secret from the environment, no defaults; PostgreSQL pooled, Redis cache, HTTPS only,
uploads in S3-compatible object storage (MinIO in docker-compose.yml) shared by every web replica."""

import copy

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, STORAGES, TRUSTED_PROXY_COUNT, env, redis_cache

DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# A copy: importing these settings beside others (a test reading them) must not change the others' database.
DATABASES = copy.deepcopy(DATABASES)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One pool per process (gunicorn worker, Celery worker child): a sync worker or a Celery child uses one connection
    # at a time, a gthread worker one per thread (WEB_THREADS). README ("Sizing") says how to choose.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=max(2, env.int("WEB_THREADS", default=1))),
        "timeout": 10,
    }

CACHES = {"default": redis_cache(env("CACHE_URL", default=REDIS_URL))}

# Uploads (logos) in an S3-compatible bucket. With MEDIA_PUBLIC_DOMAIN (e.g. "portal.example.org/media", which
# the proxy routes to the bucket) pages link to plain public URLs; without it, to signed URLs of the endpoint.
MEDIA_PUBLIC_DOMAIN = env("MEDIA_PUBLIC_DOMAIN", default="") or None
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("MEDIA_BUCKET"),
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID"),
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY"),
            "region_name": env("MEDIA_S3_REGION", default="us-east-1"),
            "signature_version": "s3v4",
            "addressing_style": "path",
            "custom_domain": MEDIA_PUBLIC_DOMAIN,
            "url_protocol": env("MEDIA_PUBLIC_PROTOCOL", default="https:"),
            "querystring_auth": MEDIA_PUBLIC_DOMAIN is None,
            "querystring_expire": 3600,
            "file_overwrite": False,
            "default_acl": None,
            "object_parameters": {"CacheControl": "public, max-age=86400"},
        },
    },
}

globals().update(env.email_url("EMAIL_URL"))  # EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ...

# Behind TRUSTED_PROXY_COUNT proxies (Caddy in docker-compose.yml), the proxy says whether the visitor used HTTPS;
# it overwrites X-Forwarded-Proto, and gunicorn is reachable only from it. Without a proxy nothing is taken from
# the header (gunicorn sets the scheme, trusting X-Forwarded-Proto only from FORWARDED_ALLOW_IPS).
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

"""Settings shared by every environment; each value that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_ID = 1
SITE_NAME = "Alliance Portal"
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",  # the search's full-text and trigram lookups (alliance/portal/search.py)
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "django_celery_beat",
    "csp",
    "alliance",
    "members",
    "projects",
    "events",
    "projects.benchmarks",
    "alliance.governance",
    "alliance.webhooks",
    "alliance.portal",
]

MIDDLEWARE = [
    # First and last: request latency by view for /metrics (alliance.portal.metrics).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before sessions, authentication and every view: NUL characters and unreadable bodies never reach a query.
    "alliance.guards.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alliance.locale.PersonLocaleMiddleware",  # the person's own language and time zone, once they are known
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "alliance.pages.DomainErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "alliance.portal.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "alliance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "alliance.context_processors.portal",
                "alliance.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")


def redis_cache(location: str, **settings: object) -> dict:
    """The cache on Redis, tolerant of an outage (``alliance.cache``: rate limits fail open, nothing waits)."""
    return {"BACKEND": "alliance.cache.OutageTolerantRedisCache", "LOCATION": location, **settings}


# Behind a proxy: how many proxies in front of the portal append to X-Forwarded-For (Caddy in docker-compose.yml:
# 1). allauth's rate limits and DRF's throttles then take the client's address that many entries from the right;
# with 0 (no proxy) both use the connection's address and ignore the header, which any client can write.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

AUTH_USER_MODEL = "members.User"
# Both load the signed-in person with their grace banner in the same query (members.auth_backends).
AUTHENTICATION_BACKENDS = [
    "members.auth_backends.ModelBackend",
    "members.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login, verified before use.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Alliance Portal] "
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"  # branded mails; after sign-up and confirmation: /welcome/
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {  # False (tests) turns them off
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Alliance Portal"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "alliance" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Whether the portal itself serves MEDIA_ROOT under MEDIA_URL (the local settings; production uses object storage).
MEDIA_SERVED_BY_PORTAL = env.bool("MEDIA_SERVED_BY_PORTAL", default=False)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Alliance Portal <portal@alliance.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAILS: list[str] = env.list("STAFF_NOTIFICATION_EMAILS", default=[])
# The /dev/mail/ page listing the mails written under EMAIL_FILE_PATH: the local settings only (404 elsewhere).
DEV_MAIL_PAGE = False

# Celery: configured from these settings (namespace CELERY), Redis broker, beat schedule in the database.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connections, and with them psycopg's pool, before and after every task
# in a prefork worker (celery issue 10554): each task reconnected. It does so only every 2 × this many tasks instead;
# alliance.celery hands each task's connection back to the pool after it (replaced there if broken). 0: every task.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# A request must never wait on a broker that is down: short timeouts, one quick retry (which also replaces a
# pooled connection that went stale when Redis restarted), no 2 s pause between retries. Measured with kombu 5.7
# and redis-py 8: a publish to a refused port fails in ~2 ms, to a port that accepts but never answers in ~1 s
# (the defaults took 0.6 s and 5 s). alliance.notifications then stops publishing for 30 s and the sweep delivers.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 1,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {"task": "alliance.tasks.notifications_sweep", "schedule": timedelta(minutes=1)},
    # Hourly, but each person gets one digest per ISO week (DigestSent): a missed run catches up.
    "notifications-weekly-digests": {"task": "alliance.tasks.weekly_digests", "schedule": timedelta(hours=1)},
    "catalog-expire": {"task": "projects.tasks.catalog_expire", "schedule": timedelta(hours=6)},
    "event-reminders": {"task": "events.tasks.event_reminders", "schedule": timedelta(minutes=10)},
    # Renewal reminders (60, 30 and 7 days before a term ends, and when grace starts) and lapses told to staff.
    "membership-reminders": {"task": "members.tasks.membership_reminders", "schedule": timedelta(hours=1)},
    "webhooks-sweep": {"task": "alliance.webhooks.tasks.webhooks_sweep", "schedule": timedelta(minutes=1)},
    # Opens ballots at their time, sends the one reminder a day before closing, closes and counts at closes_at.
    "governance-ballots-advance": {
        "task": "alliance.governance.tasks.ballots_advance",
        "schedule": timedelta(minutes=1),
    },
    # Starts review at each submission deadline, publishes at the publication time, marks lapsed previews.
    "benchmark-rounds-advance": {
        "task": "projects.benchmarks.tasks.benchmark_rounds_advance",
        "schedule": timedelta(minutes=1),
    },
    # Privacy: personal data kept only as long as the RETENTION_* settings say (each job idempotent, audited once).
    "retention-registrations": {"task": "events.tasks.registrations_anonymize", "schedule": timedelta(hours=24)},
    "retention-notifications": {"task": "alliance.tasks.notifications_retention", "schedule": timedelta(hours=24)},
    "retention-webhook-bodies": {
        "task": "alliance.webhooks.tasks.webhook_bodies_retention",
        "schedule": timedelta(hours=24),
    },
    "retention-unverified-accounts": {
        "task": "members.tasks.unverified_accounts_retention",
        "schedule": timedelta(hours=24),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "alliance.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "alliance.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON only (nested deeper than 64 levels refused, never RecursionError): a form's loose semantics (a missing
    # checkbox is false, an empty field is "not given") would make the schema untrue. The one view that takes an
    # upload (an organization's logo) adds alliance.api.parsers' MultiPartParser and FormParser itself.
    "DEFAULT_PARSER_CLASSES": ["alliance.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Portal API",
    "DESCRIPTION": "Members, projects, catalog, events, committees and ballots of the alliance. "
    "Authenticate with a session or a personal API token: `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (400, 401, 403, 404, 409, 413) documented with the one Error shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "alliance.api.schema.document_errors",
    ],
    # Choice sets that share a field name ("kind", "role") get their own schema names.
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "members.models.Organization.Kind",
        "OrganizationStatusEnum": "members.models.Organization.Status",
        "AffiliationRoleEnum": "members.models.Affiliation.Role",
        "ProjectKindEnum": "projects.models.Project.Kind",
        "CatalogEntryKindEnum": "projects.models.CatalogEntry.Kind",
        "ParticipationRoleEnum": "projects.models.Participation.Role",
        "EventKindEnum": "events.models.Event.Kind",
        "EventStatusEnum": "events.models.Event.Status",
        "RegistrationStatusEnum": "events.models.Registration.Status",
        "BenchmarkRoundStateEnum": "projects.benchmarks.models.Round.State",
        "BenchmarkSubmissionStateEnum": "projects.benchmarks.models.Submission.State",
        "BenchmarkObjectionStateEnum": "projects.benchmarks.models.Objection.State",
        "BenchmarkObjectionOutcomeEnum": "projects.benchmarks.models.Objection.Outcome",
        "CommitteeKindEnum": "alliance.governance.models.Committee.Kind",
        "CommitteeSeatsEnum": "alliance.governance.models.Committee.Seats",
        "CommitteeMemberRoleEnum": "alliance.governance.models.CommitteeMember.Role",
        "BallotMethodEnum": "alliance.governance.models.Ballot.Method",
        "BallotStateEnum": "alliance.governance.models.Ballot.State",
    },
}

# Security headers. Content-Security-Policy: only this site's own files, and inline <script>/<style> elements
# only with the request's nonce (`nonce="{{ request.csp_nonce }}"` in templates); no 'unsafe-inline' anywhere.
# img-src allows data: URLs (the TOTP QR code, Swagger UI's icons) and the Markdown image hosts.
MARKDOWN_IMAGE_HOSTS: list[str] = env.list("MARKDOWN_IMAGE_HOSTS", default=[])
# The Django admin's change list has one inline <style> (shown when a model has no actions);
# it is allowed by its hash rather than by a template override.
ADMIN_CHANGELIST_STYLE_HASH = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, ADMIN_CHANGELIST_STYLE_HASH],
        "img-src": [SELF, "data:", *(f"https://{host}" for host in MARKDOWN_IMAGE_HOSTS)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy: none of the browser's powerful features is used; WebAuthn and the clipboard by this site only.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "clipboard-write": ["self"],
    "publickey-credentials-get": ["self"],
    "publickey-credentials-create": ["self"],
}

# Domain settings.
INVITATION_VALIDITY = timedelta(days=env.int("INVITATION_VALIDITY_DAYS", default=14))
CATALOG_VALIDATION_PERIOD = timedelta(days=env.int("CATALOG_VALIDATION_DAYS", default=365))
EVENT_REMINDER_BEFORE = timedelta(hours=env.int("EVENT_REMINDER_HOURS", default=24))
CATALOG_EXPIRY_WARNING = timedelta(days=env.int("CATALOG_EXPIRY_WARNING_DAYS", default=30))
# Membership terms: renewal opens this many days before a term ends; benefits last this many days after it.
MEMBERSHIP_RENEWAL_WINDOW_DAYS = env.int("MEMBERSHIP_RENEWAL_WINDOW_DAYS", default=60)
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=30)
# The organization's admins hear this many days before the end (and when grace starts), once per term each.
MEMBERSHIP_REMINDER_DAYS = (60, 30, 7)
# The charter version an organization accepts when it applies or renews (recorded on the term).
ALLIANCE_CHARTER_VERSION = env.str("ALLIANCE_CHARTER_VERSION", default="2024-1")
LOGO_MAX_BYTES = env.int("LOGO_MAX_BYTES", default=1024 * 1024)
# Width × height an uploaded logo may have (checked from its header, before decoding); it is then re-encoded.
LOGO_MAX_PIXELS = env.int("LOGO_MAX_PIXELS", default=4_000_000)
# How long the list pages anonymous visitors see are kept at most (alliance.page_cache; changes through the services
# refresh them at once); 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# Webhooks go only to public addresses; networks listed here are allowed too (never cloud metadata addresses).
WEBHOOKS_ALLOWED_NETWORKS: list[str] = env.list("WEBHOOKS_ALLOWED_NETWORKS", default=[])
# Privacy: how long personal data is kept (days), shown on the privacy notice; the retention beat jobs apply them.
RETENTION_EVENT_DAYS = env.int("RETENTION_EVENT_DAYS", default=365)
RETENTION_NOTIFICATION_DAYS = env.int("RETENTION_NOTIFICATION_DAYS", default=180)
RETENTION_WEBHOOK_DAYS = env.int("RETENTION_WEBHOOK_DAYS", default=30)
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

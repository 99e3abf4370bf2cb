"""Production settings: Django's deployment checks pass with a real environment, and no secret has a default."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "alliance.settings.production",
    "ALLOWED_HOSTS": "portal.alliance.example",
    "CSRF_TRUSTED_ORIGINS": "https://portal.alliance.example",
    "SITE_URL": "https://portal.alliance.example",
    "DATABASE_URL": "postgres://alliance:a-database-password@db:5432/alliance",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://portal:a-mail-password@smtp.alliance.example:587",
    "DEFAULT_FROM_EMAIL": "Alliance Portal <portal@alliance.example>",
    "MEDIA_BUCKET": "portal-media",
    "MEDIA_S3_ENDPOINT_URL": "http://minio:9000",
    "MEDIA_S3_ACCESS_KEY_ID": "portal",
    "MEDIA_S3_SECRET_ACCESS_KEY": "a-storage-password",
    "TRUSTED_PROXY_COUNT": "1",
}


def manage(*arguments: str, without: tuple[str, ...] = (), **overrides: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter with only the production environment (not the test settings)."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        **PRODUCTION_ENVIRONMENT,
        **overrides,
    }
    for name in without:
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checks_do_fail_on_a_weak_configuration():
    """Proves the test above can fail: a short secret key is a deployment warning."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short")

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "EMAIL_URL",
        "MEDIA_BUCKET",
        "MEDIA_S3_ACCESS_KEY_ID",
        "MEDIA_S3_SECRET_ACCESS_KEY",
    ],
)
def test_production_settings_refuse_to_start_without_a_required_variable(missing):
    result = manage("check", without=(missing,))

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_production_settings_turn_debug_off_and_pool_database_connections():
    script = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], bool(s.DATABASES['default']['OPTIONS'].get('pool')),"
        " s.CACHES['default']['BACKEND'], s.EMAIL_BACKEND, s.EMAIL_HOST, s.SESSION_COOKIE_SECURE)"
    )

    result = manage("shell", "--no-imports", "-c", script, DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "True",
        "alliance.cache.OutageTolerantRedisCache",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.alliance.example",
        "True",
    ]


def test_production_keeps_uploads_in_the_s3_bucket_and_trusts_one_proxy_once_for_allauth_and_drf():
    script = (
        "from django.conf import settings as s; from django.core.files.storage import storages;"
        " d = storages['default'];"
        "print(type(d).__module__, d.bucket_name, d.endpoint_url, d.querystring_auth,"
        " s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], s.SECURE_PROXY_SSL_HEADER)"
    )

    result = manage("shell", "--no-imports", "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "storages.backends.s3",
        "portal-media",
        "http://minio:9000",
        "True",
        "1",
        "1",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def test_without_a_trusted_proxy_no_forwarded_header_is_believed():
    script = (
        "from django.conf import settings as s;"
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], s.SECURE_PROXY_SSL_HEADER)"
    )

    result = manage("shell", "--no-imports", "-c", script, TRUSTED_PROXY_COUNT="0")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "0", "None"]


def test_the_local_and_test_settings_trust_no_proxy():
    from django.conf import settings

    from alliance.settings import local

    assert local.TRUSTED_PROXY_COUNT == 0 and local.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert local.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0

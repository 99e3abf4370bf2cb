# The one image for web, worker and beat. Build: docker compose build
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=alliance.settings.production

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
# collectstatic needs settings to import; these values exist only for this build step.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    EMAIL_URL=consolemail:// MEDIA_BUCKET=collectstatic-only MEDIA_S3_ACCESS_KEY_ID=collectstatic-only \
    MEDIA_S3_SECRET_ACCESS_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 portal \
    && mkdir -p /app/var/media && chown -R portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "alliance.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]

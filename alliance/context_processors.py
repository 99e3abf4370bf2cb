from django.conf import settings


def portal(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME}

"""The bench's settings: production's, with the bench's own URLs (the bare views beside the portal's) and a
middleware that counts a request's queries when asked to (``X-Bench-Count-Queries``; otherwise it does nothing)."""

from alliance.settings.production import *  # noqa: F403
from alliance.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]

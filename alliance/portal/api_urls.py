"""The one DRF router for /api/v1/, assembled at the top floor; each app registers its viewsets in ``register``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alliance.api import notifications as notifications_api
from alliance.governance.api import urls as governance_api
from alliance.portal.api import urls as search_api
from alliance.webhooks import api as webhooks_api
from events.api import urls as events_api
from members.api import urls as members_api
from projects.api import urls as projects_api
from projects.benchmarks.api import urls as benchmarks_api

from .api import dashboards as portal_api
from .api import privacy as privacy_api

router = DefaultRouter()
members_api.register(router)
notifications_api.register(router)
events_api.register(router)
webhooks_api.register(router)
projects_api.register(router)
benchmarks_api.register(router)
governance_api.register(router)

# What reads every app (the dashboards' figures) is served by the top floor itself.
portal_urlpatterns = [
    path("organizations/<slug:slug>/contributions/", portal_api.ContributionsView.as_view(), name="contributions"),
    path("stats/", portal_api.StatsView.as_view(), name="stats"),
]

urlpatterns = [
    path("v1/me/export/", privacy_api.PersonalDataExportView.as_view(), name="me-export"),
    path("v1/me/erase/", privacy_api.AccountEraseView.as_view(), name="me-erase"),
    path("v1/people/<int:pk>/erase/", privacy_api.StaffErasureView.as_view(), name="person-erase"),
    path("v1/", include(members_api.extra_urlpatterns)),
    path("v1/", include(portal_urlpatterns)),
    path("v1/", include(search_api.urlpatterns)),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with no inline script (the init script is served from the same address, ?script): the CSP allows it.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="portal/api_docs.html"),
        name="api-docs",
    ),
]

"""The root URLconf: every app's pages and the API, assembled at the top floor."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from alliance import health

from . import dashboard_views, locale_views, metrics, views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Alliance Portal administration"

# JSON under /api/, the 404 and 500 pages elsewhere (alliance.api.errors).
handler404 = "alliance.api.errors.not_found"
handler500 = "alliance.api.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.welcome, name="welcome"),
    path("search/", views.search_page, name="search"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("language/", locale_views.language_switch, name="language_switch"),
    path("dev/mail/", views.dev_mail, name="dev_mail"),  # local settings only (DEV_MAIL_PAGE)
    path("dev/mail/<str:name>/", views.dev_mail_message, name="dev_mail_message"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),  # Prometheus, staff only (alliance.portal.metrics)
    # Uploads kept in the local folder (the embedded default); production serves them from object storage.
    re_path(r"^media/(?P<path>.+)$", views.media, name="media"),
    path("staff/audit/", views.audit_log, name="audit_log"),
    path("staff/dashboard/", dashboard_views.staff_dashboard, name="staff_dashboard"),
    path(
        "organizations/<slug:slug>/dashboard/",
        dashboard_views.organization_dashboard,
        name="organization_dashboard",
    ),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("account/privacy/", views.privacy_account, name="privacy_account"),
    path("account/privacy/export/", views.privacy_export, name="privacy_export"),
    path("account/privacy/erase/", views.privacy_erase, name="privacy_erase"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("alliance.portal.api_urls")),
    path("", include("alliance.notification_urls")),
    path("", include("members.urls")),
    path("", include("projects.urls")),
    path("", include("events.urls")),
    path("", include("projects.benchmarks.urls")),
    path("", include("alliance.governance.urls")),
    path("", include("alliance.webhooks.urls")),
]

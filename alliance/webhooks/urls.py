"""Webhook pages. The names are used by the disabled-endpoint notification too."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="endpoint_list"),
    path("webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("webhooks/<int:pk>/deliveries/<int:delivery_id>/resend/", views.delivery_resend, name="delivery_resend"),
    path("webhooks/<int:pk>/<str:action>/", views.endpoint_action, name="endpoint_action"),
]

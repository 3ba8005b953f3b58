"""Included by projects.urls, so the names are in the `projects` namespace."""

from django.urls import path

from projects.monitoring import views

urlpatterns = [
    path("plans/<int:pk>/monitoring/new/", views.report_create, name="monitoring_create"),
    path("monitoring/<int:pk>/", views.report_detail, name="monitoring_report"),
    path("monitoring/<int:pk>/period/", views.report_period, name="monitoring_period"),
    path("monitoring/<int:pk>/edit/", views.report_edit, name="monitoring_edit"),
    path("monitoring/<int:pk>/preview/", views.report_preview, name="monitoring_preview"),
    path(
        "monitoring/<int:pk>/attachments/",
        views.report_attachments,
        name="monitoring_attachments",
    ),
    path(
        "monitoring/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="monitoring_attachment_download",
    ),
    path(
        "monitoring/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="monitoring_attachment_delete",
    ),
    path("monitoring/<int:pk>/export.json", views.report_export, name="monitoring_export"),
    path("monitoring/<int:pk>/replace/", views.report_replace, name="monitoring_replace"),
    path("monitoring/<int:pk>/submit/", views.report_submit, name="monitoring_submit"),
]

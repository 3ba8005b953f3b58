"""Verification and review of monitoring reports; included by projects.urls, so the
names are in the `projects` namespace."""

from django.urls import path

from projects.monitoring import review_views as views

urlpatterns = [
    path("monitoring/queue/", views.monitoring_queue, name="monitoring_queue"),
    path("monitoring/<int:pk>/review/", views.report_review, name="monitoring_review"),
    path(
        "monitoring/<int:pk>/review/reduction/",
        views.verified_reduction,
        name="monitoring_verified_reduction",
    ),
    path(
        "monitoring/<int:pk>/review/statement/",
        views.statement_upload,
        name="monitoring_statement",
    ),
    path(
        "monitoring/<int:pk>/transition/<slug:name>/",
        views.report_transition,
        name="monitoring_transition",
    ),
    path("monitoring/<int:pk>/comments/", views.comment_add, name="monitoring_comment_add"),
    path(
        "monitoring/<int:pk>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="monitoring_comment_resolve",
    ),
    path("monitoring/<int:pk>/history/", views.report_history, name="monitoring_history"),
    path("monitoring/<int:pk>/compare/", views.report_compare, name="monitoring_compare"),
    path(
        "monitoring/<int:pk>/versions/<int:number>.json",
        views.version_document,
        name="monitoring_version_document",
    ),
]

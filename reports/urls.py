from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("plans/<int:pk>/draft.pdf", views.draft_pdf, name="draft_pdf"),
    path("plans/<int:pk>/versions/<int:number>.pdf", views.version_pdf, name="version_pdf"),
    path("monitoring/<int:pk>/pdf/", views.monitoring_pdf, name="monitoring_pdf"),
    path(
        "monitoring/<int:pk>/versions/<int:number>/pdf/",
        views.monitoring_version_pdf,
        name="monitoring_version_pdf",
    ),
    path("programmes/<int:pk>/exports/", views.programme_exports, name="programme_exports"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]

from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/export.json", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/replace/", views.plan_replace, name="plan_replace"),
    path("plans/<int:pk>/sections/<slug:slug>/", views.section, name="section"),
    path("plans/<int:pk>/sections/<slug:slug>/preview/", views.preview, name="preview"),
    path("plans/<int:pk>/attachments/", views.attachments, name="attachments"),
    path(
        "plans/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "plans/<int:pk>/attachments/<int:attachment_pk>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    # Review workflow (plan pages)
    # -- reviewer dashboard and programmes: below this line --
]

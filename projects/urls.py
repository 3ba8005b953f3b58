from django.urls import include, path

from projects import dashboard, survey_views, views

app_name = "projects"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/import/", views.plan_import, name="plan_import"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/export.json", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/replace/", views.plan_replace, name="plan_replace"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("plans/<int:pk>/sections/<slug:slug>/", views.section, name="section"),
    path("plans/<int:pk>/sections/<slug:slug>/preview/", views.preview, name="preview"),
    path("plans/<int:pk>/attachments/", views.attachments, name="attachments"),
    path("plans/<int:pk>/survey/", survey_views.survey_page, name="survey"),
    path("plans/<int:pk>/survey/<slug:action>/", survey_views.survey_action, name="survey_action"),
    path("s/<str:token>/", survey_views.public_survey, name="public_survey"),
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
    path("plans/<int:pk>/figures/", views.figure_add, name="figure_add"),
    path("plans/<int:pk>/figures/<int:figure_pk>/", views.figure_image, name="figure_image"),
    path(
        "plans/<int:pk>/figures/<int:figure_pk>/delete/",
        views.figure_delete,
        name="figure_delete",
    ),
    # Review workflow (plan pages)
    path("plans/<int:pk>/transition/<slug:name>/", views.plan_transition, name="transition"),
    path("plans/<int:pk>/comments/", views.comment_add, name="comment_add"),
    path(
        "plans/<int:pk>/comments/<int:comment_pk>/resolve/",
        views.comment_resolve,
        name="comment_resolve",
    ),
    path("plans/<int:pk>/history/", views.plan_history, name="history"),
    path("plans/<int:pk>/compare/", views.plan_compare, name="compare"),
    path(
        "plans/<int:pk>/versions/<int:number>.json",
        views.version_document,
        name="version_document",
    ),
    # -- reviewer dashboard and programmes: below this line --
    path("review/", dashboard.review_queue, name="review_queue"),
    path("programmes/", dashboard.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", dashboard.programme_detail, name="programme_detail"),
    # Registration and the public registry (projects.registration)
    path("", include("projects.registration.urls")),
    # Monitoring reports of registered plans (projects.monitoring)
    path("", include("projects.monitoring.urls")),
]

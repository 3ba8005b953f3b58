"""Included by projects.urls, so the names are in the `projects` namespace."""

from django.urls import path

from projects.registration import views

urlpatterns = [
    path("plans/<int:pk>/register/", views.plan_register, name="plan_register"),
    path("registry/", views.registry, name="registry"),
    path("registry/<int:pk>/", views.registry_detail, name="registry_detail"),
]

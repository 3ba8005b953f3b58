from django.urls import path

from accounts import views

app_name = "site_admin"
urlpatterns = [
    path("site-admin/", views.search, name="search"),
    path("site-admin/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("site-admin/users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("site-admin/organisations/new/", views.organisation_create, name="organisation_create"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from projects.api.main import urlpatterns as api_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_urlpatterns()),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works before signing in too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("projects.urls")),
    path("", include("projects.api.urls")),
    path("", include("projects.calculator.urls")),
    path("", include("projects.credits.urls")),
    path("", include("reports.urls")),
]
# Uploaded files are never served from MEDIA_URL: each download goes through a
# view that checks who may see the plan.

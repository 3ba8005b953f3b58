from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.i18n import set_language

from projects.api.main import urlpatterns as api_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_urlpatterns()),
    # Sign-up, sign-in, e-mail confirmation, password change and reset,
    # two-factor (/accounts/2fa/) and sessions (/accounts/sessions/): django-allauth.
    path("accounts/", include("allauth.urls")),
    # The language switch works before signing in too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Browsers ask for /favicon.ico whatever the page links; the site's icon is an SVG.
    path(
        "favicon.ico",
        # Resolved per request: the hashed name exists only once static files are collected.
        login_not_required(lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    ),
    path("", include("projects.organisations.urls")),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("projects.api.urls")),
    path("", include("projects.calculator.urls")),
    path("", include("projects.credits.urls")),
    path("", include("reports.urls")),
]
# Uploaded files are never served from MEDIA_URL: each download goes through a
# view that checks who may see the plan.

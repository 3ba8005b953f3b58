"""Two-factor sign-in is required of those who approve plans, verify and keep
the site: reviewers, verifiers and site administrators
(settings.REQUIRE_TWO_FACTOR_FOR_STAFF, on unless turned off, as the demo does)."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from projects.models import Membership

# Pages open to them before two-factor is on: the account pages themselves
# (setting up two-factor, signing out, sessions), the language switch, files.
EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/favicon")


def two_factor_required(user) -> bool:
    """Whether the user must sign in with two factors to act on this site."""
    if not settings.REQUIRE_TWO_FACTOR_FOR_STAFF or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, role__in=[Membership.Role.REVIEWER, Membership.Role.VERIFIER]
        ).exists()
    )


class TwoFactorRequiredMiddleware:
    """Sends a reviewer, verifier or site administrator without an authenticator
    app to set one up, whatever page they asked for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.REQUIRE_TWO_FACTOR_FOR_STAFF
            and request.user.is_authenticated
            and not request.path_info.startswith(EXEMPT_PREFIXES)
            and two_factor_required(request.user)
            and not is_mfa_enabled(request.user, types=["totp"])
        ):
            return self._to_setup(request)
        return self.get_response(request)

    @staticmethod
    def _to_setup(request):
        url = reverse("mfa_activate_totp")
        messages.warning(
            request,
            _("您的角色（審查者、查證者或系統管理者）須先啟用兩步驟驗證，才能繼續使用。"),
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)

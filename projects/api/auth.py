"""`Authorization: Bearer <token>` with a personal API token (projects/api/models.py).

The API never reads the session cookie: a signed-in browser is not an API
client, and so no API call needs CSRF protection. A reviewer, verifier or site
administrator who must sign in with two factors (accounts.middleware) and has
not set them up is refused here as the web pages refuse them (403), whenever
the token was made."""

from allauth.mfa.utils import is_mfa_enabled
from ninja.security import HttpBearer

from accounts.middleware import two_factor_required
from projects.api.errors import ApiError
from projects.api.services import token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            if two_factor_required(user) and not is_mfa_enabled(user, types=["totp"]):
                raise ApiError(
                    403,
                    "your role requires two-factor sign-in: set it up on the web "
                    "(/accounts/2fa/) before using the API",
                )
            request.user = user  # what the permission predicates and services are given
        return user


token_auth = TokenAuth()

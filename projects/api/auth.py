"""`Authorization: Bearer <token>` with a personal API token (projects/api/models.py).

The API never reads the session cookie: a signed-in browser is not an API
client, and so no API call needs CSRF protection."""

from ninja.security import HttpBearer

from projects.api.services import token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user  # what the permission predicates and services are given
        return user


token_auth = TokenAuth()

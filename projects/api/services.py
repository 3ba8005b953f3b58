"""Creating, revoking and checking personal API tokens."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.api.models import ApiToken

SECRET_PREFIX = "op_"  # tells an offset-plans token apart in a leaked-secrets scan
PREFIX_SHOWN = 10  # characters of the secret kept in clear for the list
MAX_ACTIVE_TOKENS = 20  # per user
LAST_USED_PRECISION = 60  # seconds: a token used every second is written once a minute


class TokenError(Exception):
    """A token could not be created; the message is for the user."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> NewToken:
    """A new token for `user`; the secret is returned here and nowhere else."""
    # Lock the user's row so that two tabs cannot both pass the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(
            _("最多只能有 %(count)d 個有效的權杖；請先撤銷不再使用的權杖。")
            % {"count": MAX_ACTIVE_TOKENS}
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=secret[:PREFIX_SHOWN], token_hash=hash_secret(secret)
    )
    return NewToken(token=token, secret=secret)


def token_revoke(*, user, pk: int) -> ApiToken:
    """Revoke one of the user's own tokens (ApiToken.DoesNotExist for anyone else's)."""
    token = ApiToken.objects.get(user=user, pk=pk)
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db()
    return token


def token_user(secret: str):
    """The active user a secret belongs to, or None (unknown, revoked, or user inactive)."""
    if not secret or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(token_hash=digest, user__is_active=True)
        .first()
    )
    # The lookup is by hash; compare again in constant time for good measure.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        LAST_USED_PRECISION
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

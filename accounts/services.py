"""Site administrators' actions on accounts."""

from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.events import record
from accounts.models import AccountEvent
from projects.permissions import is_site_administrator


class AccountError(Exception):
    """A refused action; the message is for the user."""


def account_set_active(*, user, by, active: bool, request=None):
    """Deactivate an account (it can no longer sign in, and every session it has
    ends now) or let it sign in again. Site administrators only, never on
    their own account."""
    if not is_site_administrator(by):
        raise AccountError(_("只有系統管理者可以停用帳號。"))
    if user.pk == by.pk:
        raise AccountError(_("不能停用自己的帳號。"))
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        kind = AccountEvent.Kind.REACTIVATED if active else AccountEvent.Kind.DEACTIVATED
        record(user, kind, actor=by, request=request)
    if not active:
        # Inactive users are signed out on their next request anyway (the
        # authentication backend refuses them); ending the sessions also
        # takes them off the list of signed-in places.
        for session in UserSession.objects.filter(user=user):
            session.end()
    return user

"""An account's history from the sign-in, password and two-factor signals of
Django and django-allauth (connected when this module is imported, in
AccountsConfig.ready())."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.db.models import Q
from django.dispatch import receiver

from accounts.events import record
from accounts.models import AccountEvent

Kind = AccountEvent.Kind


@receiver(auth_signals.user_logged_in, dispatch_uid="accounts-signed-in")
def signed_in(sender, request, user, **kwargs):
    record(user, Kind.SIGNED_IN, actor=user, request=request)


@receiver(auth_signals.user_logged_out, dispatch_uid="accounts-signed-out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, Kind.SIGNED_OUT, actor=user, request=request)


@receiver(auth_signals.user_login_failed, dispatch_uid="accounts-sign-in-failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    """A wrong password for an existing account (unknown names leave no trace)."""
    login = credentials.get("email") or credentials.get("username") or ""
    if not login:
        return
    user = (
        get_user_model()
        .objects.filter(
            Q(username__iexact=login)
            | Q(emailaddress__email__iexact=login)
            | Q(email__iexact=login)
        )
        .distinct()
        .first()
    )
    if user is not None:
        record(user, Kind.SIGN_IN_FAILED, actor=None, request=request)


@receiver(account_signals.user_signed_up, dispatch_uid="accounts-signed-up")
def signed_up(sender, request, user, **kwargs):
    record(user, Kind.SIGNED_UP, actor=user, request=request)


@receiver(account_signals.email_confirmed, dispatch_uid="accounts-email-confirmed")
def email_confirmed(sender, request, email_address, **kwargs):
    record(email_address.user, Kind.EMAIL_CONFIRMED, request=request, detail=email_address.email)


@receiver(account_signals.password_changed, dispatch_uid="accounts-password-changed")
def password_changed(sender, request, user, **kwargs):
    record(user, Kind.PASSWORD_CHANGED, actor=user, request=request)


@receiver(account_signals.password_reset, dispatch_uid="accounts-password-reset")
def password_reset(sender, request, user, **kwargs):
    record(user, Kind.PASSWORD_RESET, actor=user, request=request)


@receiver(mfa_signals.authenticator_added, dispatch_uid="accounts-mfa-added")
def authenticator_added(sender, request, user, authenticator, **kwargs):
    kind = Kind.RECOVERY_CODES if authenticator.type == "recovery_codes" else Kind.TWO_FACTOR_ON
    record(user, kind, actor=user, request=request)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="accounts-mfa-reset")
def authenticator_reset(sender, request, user, authenticator, **kwargs):
    record(user, Kind.RECOVERY_CODES, actor=user, request=request)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="accounts-mfa-removed")
def authenticator_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type != "recovery_codes":
        record(user, Kind.TWO_FACTOR_OFF, actor=user, request=request)

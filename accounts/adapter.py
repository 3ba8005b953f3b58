"""django-allauth, fitted to this site: links in e-mails from SITE_URL, every
e-mail with an HTML part, failed sign-ins counted per account, the client
address as the rest of the site takes it, and two-factor kept by those who
must have it."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.mail import site_link, with_html
from config.middleware import client_address


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "登入失敗次數過多：請 15 分鐘後再試，在這之前即使密碼正確也無法登入。"
            "若忘記密碼，請以「忘記密碼」重設。"
        ),
    }

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_link(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_link(path.replace("UID-KEY", key))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """As allauth's, without the sites framework: our e-mails name SITE_URL
        (and some are sent after the request, once a transaction commits)."""
        context = {"request": self.request, "email": email, "site_url": site_link(""), **context}
        self.render_mail(template_prefix, email, context).send()

    def render_mail(self, template_prefix, email, context, headers=None):
        return with_html(super().render_mail(template_prefix, email, context, headers))

    def get_client_ip(self, request) -> str:
        return client_address(request) or "0.0.0.0"

    def get_signup_redirect_url(self, request) -> str:
        """A new account starts by creating or joining an organisation."""
        return reverse("organisations:list")

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins count per account, whichever of its names (username or
        any of its e-mail addresses) they were tried with; per name typed when no
        account has it."""
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        user = (
            get_user_model()
            .objects.filter(Q(username__iexact=login) | Q(emailaddress__email__iexact=login))
            .values_list("pk", flat=True)
            .first()
            if login
            else None
        )
        return f"account:{user}" if user is not None else f"login:{login}"


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Reviewers, verifiers and site administrators keep their authenticator
        app while the site requires it of them."""
        from accounts.middleware import two_factor_required

        if authenticator.type == "totp" and two_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)

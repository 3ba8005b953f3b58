from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("帳號與安全")

    def ready(self):
        from accounts import receivers  # noqa: F401  (connects the signal receivers)

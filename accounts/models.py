"""An account's history: what happened to it and who did it, for the site
administrators' account page (accounts.views.user_detail)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountEvent(models.Model):
    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", _("註冊")
        SIGNED_IN = "signed_in", _("登入")
        SIGN_IN_FAILED = "sign_in_failed", _("登入失敗")
        SIGNED_OUT = "signed_out", _("登出")
        EMAIL_CONFIRMED = "email_confirmed", _("確認電子郵件")
        PASSWORD_CHANGED = "password_changed", _("變更密碼")
        PASSWORD_RESET = "password_reset", _("重設密碼")
        TWO_FACTOR_ON = "two_factor_on", _("啟用兩步驟驗證")
        TWO_FACTOR_OFF = "two_factor_off", _("停用兩步驟驗證")
        RECOVERY_CODES = "recovery_codes", _("產生備用代碼")
        SESSIONS_ENDED = "sessions_ended", _("結束工作階段")
        DEACTIVATED = "deactivated", _("停用帳號")
        REACTIVATED = "reactivated", _("恢復帳號")
        JOINED = "joined", _("加入組織")
        ROLE_CHANGED = "role_changed", _("變更角色")
        REMOVED = "removed", _("移出組織")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_events",
        verbose_name=_("帳號"),
    )
    kind = models.CharField(_("事件"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("執行者"),
    )
    detail = models.CharField(_("說明"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("來源位址"), null=True, blank=True)
    at = models.DateTimeField(_("時間"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("帳號事件")
        verbose_name_plural = _("帳號事件")

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.at:%Y-%m-%d %H:%M}"

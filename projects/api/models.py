"""Personal API tokens. Only a hash of the secret is stored: the secret is shown once,
when the token is created, and a database dump gives nobody a usable token."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名稱"), max_length=100)
    # The first characters of the secret, shown in the list so that a user can
    # tell their tokens apart; too short to guess the rest from.
    prefix = models.CharField(_("開頭"), max_length=12)
    # sha256 of the secret (hex). The secret holds 256 random bits, so a fast hash
    # is as safe as a slow one and a lookup by hash is one indexed query.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("建立時間"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最後使用時間"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤銷時間"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API 權杖")
        verbose_name_plural = _("API 權杖")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

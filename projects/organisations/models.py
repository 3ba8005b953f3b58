"""Bringing people into an organisation: invitations by e-mail (sent by its
owners) and requests to join (approved by its owners)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def token_digest(token: str) -> str:
    """Only a digest of an invitation's token is stored: whoever reads the
    database cannot accept an invitation meant for someone else."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    organisation = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("組織"),
    )
    email = models.EmailField(_("電子郵件"))
    role = models.CharField(_("角色"), max_length=10)
    is_owner = models.BooleanField(_("管理者"), default=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("邀請者"),
    )
    created_at = models.DateTimeField(_("邀請時間"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期限"))
    accepted_at = models.DateTimeField(_("接受時間"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接受者"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("邀請")
        verbose_name_plural = _("邀請")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待審核")
        APPROVED = "approved", _("已核准")
        DECLINED = "declined", _("已婉拒")

    organisation = models.ForeignKey(
        "projects.Organisation",
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("組織"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("申請人"),
    )
    message = models.CharField(_("說明"), max_length=500, blank=True)
    status = models.CharField(
        _("狀態"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("申請時間"), auto_now_add=True)
    decided_at = models.DateTimeField(_("處理時間"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("處理者"),
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]
        verbose_name = _("加入申請")
        verbose_name_plural = _("加入申請")

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"

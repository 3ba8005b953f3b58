"""Rendered artefacts: stored PDFs of approved versions and programme ZIP exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import PlanVersion, Programme
from projects.monitoring.models import MonitoringReportVersion


def version_pdf_path(instance, filename):
    return f"pdf/plan-{instance.version.plan_id}/v{instance.version.number}.pdf"


class VersionPdf(models.Model):
    """The official PDF of an approved version, rendered once and kept."""

    version = models.OneToOneField(PlanVersion, on_delete=models.PROTECT, related_name="pdf")
    file = models.FileField(upload_to=version_pdf_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("核准版本 PDF")
        verbose_name_plural = _("核准版本 PDF")


def monitoring_pdf_path(instance, filename):
    return f"pdf/monitoring-{instance.version.report_id}/v{instance.version.number}.pdf"


class MonitoringVersionPdf(models.Model):
    """The 監測報告書 PDF of an approved report's version, with the verifier's figure
    and statement, rendered once when the approval commits and kept."""

    version = models.OneToOneField(
        MonitoringReportVersion, on_delete=models.PROTECT, related_name="pdf"
    )
    file = models.FileField(upload_to=monitoring_pdf_path)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("核准監測報告書 PDF")
        verbose_name_plural = _("核准監測報告書 PDF")


def export_path(instance, filename):
    return f"exports/programme-{instance.programme_id}/{filename}"


class ProgrammeExport(models.Model):
    """A ZIP of the PDFs of every approved sub-project of a programme."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排隊中")
        RUNNING = "running", _("產製中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失敗")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to=export_path, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("方案匯出")
        verbose_name_plural = _("方案匯出")

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total

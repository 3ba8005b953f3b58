"""Monitoring reports (監測報告書) of registered plans: one per monitoring period,
numbered 1, 2, 3… per plan, holding what was measured (equipment groups in the
three shapes of the plan's calculation, monthly readings, refrigerant topped up,
leakage, evidence), frozen versions and history. `report_document` writes a
report as an `offset-monitoring/1` document (../shared/monitoring-format.md).

Invariants: a period lies within one calendar year and within the plan's
registered crediting period, and does not overlap another report of the plan
(`validate_period`; the services check it under a lock on the plan, and on
PostgreSQL an exclusion constraint backs the overlap rule)."""

import hashlib
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from methodologies.engine.document import MAX_ANNUAL_HOURS, MAX_PERIOD_HOURS, SHAPE_KEYS
from methodologies.models import GwpEdition
from projects.dates import roc_long
from projects.models import (
    NON_NEGATIVE,
    QUANTITY,
    CommentBase,
    FrozenVersion,
    Membership,
    Organisation,
    Plan,
    PlanRow,
    Side,
    quantity_field,
    validate_one_line,
)

MONITORING_FORMAT = "offset-monitoring/1"


class MonitoringReportQuerySet(models.QuerySet):
    """The one place that says which monitoring reports a user sees; the
    predicates in projects/monitoring/permissions.py build on it."""

    def visible_to(self, user):
        """Who sees a report:
        - members (editors and read-only) of the plan's applicant organisation,
          whatever the report's state;
        - reviewers of the plan's reviewing authority (the programme's for a
          sub-project), once the report is out of draft;
        - verifiers of the verification body named on the report, once it is
          out of draft (a report sent back to draft is the applicant's alone);
        - site administrators (superusers): every report."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        member_of = Membership.organisations_of(user)
        reviewer_of = Membership.organisations_of(user, Membership.Role.REVIEWER)
        verifier_of = Membership.organisations_of(user, Membership.Role.VERIFIER)
        out_of_draft = ~models.Q(status=MonitoringReport.Status.DRAFT)
        authority = models.Q(
            plan__programme__isnull=False, plan__programme__authority__in=reviewer_of
        ) | models.Q(plan__programme__isnull=True, plan__authority__in=reviewer_of)
        return self.filter(
            models.Q(plan__organisation__in=member_of)
            | (authority & out_of_draft)
            | (models.Q(verification_body__in=verifier_of) & out_of_draft)
        )

    def assigned_to(self, user):
        """Reports the user verifies: out of draft and naming one of the user's
        verification bodies."""
        if not user.is_authenticated:
            return self.none()
        verifier_of = Membership.organisations_of(user, Membership.Role.VERIFIER)
        return self.filter(verification_body__in=verifier_of).exclude(
            status=MonitoringReport.Status.DRAFT
        )


class MonitoringReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送查證")
        UNDER_VERIFICATION = "under_verification", _("查證中")
        VERIFIED = "verified", _("查證完成")
        CHANGES_REQUESTED = "changes_requested", _("退回修正")
        APPROVED = "approved", _("核准")

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        related_name="monitoring_reports",
        verbose_name=_("計畫書"),
    )
    number = models.PositiveIntegerField(_("監測報告書序號"), editable=False)
    period_start = models.DateField(_("監測期間起"))
    period_end = models.DateField(_("監測期間迄"))
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    emission_factor_year = models.PositiveSmallIntegerField(
        _("排碳係數年度（西元）"),
        help_text=_("監測期間所屬年度；該年度係數於次年公告，公告前報告書維持草稿。"),
    )
    line_loss = models.DecimalField(
        _("線路損失率（分數）"),
        null=True,
        blank=True,
        **QUANTITY,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.99999999"))],
    )
    gwp_edition = models.CharField(
        _("GWP 版本"),
        max_length=3,
        choices=GwpEdition.choices,
        blank=True,
        help_text=_("空白表示採預設的 AR5。"),
    )
    leakage_tco2e = models.DecimalField(
        _("洩漏量 LE (tCO2e)"), default=Decimal("0"), validators=NON_NEGATIVE, **QUANTITY
    )
    explanation = models.TextField(
        _("減量高於預估之說明"),
        blank=True,
        help_text=_("實際減量高於計畫書對本期的預估時，須說明原因。"),
    )
    verification_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_reports",
        limit_choices_to={"kind": Organisation.Kind.VERIFIER},
        verbose_name=_("查驗機構"),
    )
    verified_reduction_tco2e = models.IntegerField(
        _("查證減量 (tCO2e)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("查驗機構確認的減量，不得高於報告書申報的減量。"),
    )
    # The engine's last results (offset-monitoring-results/1), refreshed by the
    # services after every change; null while the inputs are incomplete.
    results = models.JSONField(_("計算結果"), null=True, blank=True, editable=False)
    # The latest frozen version (None until first submitted).
    current_version = models.ForeignKey(
        "MonitoringReportVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("送查證時間"), null=True, blank=True, editable=False)
    # Bumped by every write of the report's content: a page carries the revision
    # it was read at, and a save from an older read is refused (as Plan.revision).
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("建立者"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MonitoringReportQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("監測報告書")
        verbose_name_plural = _("監測報告書")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_report_number"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="monitoring_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__year=models.F("period_end__year")),
                name="monitoring_period_one_calendar_year",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_reduction_tco2e__isnull=True)
                | models.Q(verified_reduction_tco2e__gte=0),
                name="verified_reduction_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} #{self.number}"

    @property
    def claimed_reduction(self) -> int | None:
        """The reduction the report claims (whole tonnes), once computed."""
        return int(self.results["reduction_tco2e"]) if self.results else None

    def clean(self):
        errors: dict[str, list] = {}
        if self.plan_id and self.period_start and self.period_end:
            try:
                validate_period(
                    self.plan, self.period_start, self.period_end, report=self if self.pk else None
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        if self.verification_body_id and self.verification_body.kind != Organisation.Kind.VERIFIER:
            errors.setdefault("verification_body", []).append(_("請選擇查驗機構。"))
        claimed = self.claimed_reduction
        if (
            self.verified_reduction_tco2e is not None
            and claimed is not None
            and self.verified_reduction_tco2e > claimed
        ):
            errors.setdefault("verified_reduction_tco2e", []).append(
                _("查證減量 %(verified)s tCO2e 不得高於報告書申報的 %(claimed)s tCO2e。")
                % {"verified": self.verified_reduction_tco2e, "claimed": claimed}
            )
        if errors:
            raise ValidationError(errors)


def validate_period(
    plan: Plan, start: date, end: date, *, report: MonitoringReport | None = None
) -> None:
    """A monitoring period of `plan` (for `report`, when it exists already): in
    order, within one calendar year, within the registered crediting period, not
    overlapping another report of the plan. Raise ValidationError at
    `period_start` / `period_end` with every rule broken."""
    errors: dict[str, list] = {}
    if end < start:
        errors.setdefault("period_end", []).append(_("監測期間結束日不可早於開始日。"))
    elif start.year != end.year:
        errors.setdefault("period_end", []).append(
            _("監測期間須在同一日曆年內（%(start)s 至 %(end)s 跨越兩個年度）；請分成兩份報告書。")
            % {"start": roc_long(start), "end": roc_long(end)}
        )
    if not plan.is_registered:
        errors.setdefault("period_start", []).append(_("計畫書註冊後才能提出監測報告書。"))
    else:
        credit_start, credit_end = plan.registered_crediting_start, plan.registered_crediting_end
        if start < credit_start or start > credit_end:
            errors.setdefault("period_start", []).append(
                _("監測期間須在註冊計入期 %(start)s 至 %(end)s 之內。")
                % {"start": roc_long(credit_start), "end": roc_long(credit_end)}
            )
        if end > credit_end or end < credit_start:
            errors.setdefault("period_end", []).append(
                _("監測期間須在註冊計入期 %(start)s 至 %(end)s 之內。")
                % {"start": roc_long(credit_start), "end": roc_long(credit_end)}
            )
    if end >= start:
        others = MonitoringReport.objects.filter(
            plan=plan, period_start__lte=end, period_end__gte=start
        )
        if report is not None and report.pk:
            others = others.exclude(pk=report.pk)
        other = others.order_by("number").first()
        if other is not None:
            errors.setdefault("period_start", []).append(
                _("監測期間與第 %(number)d 號監測報告書（%(start)s 至 %(end)s）重疊。")
                % {
                    "number": other.number,
                    "start": roc_long(other.period_start),
                    "end": roc_long(other.period_end),
                }
            )
    if errors:
        raise ValidationError(errors)


def period_hours(report: MonitoringReport) -> int:
    """The most hours a device can run in the report's period: 24 × its days."""
    return 24 * ((report.period_end - report.period_start).days + 1)


class MonitoringGroup(PlanRow):
    """What was measured of one kind of equipment during the period, in one of the
    shapes of the plan's EquipmentGroup, with `hours` (in the period) in place of
    `annual_hours`; `count` is the number of devices in operation."""

    class Shape(models.TextChoices):
        POWER = "power", _("固定功率 × 運轉時數")
        CHILLER = "chiller", _("冷凍能力 × 單位耗能 × 運轉時數")
        PERIODS = "periods", _("逐月監測")

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="groups")
    side = models.CharField(_("情境"), max_length=8, choices=Side.choices)
    shape = models.CharField(_("計算方式"), max_length=8, choices=Shape.choices)
    name = models.CharField(_("設備名稱"), max_length=200, validators=[validate_one_line])
    count = models.PositiveIntegerField(
        _("運轉中設備數量"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000_000)]
    )
    power_kw = quantity_field(_("功率 (kW)"))
    capacity_rt = quantity_field(_("冷凍能力 (RT)"))
    kw_per_rt = quantity_field(_("單位耗能 (kW/RT)"))
    hours = quantity_field(
        _("監測期間運轉時數 (小時)"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(MAX_ANNUAL_HOURS))],
    )

    # The figures each shape uses, as in EquipmentGroup (annual_hours → hours).
    SHAPE_FIELDS = {
        shape: tuple("hours" if key == "annual_hours" else key for key in keys if key != "periods")
        for shape, keys in SHAPE_KEYS.items()
    }

    class Meta(PlanRow.Meta):
        verbose_name = _("監測設備群組")
        verbose_name_plural = _("監測設備群組")

    def clean(self):
        if self.hours is not None and self.report_id and self.report.period_start:
            limit = period_hours(self.report)
            if self.hours > limit:
                raise ValidationError(
                    {
                        "hours": _("運轉時數不可超過監測期間的 %(limit)s 小時（24 × 日數）。")
                        % {"limit": limit}
                    }
                )


class MonitoringGroupPeriod(models.Model):
    """One month of a periods-shaped monitoring group: power × hours, or metered kWh."""

    group = models.ForeignKey(MonitoringGroup, on_delete=models.CASCADE, related_name="periods")
    month = models.CharField(_("月份 (YYYY-MM)"), max_length=7)
    power_kw = quantity_field(_("耗電功率 (kW)"))
    hours = quantity_field(
        _("運轉時數 (小時)"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(MAX_PERIOD_HOURS))],
    )
    energy_kwh = quantity_field(_("電錶用電量 (kWh)"))

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["group", "month"], name="one_monitored_month")
        ]
        verbose_name = _("逐月監測資料")
        verbose_name_plural = _("逐月監測資料")

    def clean(self):
        try:
            year, month = (int(part) for part in self.month.split("-"))
            first = date(year, month, 1)
        except ValueError:
            raise ValidationError({"month": _("月份請寫成 YYYY-MM，例如 2022-07。")}) from None
        report = self.group.report if self.group_id else None
        if report is None or not report.period_start:
            return
        last = date(year + month // 12, month % 12 + 1, 1)  # the first day after the month
        if last <= report.period_start or first > report.period_end:
            raise ValidationError(
                {
                    "month": _("%(month)s 不在監測期間 %(start)s 至 %(end)s 之內。")
                    % {
                        "month": self.month,
                        "start": roc_long(report.period_start),
                        "end": roc_long(report.period_end),
                    }
                }
            )


class MonitoringRefrigerant(models.Model):
    """Refrigerant topped up or leaked during the period, one per side."""

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="refrigerants"
    )
    side = models.CharField(_("情境"), max_length=8, choices=Side.choices)
    code = models.CharField(_("冷媒代號"), max_length=20)
    quantity_t = models.DecimalField(
        _("監測期間補充／洩漏量 (t)"), validators=NON_NEGATIVE, **QUANTITY
    )
    gwp = quantity_field(_("GWP (tCO2e/t)"), help_text=_("空白時採參考資料表的數值。"))
    odp = quantity_field(_("ODP"), help_text=_("空白時採參考資料表的數值。"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "side"], name="one_monitored_refrigerant")
        ]
        verbose_name = _("監測冷媒")
        verbose_name_plural = _("監測冷媒")


def monitoring_attachment_path(instance, filename):
    return f"monitoring/{instance.report_id}/attachments/{filename}"


class MonitoringAttachmentQuerySet(models.QuerySet):
    def current(self):
        """What the report holds now: without evidence withdrawn from the draft
        (kept only because a submitted version lists it)."""
        return self.filter(withdrawn_at__isnull=True)


class MonitoringAttachment(PlanRow):
    """Evidence of what was measured (meter readings, invoices, photos), or the
    verification body's 查證總結報告.

    A submitted version lists the evidence it was submitted with, by SHA-256
    (`MonitoringReportVersion.evidence`); such a file is never deleted: removing
    it from a later draft only marks it withdrawn."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("監測佐證")
        VERIFICATION_STATEMENT = "verification_statement", _("查證總結報告")

    report = models.ForeignKey(
        MonitoringReport, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("類別"), max_length=22, choices=Kind.choices, default=Kind.EVIDENCE)
    label = models.CharField(_("附件編號"), max_length=20)
    description = models.CharField(_("說明"), max_length=300)
    file = models.FileField(_("檔案"), upload_to=monitoring_attachment_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上傳者"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The file's fingerprint, taken when it is stored (`save`).
    sha256 = models.CharField(_("雜湊值"), max_length=64, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("位元組"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("自草稿移除時間"), null=True, blank=True, editable=False)

    objects = MonitoringAttachmentQuerySet.as_manager()

    class Meta(PlanRow.Meta):
        verbose_name = _("監測附件")
        verbose_name_plural = _("監測附件")

    def __str__(self) -> str:
        return f"{self.label} {self.description}"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    def save(self, *args, **kwargs):
        if self._state.adding and self.file and not self.sha256:
            self.sha256, self.size = file_fingerprint(self.file)
        super().save(*args, **kwargs)

    def manifest(self) -> dict:
        """How a submitted version lists this file."""
        return {
            "id": self.pk,
            "label": self.label,
            "description": self.description,
            "filename": self.filename,
            "size": self.size,
            "sha256": self.sha256,
        }


def file_fingerprint(file) -> tuple[str, int]:
    """SHA-256 and size of a stored or uploaded file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    file.open("rb")
    try:
        file.seek(0)
        for chunk in file.chunks():
            digest.update(chunk)
            size += len(chunk)
    finally:
        file.seek(0)
    return digest.hexdigest(), size


class MonitoringReportVersion(FrozenVersion):
    """What was submitted: the report as an `offset-monitoring/1` document and its
    results, numbered per report. Immutable once written (as PlanVersion)."""

    frozen_name = "submitted monitoring report version"

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版次"))
    document = models.JSONField(_("監測報告書內容"))
    results = models.JSONField(_("計算結果"))
    reduction_tco2e = models.IntegerField(_("申報減量 (tCO2e)"))
    # Every reference figure the version was computed with (the year's emission
    # factor, refrigerant GWP/ODP), so that it never depends on today's tables.
    reference = models.JSONField(_("參考資料"), default=dict)
    # The evidence submitted with it (MonitoringAttachment.manifest each): those
    # files stay, whatever later drafts do.
    evidence = models.JSONField(_("監測佐證"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("送出者")
    )
    created_at = models.DateTimeField(_("送出時間"), auto_now_add=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="one_report_version_number")
        ]
        verbose_name = _("監測報告書版本")
        verbose_name_plural = _("監測報告書版本")

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class MonitoringEvent(models.Model):
    """The report's history: its creation, every transition and change, verification."""

    class Kind(models.TextChoices):
        CREATED = "created", _("建立")
        TRANSITION = "transition", _("狀態變更")
        CHANGE = "change", _("內容修改")
        COMMENT = "comment", _("意見")
        VERIFICATION = "verification", _("查證")

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(
        max_length=20, choices=MonitoringReport.Status.choices, blank=True
    )
    to_status = models.CharField(max_length=20, choices=MonitoringReport.Status.choices, blank=True)
    message = models.TextField(blank=True)
    # For changes: [{"path": ..., "before": ..., "after": ...}]
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("監測報告書歷程")
        verbose_name_plural = _("監測報告書歷程")


class MonitoringComment(CommentBase):
    """A verifier's or the authority's remark on a section of a monitoring report
    (optionally a field), or a reply to one by either side or the applicant: the
    plan review's comments (projects.models.CommentBase) on a report."""

    class Section(models.TextChoices):
        GENERAL = "general", _("整體")
        ACTIVITY = "activity", _("一、專案活動描述")
        MONITORING = "monitoring", _("二、監測情形說明")
        CALCULATION = "calculation", _("三、減量計算")
        ADDITIONALITY = "additionality", _("四、法規外加性")
        EVIDENCE = "evidence", _("佐證資料")
        VERIFICATION = "verification", _("查證")

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="comments")
    # The version the remark was made on (None before the first submission).
    version = models.ForeignKey(
        MonitoringReportVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
    )
    section = models.CharField(_("章節"), max_length=20, choices=Section.choices)

    class Meta(CommentBase.Meta):
        verbose_name = _("監測報告書意見")
        verbose_name_plural = _("監測報告書意見")

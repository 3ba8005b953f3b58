"""A whole 計畫書 as normalised data.

A Plan holds the scalar fields of sections 一 to 五; repeating parts (participants,
the equipment table, calculation groups and their monthly periods, refrigerants,
service-level pairs, parameter notes, stakeholder tiers, attachments) are rows
of their own. The interchange document (`offset-plan/1`) is produced from and
read into these models by `projects.interchange`.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from methodologies.engine.document import MAX_ANNUAL_HOURS, SHAPE_KEYS
from methodologies.engine.reader import MAX_QUANTITY
from methodologies.models import CONDITION_COUNT, GwpEdition, Methodology, Regulation

# Quantities keep what the applicant typed: up to 8 decimals, never a float, and
# below the engine's MAX_QUANTITY (10^15, so at most 15 integer digits): the one
# limit that forms, import (projects.schema) and docs/interchange.md follow. The
# column has room for 16 integer digits; the validator holds it to 15.
QUANTITY = {"max_digits": 24, "decimal_places": 8}
QUANTITY_LIMIT = MaxValueValidator(MAX_QUANTITY - Decimal(1).scaleb(-QUANTITY["decimal_places"]))
NON_NEGATIVE = [MinValueValidator(Decimal("0")), QUANTITY_LIMIT]
# The highest table number a caption of the 計畫書 may carry (表12 …).
TABLE_NUMBER_MAX = 999


def validate_one_line(value: str) -> None:
    """Names and titles appear in e-mail subjects, lists and the PDF's headings."""
    if "\n" in value or "\r" in value:
        raise ValidationError(_("請寫成一行，不可換行。"), code="one_line")


TAX_ID_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)


def validate_tax_id(value: str) -> None:
    """統一編號: eight digits whose weighted digit sum is divisible by 5 (since 2023;
    by 10 before, which 5 also admits); when the seventh digit is 7 its product
    10 + 8 may count as 1 or 0."""
    if len(value) != 8 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("統一編號應為 8 位數字。"), code="tax_id_format")
    total = 0
    for digit, weight in zip(value, TAX_ID_WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    if total % 5 == 0 or (value[6] == "7" and (total + 1) % 5 == 0):
        return
    raise ValidationError(_("統一編號的檢查碼不正確，請再核對一次。"), code="tax_id_checksum")


def quantity_field(verbose_name, **kwargs):
    kwargs.setdefault("validators", NON_NEGATIVE)
    return models.DecimalField(verbose_name, null=True, blank=True, **QUANTITY, **kwargs)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        APPLICANT = "applicant", _("申請單位")
        AUTHORITY = "authority", _("主管機關")
        VERIFIER = "verifier", _("查驗機構")

    name = models.CharField(_("名稱"), max_length=200, unique=True)
    kind = models.CharField(_("類別"), max_length=10, choices=Kind.choices, default=Kind.APPLICANT)
    city = models.CharField(_("縣市"), max_length=20, blank=True)
    tax_id = models.CharField(_("統一編號"), max_length=8, blank=True, validators=[validate_tax_id])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    representative = models.CharField(_("負責人"), max_length=100, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_id"], condition=~models.Q(tax_id=""), name="unique_tax_id"
            )
        ]
        verbose_name = _("組織")
        verbose_name_plural = _("組織")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        EDITOR = "editor", _("申請者（可編輯）")
        VIEWER = "viewer", _("申請者（唯讀）")
        REVIEWER = "reviewer", _("審查者")
        VERIFIER = "verifier", _("查證者")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    # Owners manage the organisation's members and invitations on top of their
    # role's rights (an applicant's owners edit; an authority's review). A flag
    # rather than a role, so that every rule asking for editors or reviewers
    # counts owners too.
    is_owner = models.BooleanField(_("管理者"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership"),
            models.CheckConstraint(
                condition=~models.Q(is_owner=True, role="viewer"), name="owner_not_read_only"
            ),
        ]
        verbose_name = _("成員")
        verbose_name_plural = _("成員")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @classmethod
    def organisations_of(cls, user, role: str | None = None):
        """The ids of the organisations the user belongs to (in that role), as a subquery."""
        memberships = cls.objects.filter(user=user)
        if role is not None:
            memberships = memberships.filter(role=role)
        return memberships.values("organisation")


class Programme(models.Model):
    """A 方案型抵換專案 run by an authority; applicants' sub-projects join it."""

    authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="programmes",
        limit_choices_to={"kind": Organisation.Kind.AUTHORITY},
        verbose_name=_("主管機關"),
    )
    title = models.CharField(
        _("方案型抵換專案計畫書名稱"), max_length=200, validators=[validate_one_line]
    )
    version = models.CharField(_("版本"), max_length=20)
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("減量方法")
    )
    city = models.CharField(_("縣市"), max_length=20, blank=True)
    is_open = models.BooleanField(_("開放新增子專案"), default=True)
    holds_credits = models.BooleanField(
        _("本專案碳權全數歸屬主管機關"),
        default=False,
        help_text=_("勾選時，子專案核發的減量額度存入主管機關的帳戶，而非申請單位的帳戶。"),
    )
    # The programme's own 專案編號 (B-0000271): its sub-projects are numbered under
    # it (B-0000271-002). Blank until the first sub-project is registered, which
    # takes it from the authority's numbering scheme (projects.registration).
    project_number = models.CharField(
        _("專案編號"),
        max_length=40,
        blank=True,
        help_text=_(
            "方案型抵換專案的專案編號；空白時於第一個子專案註冊時依主管機關的編號樣式給號。"
        ),
    )

    class Meta:
        ordering = ["title", "version"]
        constraints = [
            models.UniqueConstraint(fields=["title", "version"], name="unique_programme_version"),
            models.UniqueConstraint(
                fields=["project_number"],
                condition=~models.Q(project_number=""),
                name="unique_programme_project_number",
            ),
        ]
        verbose_name = _("方案型抵換專案")
        verbose_name_plural = _("方案型抵換專案")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class PlanQuerySet(models.QuerySet):
    """The one place that says which plans a user sees, edits and reviews;
    projects/permissions.py builds every other rule on these."""

    @staticmethod
    def _with_reviewers(user) -> models.Q:
        """Plans with the user's authorities' reviewers: the reviewing authority
        (the programme's for a sub-project, the named one for an individual
        plan) is one of the user's, and the plan has been submitted and is not
        a draft now (a withdrawn plan goes back to its applicant alone)."""
        reviewer_of = Membership.organisations_of(user, Membership.Role.REVIEWER)
        return (
            (
                models.Q(programme__isnull=False, programme__authority__in=reviewer_of)
                | models.Q(programme__isnull=True, authority__in=reviewer_of)
            )
            & models.Q(current_version__isnull=False)
            & ~models.Q(status=Plan.Status.DRAFT)
        )

    def visible_to(self, user):
        """Who sees a plan:
        - members (editors and read-only) of the applicant organisation;
        - reviewers of the authority that reviews it, while it is submitted,
          under review or decided (never a draft, withdrawn ones included);
        - site administrators (superusers): every plan."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        member_of = Membership.organisations_of(user)
        return self.filter(models.Q(organisation__in=member_of) | self._with_reviewers(user))

    def editable_by(self, user):
        """Plans the user may change: editors of the applicant organisation,
        while the plan is a draft or changes were requested."""
        if not user.is_authenticated:
            return self.none()
        editor_of = Membership.organisations_of(user, Membership.Role.EDITOR)
        return self.filter(organisation__in=editor_of, status__in=Plan.EDITABLE_STATUSES)

    def reviewable_by(self, user):
        """Plans the user reviews: those with their authorities (see `_with_reviewers`)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self._with_reviewers(user))

    def registered(self):
        """Plans their authority registered (projects.registration): public, with a
        project number and a registered crediting period."""
        return self.filter(registered_at__isnull=False)


class Plan(models.Model):
    class Type(models.TextChoices):
        INDIVIDUAL = "individual", _("計畫型")
        SUB_PROJECT = "sub_project", _("方案型子專案")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已送審")
        UNDER_REVIEW = "under_review", _("審查中")
        CHANGES_REQUESTED = "changes_requested", _("退回修正")
        APPROVED = "approved", _("核准")
        REJECTED = "rejected", _("駁回")

    class ApplicationKind(models.TextChoices):
        NEW = "new", _("新申請")
        RENEWAL_1 = "renewal_1", _("展延：第一次")
        RENEWAL_2 = "renewal_2", _("展延：第二次")

    class Crediting(models.TextChoices):
        FIXED = "fixed", _("固定型（10年）")
        RENEWABLE = "renewable", _("展延型（7年）")

    class Category(models.TextChoices):
        ENERGY_SAVING = "energy_saving", _("節能類型")
        RENEWABLE = "renewable", _("再生能源類型")
        EMISSION_REDUCTION = "emission_reduction", _("減碳類型")

    class Technology(models.TextChoices):
        LIGHTING = "lighting", _("照明")
        CHILLER = "chiller", _("冰水主機")
        OTHER = "other", _("其他")

    class EnergyUnit(models.TextChoices):
        KWH = "kWh", "kWh"
        MWH = "MWh", "MWh"

    class LifetimeExemption(models.TextChoices):
        ENERGY_SAVING = "energy_saving", _("屬節能類型專案，得免除壽齡佐證限制")
        TRANSPORT = "transport", _("引用運輸業類別減量方法，屬汰舊換新措施得免除壽齡佐證限制")
        CDM_TOOL = "cdm_tool", _("清潔發展機制設備壽齡評估工具預設年限")
        THIRD_PARTY = "third_party", _("經第三方檢測單位進行評估，應檢附相關證明文件")
        SUPPLIER = "supplier", _("設備預設使用年限，應檢附設備供應商提供之證明文件")
        STATISTICS = "statistics", _("國家統計資料")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="plans", verbose_name=_("申請單位")
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sub_projects",
        verbose_name=_("方案型抵換專案"),
    )
    authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_plans",
        limit_choices_to={"kind": Organisation.Kind.AUTHORITY},
        verbose_name=_("審查機關"),
        help_text=_("計畫型專案的審查機關；方案型子專案由方案的主管機關審查。"),
    )
    status = models.CharField(
        _("狀態"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # The latest frozen version (None until first submitted) and when it was sent.
    current_version = models.ForeignKey(
        "PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(_("送審時間"), null=True, blank=True, editable=False)
    # Bumped by every write of the plan's content; a section page carries the
    # revision it was read at, and a save from an older read is refused.
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The engine's last results (offset-plan-results/1), refreshed by the services
    # after every change, so that lists need no calculation. Null while the
    # calculation inputs are incomplete.
    results = models.JSONField(_("計算結果"), null=True, blank=True, editable=False)

    # 一 基本資料
    type = models.CharField(_("專案型態"), max_length=12, choices=Type.choices)
    number = models.CharField(_("專案編號"), max_length=40, blank=True)
    applicant_name = models.CharField(_("公司/單位名稱"), max_length=200, blank=True)
    title = models.CharField(
        _("計畫名稱"), max_length=200, blank=True, validators=[validate_one_line]
    )
    version = models.CharField(_("計畫書版本"), max_length=20, blank=True)
    prepared_on = models.DateField(_("製作日期"), null=True, blank=True)
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("減量方法")
    )
    sector = models.CharField(_("範疇別"), max_length=2, blank=True, default="03")
    # The methodology's lines of 一 as the plan words them; empty: printed from the
    # reference data as the registered chiller plan has them.
    methodology_wording = models.TextField(
        _("減量編號/名稱（計畫書用語）"),
        blank=True,
        help_text=_("留空則依參考資料印出，例如 AMS-II.C 需求端利用特定技術的能源效率活動「…」。"),
    )
    methodology_version_wording = models.TextField(
        _("減量方法版本（計畫書用語）"),
        blank=True,
        help_text=_("留空則印 Version 與版本號，例如 Version 15.0。"),
    )
    sector_wording = models.TextField(
        _("範疇別（計畫書用語）"),
        blank=True,
        help_text=_("留空則印範疇別名稱，例如 能源需求業。"),
    )
    total_reduction_stated_tco2e = quantity_field(_("計畫書所載專案總減量 (tCO2e)"))

    # 二 專案活動描述
    sub_project_methodology_ok = models.BooleanField(_("符合減量方法"), default=False)
    sub_project_boundary_ok = models.BooleanField(_("位於方案型專案邊界內"), default=False)
    application_kind = models.CharField(
        _("申請類別"), max_length=10, choices=ApplicationKind.choices, blank=True
    )
    crediting = models.CharField(
        _("計入期型態"), max_length=10, choices=Crediting.choices, blank=True
    )
    crediting_start = models.DateField(_("專案計入期起"), null=True, blank=True)
    crediting_end = models.DateField(_("專案計入期迄"), null=True, blank=True)
    crediting_note = models.CharField(_("計入期附註"), max_length=200, blank=True)
    category = models.CharField(_("專案類型"), max_length=20, choices=Category.choices, blank=True)
    technology = models.CharField(
        _("設備技術"), max_length=10, choices=Technology.choices, blank=True
    )
    start_date = models.DateField(_("專案起始日"), null=True, blank=True)
    annual_savings_stated_kwh = quantity_field(_("計畫書所載每年總節電量 (度)"))
    cost_setup = quantity_field(_("設置成本（元）"))
    cost_energy = quantity_field(_("能源或燃料成本（元）"))
    cost_subsidy = quantity_field(_("政府補助（元）"))
    cost_operation = quantity_field(_("維運成本（含人力）（元）"))
    cost_other = quantity_field(_("其他費用（元）"))
    cost_other_label = models.CharField(_("其他費用項目"), max_length=100, blank=True)
    cost_note = models.TextField(_("費用說明"), blank=True)
    site_address = models.CharField(_("執行地點"), max_length=300, blank=True)
    twd97_x = quantity_field(_("TWD97/TM2 X 座標"))
    twd97_y = quantity_field(_("TWD97/TM2 Y 座標"))
    measures = models.TextField(_("減量措施、設備說明"), blank=True)
    old_equipment_since = models.DateField(_("舊設備起始使用時間"), null=True, blank=True)
    remaining_life_years = quantity_field(_("設備剩餘壽齡（年）"))
    lifetime_exemption = models.CharField(
        _("壽齡佐證"), max_length=20, choices=LifetimeExemption.choices, blank=True
    )
    lifetime_detail = models.TextField(_("設備壽齡說明"), blank=True)
    lifetime_tool_equipment = models.CharField(
        _("壽齡評估工具之設備名稱"), max_length=200, blank=True
    )
    lifetime_tool_years = quantity_field(_("壽齡評估工具預設值（年）"))
    lifetime_supplier_years = models.CharField(_("設備預設使用年限"), max_length=100, blank=True)
    lifetime_statistics_years = quantity_field(_("國家統計資料（年）"))
    lifetime_statistics_source = models.CharField(_("國家統計資料來源"), max_length=200, blank=True)

    # 三 外加性分析（法規）
    additionality_none = models.BooleanField(_("無相關法規"), default=False)
    additionality_central_note = models.TextField(_("中央法規說明"), blank=True)
    additionality_local_note = models.TextField(_("地方自治條例說明"), blank=True)
    additionality_policy_note = models.TextField(_("政策、方案、綱領說明"), blank=True)
    additionality_other_name = models.CharField(_("其他法規"), max_length=200, blank=True)
    additionality_other_note = models.TextField(_("其他法規說明"), blank=True)
    conditions_footnote = models.TextField(
        _("適用條件註腳"),
        blank=True,
        help_text=_("印在適用條件表所在頁的頁尾；在條件用語中寫 [1] 標示註腳號碼的位置。"),
    )
    saving_rate_year = models.PositiveSmallIntegerField(
        _("節電措施年度（西元）"), null=True, blank=True
    )
    saving_rate_previous_kwh = quantity_field(_("前一年實際用電量 G (度)"))
    saving_rate_required_percent = quantity_field(_("法規要求年節電率 (%)"))

    # 四 計算方法
    baseline_scenario = models.TextField(_("基線情境說明"), blank=True)
    project_scenario = models.TextField(_("專案情境說明"), blank=True)
    # The text after the headings (一) 基線排放量計算，公式(BE_y)： and (二) 專案排放量計算，
    # 公式(PE_y)：, as the lighting plan words which option of the methodology it follows.
    baseline_method = models.TextField(_("基線排放量計算說明"), blank=True)
    project_method = models.TextField(_("專案排放量計算說明"), blank=True)
    emission_factor_value = quantity_field(
        _("電力排碳係數 (kgCO2e/kWh)"),
        validators=[MinValueValidator(Decimal("0.00000001")), QUANTITY_LIMIT],
    )
    emission_factor_year = models.PositiveSmallIntegerField(
        _("排碳係數年度（西元）"), null=True, blank=True
    )
    line_loss = models.DecimalField(
        _("線路損失率（分數）"),
        null=True,
        blank=True,
        **QUANTITY,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.99999999"))],
    )
    leakage_tco2e = models.DecimalField(
        _("洩漏量 LE_y (tCO2e)"), default=Decimal("0"), validators=NON_NEGATIVE, **QUANTITY
    )
    leakage_not_applicable = models.BooleanField(_("洩漏量不適用"), default=False)
    leakage_note = models.TextField(_("洩漏量說明"), blank=True)
    # How section 四 prints: the plan's own units (blank: by technology, as the
    # registered plans do: lighting in MWh and 具, a chiller in kWh and 台) and
    # whether its formulas carry numbers, 公式(1)–(6), as the chiller plan prints them.
    energy_unit = models.CharField(
        _("能源單位"),
        max_length=3,
        choices=[("", _("依設備技術")), *EnergyUnit.choices],
        blank=True,
    )
    count_unit = models.CharField(_("設備數量單位"), max_length=10, blank=True)
    formula_numbers = models.BooleanField(_("公式編號"), default=False)
    gwp_edition = models.CharField(
        _("GWP 版本"),
        max_length=3,
        choices=GwpEdition.choices,
        blank=True,
        help_text=_("空白表示採預設的 AR5。"),
    )
    service_level_metric = models.CharField(_("服務水平指標"), max_length=50, blank=True)
    service_level_mode = models.CharField(
        _("服務水平比較方式"),
        max_length=10,
        blank=True,
        choices=[
            ("aggregate", _("加總比較")),
            ("range", _("範圍比較")),
            ("per_point", _("逐點比較")),
        ],
    )

    # 五 環境衝擊分析與公眾意見
    environment_summary = models.TextField(_("環境衝擊分析"), blank=True)
    environment_construction = models.TextField(_("施工期間"), blank=True)
    environment_crediting = models.TextField(_("專案活動執行減量期間"), blank=True)
    consultation_identification = models.TextField(_("利害相關者鑑別"), blank=True)
    consultation_collection = models.TextField(_("利害相關者意見蒐集"), blank=True)
    consultation_summary = models.TextField(_("利害相關者意見總結"), blank=True)
    # The prose around the computed survey tables, where the registered chiller
    # plan has it: the answers to the concerns raised, and the closing paragraph.
    consultation_responses = models.TextField(
        _("對受訪者意見之回應"),
        blank=True,
        help_text=_("印在各題統計之後，例如針對負面影響的改善措施、對其他意見的說明。"),
    )
    consultation_conclusion = models.TextField(
        _("公眾意見結論"),
        blank=True,
        help_text=_("印在意見總結最後、公眾意見調查結果分析表之前。"),
    )
    consultation_tier_table_number = models.PositiveSmallIntegerField(
        _("「公眾意見調查對象」表號"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(TABLE_NUMBER_MAX)],
        help_text=_("計畫書中此表的編號，例如 12 印為「表12 公眾意見調查對象」；留空則不編號。"),
    )
    survey_open = models.BooleanField(_("線上問卷開放填答"), default=False)

    # 註冊 (projects.registration.services.register_plan). A registered plan stays
    # APPROVED (so the review workflow, the approved PDF and the dashboards are
    # unchanged); `registered_at` says it is registered. The applicant's
    # crediting_start/end stay as written, for the record; the registered
    # period runs from the registration date for the years the crediting type
    # allows. All of these are set together or not at all.
    project_number = models.CharField(_("註冊專案編號"), max_length=40, blank=True, editable=False)
    registered_on = models.DateField(_("註冊日期"), null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(_("註冊登錄時間"), null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("註冊者"),
    )
    registered_version = models.ForeignKey(
        "PlanVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("註冊版本"),
    )
    registered_crediting_start = models.DateField(
        _("註冊計入期起"), null=True, blank=True, editable=False
    )
    registered_crediting_end = models.DateField(
        _("註冊計入期迄"), null=True, blank=True, editable=False
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        verbose_name = _("計畫書")
        verbose_name_plural = _("計畫書")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(crediting_end__isnull=True)
                | models.Q(crediting_start__isnull=True)
                | models.Q(crediting_end__gte=models.F("crediting_start")),
                name="crediting_period_in_order",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        registered_at__isnull=True,
                        registered_on__isnull=True,
                        registered_version__isnull=True,
                        registered_crediting_start__isnull=True,
                        registered_crediting_end__isnull=True,
                        project_number="",
                    )
                    | (
                        models.Q(
                            registered_at__isnull=False,
                            registered_on__isnull=False,
                            registered_version__isnull=False,
                            registered_crediting_start__isnull=False,
                            registered_crediting_end__gte=models.F("registered_crediting_start"),
                        )
                        & ~models.Q(project_number="")
                    )
                ),
                name="registration_complete",
            ),
            models.UniqueConstraint(
                fields=["project_number"],
                condition=~models.Q(project_number=""),
                name="unique_plan_project_number",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    @property
    def reviewing_authority(self) -> Organisation | None:
        return self.programme.authority if self.programme_id else self.authority

    @property
    def annual_reduction(self) -> int | None:
        return int(self.results["annual_reduction_tco2e"]) if self.results else None

    @property
    def total_reduction(self) -> int | None:
        return int(self.results["total_reduction_tco2e"]) if self.results else None

    def get_absolute_url(self) -> str:
        return reverse("projects:plan_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.type == self.Type.INDIVIDUAL and self.programme_id:
            errors["programme"] = _("計畫型專案不屬於方案型抵換專案。")
        if (
            self.crediting_start
            and self.crediting_end
            and self.crediting_end < self.crediting_start
        ):
            errors["crediting_end"] = _("計入期結束日不可早於開始日。")
        if errors:
            raise ValidationError(errors)


class Side(models.TextChoices):
    BASELINE = "baseline", _("基線（舊設備）")
    PROJECT = "project", _("專案（新設備）")


class PlanRow(models.Model):
    """A repeating part of a plan, kept in the order the applicant gave."""

    order = models.PositiveSmallIntegerField(_("順序"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "pk"]


class Participant(PlanRow):
    class Role(models.TextChoices):
        MANAGER = "manager", _("整合管理專案及分配減量額度")
        IMPLEMENTER = "implementer", _("實際減量單位 / 實際執行者")
        INVESTOR = "investor", _("專案規劃、投資者")
        OTHER = "other", _("其他參與單位")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    name = models.CharField(_("單位名稱"), max_length=200)
    description = models.TextField(_("說明"), blank=True)

    class Meta(PlanRow.Meta):
        verbose_name = _("參與機構")
        verbose_name_plural = _("參與機構")


class EquipmentItem(PlanRow):
    """One column of the old-vs-new equipment table of section 二."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="equipment")
    side = models.CharField(_("新舊"), max_length=8, choices=Side.choices)
    brand = models.CharField(_("廠牌"), max_length=200, blank=True)
    model = models.CharField(_("型號"), max_length=200, blank=True)
    spec = models.CharField(_("規格"), max_length=200, blank=True)
    efficacy = models.CharField(_("效率（如 lm/W、kW/RT）"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(
        _("數量"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    unit = models.CharField(_("單位"), max_length=10, blank=True, default="具")
    location = models.CharField(_("裝設地點"), max_length=200, blank=True)
    note = models.TextField(_("其他"), blank=True)

    class Meta(PlanRow.Meta):
        verbose_name = _("設備規格")
        verbose_name_plural = _("設備規格")


class ScheduleStep(PlanRow):
    """One row of the installation timetable (換裝時程: 時間, 作業內容)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="schedule")
    month = models.CharField(_("時間 (YYYY-MM)"), max_length=7)
    step = models.CharField(_("作業內容"), max_length=300)

    class Meta(PlanRow.Meta):
        verbose_name = _("換裝時程")
        verbose_name_plural = _("換裝時程")


class ApplicabilityAnswer(models.Model):
    class Answer(models.TextChoices):
        COMPLIES = "complies", _("符合")
        NOT_APPLICABLE = "not_applicable", _("不適用")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="applicability")
    condition = models.PositiveSmallIntegerField(
        _("條件"), validators=[MinValueValidator(1), MaxValueValidator(CONDITION_COUNT)]
    )
    answer = models.CharField(_("符合性"), max_length=15, choices=Answer.choices, blank=True)
    explanation = models.TextField(_("說明與佐證"), blank=True)
    # The condition as the plan words it; empty: the reference data's wording.
    wording = models.TextField(
        _("條件用語"),
        blank=True,
        help_text=_("留空則印參考資料的條件內容；[1] 標示適用條件註腳的位置。"),
    )

    class Meta:
        ordering = ["condition"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "condition"], name="one_answer_per_condition")
        ]
        verbose_name = _("適用條件說明")
        verbose_name_plural = _("適用條件說明")


class RegulationChoice(models.Model):
    """A regulation ticked in the additionality checklist, with its explanation."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="regulations")
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, verbose_name=_("法規"))
    explanation = models.TextField(_("說明"), blank=True)

    class Meta:
        ordering = ["regulation__group", "regulation__order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "regulation"], name="one_choice_per_regulation")
        ]
        verbose_name = _("勾選法規")
        verbose_name_plural = _("勾選法規")


class SavingMeasure(PlanRow):
    """A row of the energy-saving-rate table (節電措施, 節電量)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="saving_measures")
    label = models.CharField(_("節電措施"), max_length=200)
    savings_kwh = models.DecimalField(_("節電量（度）"), validators=NON_NEGATIVE, **QUANTITY)

    class Meta(PlanRow.Meta):
        verbose_name = _("節電措施")
        verbose_name_plural = _("節電措施")


class EquipmentGroup(PlanRow):
    """One kind of equipment in the calculation (section 四), in one of three shapes."""

    class Shape(models.TextChoices):
        POWER = "power", _("固定功率 × 年運轉時數")
        CHILLER = "chiller", _("冷凍能力 × 單位耗能 × 年運轉時數")
        PERIODS = "periods", _("逐月監測")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="groups")
    side = models.CharField(_("情境"), max_length=8, choices=Side.choices)
    shape = models.CharField(_("計算方式"), max_length=8, choices=Shape.choices)
    name = models.CharField(_("設備名稱"), max_length=200)
    count = models.PositiveIntegerField(
        _("數量 n_i"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000_000)]
    )
    power_kw = quantity_field(_("功率 ρ_i (kW)"))
    capacity_rt = quantity_field(_("冷凍能力 (RT)"))
    kw_per_rt = quantity_field(_("單位耗能 (kW/RT)"))
    annual_hours = quantity_field(
        _("年運轉時數 o_i (小時)"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal(MAX_ANNUAL_HOURS))],
    )

    class Meta(PlanRow.Meta):
        verbose_name = _("計算設備群組")
        verbose_name_plural = _("計算設備群組")

    # The figures each shape uses: the engine's keys of the shape (SHAPE_KEYS),
    # a periods group's months being rows of their own. A draft may leave them
    # empty; the calculation (and so submission) requires them.
    SHAPE_FIELDS = {
        shape: tuple(key for key in keys if key != "periods") for shape, keys in SHAPE_KEYS.items()
    }
    FIGURE_FIELDS = tuple(dict.fromkeys(name for names in SHAPE_FIELDS.values() for name in names))


class GroupPeriod(models.Model):
    """One monitored month of a periods-shaped group: power × hours, or metered kWh."""

    group = models.ForeignKey(EquipmentGroup, on_delete=models.CASCADE, related_name="periods")
    month = models.CharField(_("月份 (YYYY-MM)"), max_length=7)
    power_kw = quantity_field(_("耗電功率 (kW)"))
    hours = quantity_field(
        _("運轉時數 (小時)"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("744"))],
    )
    energy_kwh = quantity_field(_("電錶用電量 (kWh)"))

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["group", "month"], name="one_reading_per_month")
        ]
        verbose_name = _("逐月資料")
        verbose_name_plural = _("逐月資料")


class PlanRefrigerant(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="refrigerants")
    side = models.CharField(_("情境"), max_length=8, choices=Side.choices)
    code = models.CharField(_("冷媒代號"), max_length=20)
    annual_quantity_t = models.DecimalField(
        _("年補充／洩漏量 Q_ref (t)"), validators=NON_NEGATIVE, **QUANTITY
    )
    gwp = quantity_field(_("GWP (tCO2e/t)"), help_text=_("空白時採參考資料表的數值。"))
    odp = quantity_field(_("ODP"), help_text=_("空白時採參考資料表的數值。"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "side"], name="one_refrigerant_per_side")
        ]
        verbose_name = _("冷媒")
        verbose_name_plural = _("冷媒")


class ServiceLevelPair(PlanRow):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="service_pairs")
    location = models.CharField(_("量測位置"), max_length=200)
    baseline = models.DecimalField(
        _("基線"), validators=[MinValueValidator(Decimal("0.00000001"))], **QUANTITY
    )
    project = models.DecimalField(
        _("專案"), validators=[MinValueValidator(Decimal("0.00000001"))], **QUANTITY
    )

    class Meta(PlanRow.Meta):
        verbose_name = _("服務水平量測")
        verbose_name_plural = _("服務水平量測")


class ParameterNote(models.Model):
    """One parameter row of section 四's tables: its 定義, 單位, whether it prints,
    數據來源 (預設/監測) and 說明."""

    class Table(models.TextChoices):
        BASELINE = "baseline", _("基線排放量")
        PROJECT = "project", _("專案排放量")
        LEAKAGE = "leakage", _("洩漏量")
        REDUCTION = "reduction", _("減量計算")

    class Source(models.TextChoices):
        DEFAULT = "default", _("預設")
        MONITORED = "monitored", _("監測")

    class Display(models.TextChoices):
        SHOW = "show", _("列印")
        HIDE = "hide", _("不列印")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="parameter_notes")
    table = models.CharField(_("表"), max_length=10, choices=Table.choices)
    parameter = models.CharField(_("參數"), max_length=30)
    # Blank: the row as the technology's registered plan prints it.
    definition = models.TextField(_("定義"), blank=True)
    unit = models.CharField(_("單位"), max_length=20, blank=True)
    display = models.CharField(
        _("列印"), max_length=4, choices=[("", _("依設備技術"))] + Display.choices, blank=True
    )
    source = models.CharField(_("數據來源"), max_length=10, choices=Source.choices, blank=True)
    note = models.TextField(_("說明"), blank=True)

    class Meta:
        ordering = ["table", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "table", "parameter"], name="one_note_per_parameter"
            )
        ]
        verbose_name = _("參數說明")
        verbose_name_plural = _("參數說明")


class StakeholderTier(PlanRow):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stakeholder_tiers")
    name = models.CharField(_("類別"), max_length=50)
    definition = models.TextField(_("定義"), blank=True)
    targets = models.TextField(_("對象人員"), blank=True)
    survey_month = models.CharField(_("調查時間 (YYYY-MM)"), max_length=7, blank=True)
    copies_sent = models.PositiveIntegerField(_("發送份數"), null=True, blank=True)
    # Paper forms received; online answers are counted from their responses.
    copies_returned = models.PositiveIntegerField(_("紙本回收份數"), null=True, blank=True)

    class Meta(PlanRow.Meta):
        verbose_name = _("利害相關者類別")
        verbose_name_plural = _("利害相關者類別")

    def clean(self):
        if (
            self.copies_sent is not None
            and self.copies_returned is not None
            and self.copies_returned > self.copies_sent
        ):
            raise ValidationError({"copies_returned": _("回收份數不可多於發送份數。")})


def attachment_path(instance, filename):
    return f"plans/{instance.plan_id}/attachments/{filename}"


class Attachment(PlanRow):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    label = models.CharField(_("附件編號"), max_length=20)
    description = models.CharField(_("說明"), max_length=300)
    file = models.FileField(_("檔案"), upload_to=attachment_path, blank=True)

    class Meta(PlanRow.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return f"{self.label} {self.description}"


def figure_path(instance, filename):
    return f"plans/{instance.plan_id}/figures/{filename}"


class PlanFigure(PlanRow):
    """An image printed in a section of the 計畫書 with its caption. The file is
    what `projects.figures.print_image` made of the upload; a submitted version
    keeps its own copy of the bytes in its document, so replacing or deleting a
    draft's figure never changes a version's PDF."""

    class Slot(models.TextChoices):
        BEFORE_AFTER = "before_after", _("專案實施前後示意圖")
        EQUIPMENT = "equipment", _("設備照片")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="figures")
    slot = models.CharField(_("位置"), max_length=20, choices=Slot.choices)
    caption = models.CharField(_("圖說"), max_length=300)
    image = models.FileField(_("圖片"), upload_to=figure_path)
    media_type = models.CharField(_("格式"), max_length=20)
    sha256 = models.CharField(_("雜湊值"), max_length=64)
    size = models.PositiveIntegerField(_("位元組"))

    class Meta(PlanRow.Meta):
        verbose_name = _("圖片")
        verbose_name_plural = _("圖片")

    def __str__(self) -> str:
        return f"{self.get_slot_display()} {self.caption}"


class FrozenError(Exception):
    """A submitted version is a record; nothing may change it."""


class FrozenVersion(models.Model):
    """A submitted version (of a plan, of a monitoring report): written once, then
    never changed nor deleted. `frozen_name` names it in the refusal."""

    frozen_name = "submitted version"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError(f"a {self.frozen_name} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"a {self.frozen_name} cannot be deleted")


class PlanVersion(FrozenVersion):
    """What was submitted: the plan as an `offset-plan/1` document and its
    results, numbered per plan. Immutable once written."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版次"))
    document = models.JSONField(_("計畫書內容"))
    results = models.JSONField(_("計算結果"))
    annual_reduction_tco2e = models.IntegerField(_("每年減量 (tCO2e)"))
    total_reduction_tco2e = models.IntegerField(_("計入期總減量 (tCO2e)"))
    # Every reference figure the version was computed with (emission factors,
    # refrigerant GWP/ODP by edition, conditions' wording, regulation names), so
    # that its results and PDF never depend on today's reference tables.
    reference = models.JSONField(_("參考資料"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("送審者")
    )
    created_at = models.DateTimeField(_("送審時間"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_version_number")
        ]
        verbose_name = _("送審版本")
        verbose_name_plural = _("送審版本")

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class CommentBase(models.Model):
    """A remark on a section (optionally a field) of what is reviewed, or a reply
    to one: the fields a plan's review comments and a monitoring report's
    verification and review comments share. A thread is a comment without a
    parent; its replies point at it. The concrete model adds what it is about
    and its `Section` choices."""

    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    section = models.CharField(_("章節"), max_length=20)
    field = models.CharField(_("欄位"), max_length=100, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField(_("意見"))
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("已處理"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class ReviewComment(CommentBase):
    """A reviewer's remark on a section (optionally a field) of a plan, or a reply to one."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )

    class Section(models.TextChoices):
        GENERAL = "general", _("整體")
        BASIC = "basic", _("一、基本資料")
        ACTIVITY = "activity", _("二、專案活動描述")
        APPLICABILITY = "applicability", _("三、減量方法應用說明")
        CALCULATION = "calculation", _("四、計算方法")
        ENVIRONMENT = "environment", _("五、環境衝擊分析與公眾意見")
        ATTACHMENTS = "attachments", _("附件")

    section = models.CharField(_("章節"), max_length=20, choices=Section.choices)

    class Meta(CommentBase.Meta):
        verbose_name = _("審查意見")
        verbose_name_plural = _("審查意見")


class PlanEvent(models.Model):
    """The plan's history: every transition and every change after submission."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("狀態變更")
        CHANGE = "change", _("內容修改")
        COMMENT = "comment", _("審查意見")
        REGISTRATION = "registration", _("註冊")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Plan.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Plan.Status.choices, blank=True)
    message = models.TextField(blank=True)
    # For changes: [{"path": ..., "before": ..., "after": ...}]
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("歷程")
        verbose_name_plural = _("歷程")


class Question(PlanRow):
    """A question of the plan's stakeholder questionnaire (section 五)."""

    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("是非題")
        MULTI = "multi", _("複選題")
        TEXT = "text", _("意見題")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("題型"), max_length=8, choices=Kind.choices)
    text = models.TextField(_("題目"))
    summary_lead = models.CharField(
        _("摘要句用語"),
        max_length=50,
        blank=True,
        help_text=_("複選題摘要句的用語，例如「認為可以」產生「有86%的受訪者認為可以…」。"),
    )

    class Meta(PlanRow.Meta):
        verbose_name = _("問卷題目")
        verbose_name_plural = _("問卷題目")

    def __str__(self) -> str:
        return self.text


OPTION_TEXT_MAX = 200
OPTION_RESPONSE_MAX = 500


class QuestionOption(PlanRow):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("選項"), max_length=OPTION_TEXT_MAX)
    # The applicant's answer to the concern this option names, printed after its
    # share in section 五 (…造成產氣不穩定，本店將提出設備相符證明；).
    response = models.CharField(_("回應"), max_length=OPTION_RESPONSE_MAX, blank=True)

    class Meta(PlanRow.Meta):
        verbose_name = _("選項")
        verbose_name_plural = _("選項")

    def __str__(self) -> str:
        return self.text


class PaperTally(models.Model):
    """Answers counted by hand from the paper forms of one tier: for a yes/no or
    comment question the number of 是 and 否, for a multi-choice question the
    number of forms that ticked one option."""

    tier = models.ForeignKey(StakeholderTier, on_delete=models.CASCADE, related_name="tallies")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="tallies")
    option = models.ForeignKey(
        QuestionOption, on_delete=models.CASCADE, null=True, blank=True, related_name="tallies"
    )
    yes = models.PositiveIntegerField(_("是"), default=0)
    no = models.PositiveIntegerField(_("否"), default=0)
    count = models.PositiveIntegerField(_("勾選數"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "question", "option"],
                name="one_tally_per_option",
                nulls_distinct=False,
            )
        ]
        verbose_name = _("紙本問卷統計")
        verbose_name_plural = _("紙本問卷統計")


def survey_token() -> str:
    return secrets.token_urlsafe(24)


class SurveyLink(models.Model):
    """The public link through which one tier answers online, without signing in."""

    tier = models.OneToOneField(StakeholderTier, on_delete=models.CASCADE, related_name="link")
    token = models.CharField(max_length=64, unique=True, default=survey_token)
    created_at = models.DateTimeField(auto_now_add=True)


class SurveyResponse(models.Model):
    """One questionnaire answered online through a tier's public link."""

    tier = models.ForeignKey(StakeholderTier, on_delete=models.CASCADE, related_name="responses")
    # A hash of the answering browser's cookie: one answer per browser and tier.
    browser = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "browser"],
                condition=~models.Q(browser=""),
                name="one_response_per_browser",
            )
        ]
        verbose_name = _("線上問卷回覆")
        verbose_name_plural = _("線上問卷回覆")


class ResponseAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    yes = models.BooleanField(null=True)
    options = models.ManyToManyField(QuestionOption, blank=True)
    text = models.TextField(blank=True)


# Models of the domain packages (projects/<domain>/models.py): the projects app owns
# them and their migrations.
from projects.api.models import ApiToken  # noqa: E402, F401
from projects.credits.models import (  # noqa: E402, F401
    CarbonFeeDeclaration,
    CreditAccount,
    CreditBlock,
    CreditIssuance,
    LedgerEntry,
    LedgerRange,
)
from projects.monitoring.models import (  # noqa: E402, F401, I001
    MonitoringAttachment,
    MonitoringComment,
    MonitoringEvent,
    MonitoringGroup,
    MonitoringGroupPeriod,
    MonitoringRefrigerant,
    MonitoringReport,
    MonitoringReportVersion,
)
from projects.organisations.models import Invitation, JoinRequest  # noqa: E402, F401
from projects.registration.models import NumberingScheme  # noqa: E402, F401, I001

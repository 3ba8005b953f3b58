"""Reference data that plans cite: published factors, refrigerants, the
methodology's applicability conditions and the additionality catalogue.

Every row records where the figure comes from and whether it is confirmed, so
that an administrator can correct a figure without a code change."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SourcedRow(models.Model):
    source = models.CharField(_("資料來源"), max_length=300, blank=True)
    published_on = models.DateField(_("公告日期"), null=True, blank=True)
    unconfirmed = models.BooleanField(
        _("尚待確認"), default=False, help_text=_("勾選表示此數值尚未經官方公告確認。")
    )

    class Meta:
        abstract = True


class EmissionFactor(SourcedRow):
    """電力排碳係數 published by the Energy Administration for one year."""

    year = models.PositiveSmallIntegerField(_("係數年度（西元）"), unique=True)
    value = models.DecimalField(
        _("係數 (kgCO2e/kWh)"),
        max_digits=8,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("電力排碳係數")
        verbose_name_plural = _("電力排碳係數")

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class LineLossRate(SourcedRow):
    """Taipower's total line-loss rate for one year, stored as a fraction."""

    year = models.PositiveSmallIntegerField(_("年度（西元）"), unique=True)
    rate = models.DecimalField(
        _("線路損失率（分數）"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("以分數表示，例如 3.94% 填 0.0394。"),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("線路損失率")
        verbose_name_plural = _("線路損失率")

    def __str__(self) -> str:
        return f"{self.year}: {self.rate}"


class GwpEdition(models.TextChoices):
    AR4 = "AR4", "IPCC AR4"
    AR5 = "AR5", "IPCC AR5"
    AR6 = "AR6", "IPCC AR6"


class Refrigerant(SourcedRow):
    code = models.CharField(_("冷媒代號"), max_length=20, unique=True)
    name = models.CharField(_("名稱"), max_length=100, blank=True)
    odp = models.DecimalField(_("臭氧破壞潛勢 ODP"), max_digits=8, decimal_places=4)

    class Meta:
        ordering = ["code"]
        verbose_name = _("冷媒")
        verbose_name_plural = _("冷媒")

    def __str__(self) -> str:
        return self.code


class RefrigerantGwp(SourcedRow):
    """GWP-100 of a refrigerant in one IPCC assessment report."""

    refrigerant = models.ForeignKey(Refrigerant, on_delete=models.CASCADE, related_name="gwps")
    edition = models.CharField(_("評估報告版本"), max_length=3, choices=GwpEdition.choices)
    value = models.DecimalField(_("GWP (tCO2e/t)"), max_digits=10, decimal_places=3)
    published_as = models.CharField(
        _("公告寫法"),
        max_length=20,
        blank=True,
        help_text=_("公告值非單一數字時的原文，例如「<1」（計算時以 1 計）。"),
    )

    class Meta:
        ordering = ["refrigerant", "edition"]
        constraints = [
            models.UniqueConstraint(fields=["refrigerant", "edition"], name="one_gwp_per_edition")
        ]
        verbose_name = _("冷媒全球暖化潛勢")
        verbose_name_plural = _("冷媒全球暖化潛勢")

    def __str__(self) -> str:
        return f"{self.refrigerant.code} {self.edition}: {self.published_as or self.value}"


class Methodology(models.Model):
    code = models.CharField(_("減量方法編號"), max_length=30)
    version = models.CharField(_("版本"), max_length=10)
    title_zh = models.CharField(_("中文名稱"), max_length=200)
    title_en = models.CharField(_("英文名稱"), max_length=200)
    sector = models.CharField(_("範疇別"), max_length=2, default="03")
    sector_name = models.CharField(_("範疇別名稱"), max_length=50, default="能源需求業")

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_methodology_version")
        ]
        verbose_name = _("減量方法")
        verbose_name_plural = _("減量方法")

    def __str__(self) -> str:
        return f"{self.code} {self.version}"


# AMS-II.C's applicability conditions: every plan answers each, numbered 1 to 5
# (section 三, its checklist, import, the navigator and submission count these).
CONDITION_COUNT = 5


class ApplicabilityCondition(models.Model):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="conditions"
    )
    number = models.PositiveSmallIntegerField(_("條件編號"))
    text = models.TextField(_("條件內容"))
    check_id = models.CharField(
        _("對應的自動檢核"),
        max_length=30,
        blank=True,
        help_text=_("計算引擎的檢核代號，例如 service_level。"),
    )

    class Meta:
        ordering = ["methodology", "number"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "number"], name="unique_condition")
        ]
        verbose_name = _("適用條件")
        verbose_name_plural = _("適用條件")

    def __str__(self) -> str:
        return f"{self.methodology} #{self.number}"


class RegulationGroup(models.TextChoices):
    CENTRAL = "central", _("中央法規")
    LOCAL = "local", _("地方自治條例")
    POLICY = "policy", _("政策、方案、綱領")


class Regulation(SourcedRow):
    """One entry of the regulatory additionality (法規外加性) checklist."""

    code = models.SlugField(_("代號"), max_length=40, unique=True)
    group = models.CharField(_("類別"), max_length=10, choices=RegulationGroup.choices)
    name = models.CharField(_("法規名稱"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["group", "order"]
        verbose_name = _("法規外加性項目")
        verbose_name_plural = _("法規外加性項目")

    def __str__(self) -> str:
        return self.name


class SavingTarget(SourcedRow):
    """能源用戶訂定節約能源目標及執行計畫規定: required average annual saving rate."""

    first_year = models.PositiveSmallIntegerField(_("起始年度"))
    last_year = models.PositiveSmallIntegerField(_("結束年度"))
    min_contract_kw = models.PositiveIntegerField(_("契約容量下限 (kW，不含)"), default=800)
    max_contract_kw = models.PositiveIntegerField(_("契約容量上限 (kW，含)"), null=True, blank=True)
    rate_percent = models.DecimalField(_("年節電率要求 (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("說明"), max_length=200, blank=True)

    class Meta:
        ordering = ["first_year", "min_contract_kw"]
        verbose_name = _("節約能源目標")
        verbose_name_plural = _("節約能源目標")

    def __str__(self) -> str:
        return f"{self.first_year}–{self.last_year}: {self.rate_percent}%"

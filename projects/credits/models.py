"""The credit registry: accounts, issued serial blocks and the append-only ledger.

One credit (減量額度) is 1 tCO2e with its own serial number. An issuance is
one block of consecutive unit serials 1…N of one plan's monitoring period;
who holds which units is kept as serial RANGES (`CreditBlock`), split when a
transfer or retirement moves part of a block. What happened is kept as
`LedgerEntry` rows (with the `LedgerRange`s each moved): they are written once
and never changed or deleted (the models refuse it, and on PostgreSQL a
trigger does too). Balances are sums over the blocks; `manage.py check_ledger`
replays the ledger and proves the blocks agree with it.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Membership, Organisation, Plan, validate_tax_id

# 9-digit unit serials: an issuance holds at most this many credits.
MAX_UNITS = 999_999_999


class LedgerFrozen(Exception):
    """A ledger row is a record; nothing may change or delete it."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerFrozen(f"{self.model.__name__} rows are never updated")

    def delete(self):
        raise LedgerFrozen(f"{self.model.__name__} rows are never deleted")


class AppendOnly(models.Model):
    """Rows written once: `save` only inserts, `delete` is refused."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerFrozen(f"{type(self).__name__} rows are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerFrozen(f"{type(self).__name__} rows are never deleted")


class CreditAccountQuerySet(models.QuerySet):
    """The one place that says which accounts a user sees and operates."""

    def visible_to(self, user):
        """Every member of the account's organisation (any role) and site administrators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(organisation__in=Membership.organisations_of(user))

    def operable_by(self, user):
        """Who transfers and retires from the account: the organisation's editors,
        and the reviewers of an authority (an authority's staff are its reviewers;
        it holds the credits of programmes that keep them). Read-only members
        and site administrators only see it."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(organisation__in=Membership.organisations_of(user, Membership.Role.EDITOR))
            | models.Q(
                organisation__kind=Organisation.Kind.AUTHORITY,
                organisation__in=Membership.organisations_of(user, Membership.Role.REVIEWER),
            )
        )


class CreditAccount(models.Model):
    """The 減量額度帳戶 of one organisation (統一編號), created when first needed."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="credit_account",
        verbose_name=_("帳戶持有者"),
    )
    created_at = models.DateTimeField(_("開戶時間"), auto_now_add=True)

    objects = CreditAccountQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("減量額度帳戶")
        verbose_name_plural = _("減量額度帳戶")

    def __str__(self) -> str:
        return str(self.organisation)


class CreditIssuance(AppendOnly):
    """One issuance: the verified whole tonnes of one monitoring period of a plan,
    unit serials 1…quantity under one serial template frozen at issuance."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="credit_issuances", verbose_name=_("計畫書")
    )
    monitoring_number = models.PositiveIntegerField(_("監測報告書次別"))
    # The monitoring report whose approval issued these credits: one issuance per
    # report (null only for issuances recorded without one, e.g. by a test).
    report = models.OneToOneField(
        "projects.MonitoringReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_issuance",
        verbose_name=_("監測報告書"),
    )
    period_end = models.DateField(_("監測期間迄日"))
    quantity = models.PositiveIntegerField(_("核發數量 (tCO2e)"), validators=[MinValueValidator(1)])
    project_serial = models.CharField(_("專案序號"), max_length=40)
    credit_type = models.CharField(_("額度類型"), max_length=10)
    # The serial pattern with everything but the unit serials filled in, e.g.
    # "TW-B0000271002-VER-20221231-{first:09d}-{last:09d}": serials never change
    # when the setting does.
    serial_template = models.CharField(_("序號格式"), max_length=200)

    class Meta:
        ordering = ["period_end", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "monitoring_number"], name="one_issuance_per_monitoring_report"
            )
        ]
        verbose_name = _("額度核發")
        verbose_name_plural = _("額度核發")

    def __str__(self) -> str:
        return self.serial(1, self.quantity)

    def serial(self, first: int, last: int) -> str:
        return self.serial_template.format(first=first, last=last)

    @property
    def vintage(self) -> int:
        return self.period_end.year


class LedgerEntryQuerySet(AppendOnlyQuerySet):
    def retirements(self):
        return self.filter(kind=LedgerEntry.Kind.RETIREMENT)


class LedgerEntry(AppendOnly):
    """One issuance, transfer or retirement: who, when, from and to which account,
    how many, and (in its ranges) which serials."""

    class Kind(models.TextChoices):
        ISSUANCE = "issuance", _("核發")
        TRANSFER = "transfer", _("移轉")
        RETIREMENT = "retirement", _("註銷")

    class Purpose(models.TextChoices):
        CARBON_FEE = "carbon_fee", _("碳費抵減")
        INCREMENTAL_OFFSET = "incremental_offset", _("增量抵換")
        VOLUNTARY = "voluntary", _("自願註銷")

    kind = models.CharField(_("類別"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("時間"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作者"),
    )
    from_account = models.ForeignKey(
        CreditAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_out",
        verbose_name=_("轉出帳戶"),
    )
    to_account = models.ForeignKey(
        CreditAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries_in",
        verbose_name=_("轉入帳戶"),
    )
    quantity = models.PositiveIntegerField(_("數量 (tCO2e)"), validators=[MinValueValidator(1)])
    issuance = models.OneToOneField(
        CreditIssuance,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry",
        verbose_name=_("額度核發"),
    )
    # Retirements
    purpose = models.CharField(_("註銷用途"), max_length=20, choices=Purpose.choices, blank=True)
    beneficiary = models.CharField(_("受益者"), max_length=200, blank=True)
    tax_id = models.CharField(_("統一編號"), max_length=8, blank=True, validators=[validate_tax_id])
    fee_year = models.PositiveSmallIntegerField(_("碳費年度（西元）"), null=True, blank=True)
    chargeable_emissions = models.DecimalField(
        _("申報收費排放量 (tCO2e)"), max_digits=18, decimal_places=3, null=True, blank=True
    )
    deducted_emissions = models.DecimalField(
        _("抵減排放量 (tCO2e)"), max_digits=18, decimal_places=3, null=True, blank=True
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["kind", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="issuance",
                        from_account__isnull=True,
                        to_account__isnull=False,
                        issuance__isnull=False,
                    )
                    | models.Q(
                        kind="transfer",
                        from_account__isnull=False,
                        to_account__isnull=False,
                        issuance__isnull=True,
                    )
                    | models.Q(
                        kind="retirement",
                        from_account__isnull=False,
                        to_account__isnull=True,
                        issuance__isnull=True,
                    )
                    & ~models.Q(purpose="")
                ),
                name="ledger_entry_shape",
            ),
        ]
        verbose_name = _("帳戶異動")
        verbose_name_plural = _("帳戶異動")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} ({self.created_at:%Y-%m-%d})"


class LedgerRange(AppendOnly):
    """One range of unit serials an entry moved."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="ranges")
    issuance = models.ForeignKey(CreditIssuance, on_delete=models.PROTECT, related_name="+")
    first = models.PositiveIntegerField(_("起始序號"), validators=[MinValueValidator(1)])
    last = models.PositiveIntegerField(_("結束序號"), validators=[MinValueValidator(1)])

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "issuance", "first"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("first")), name="ledger_range_in_order"
            )
        ]
        verbose_name = _("序號區間")
        verbose_name_plural = _("序號區間")

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def serial(self) -> str:
        return self.issuance.serial(self.first, self.last)


class CreditBlock(models.Model):
    """Who holds a range of unit serials now: an account, or nobody once retired.
    The current state the services split and move (under row locks); the ledger
    says how it came about, and `check_ledger` proves the two agree."""

    issuance = models.ForeignKey(CreditIssuance, on_delete=models.PROTECT, related_name="blocks")
    first = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    last = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="blocks", verbose_name=_("持有帳戶")
    )
    # Times these units were transferred; the rules allow one (移轉管理辦法 Art. 26).
    transfers = models.PositiveSmallIntegerField(_("已移轉次數"), default=0)
    retired_by = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retired_blocks",
        verbose_name=_("註銷"),
    )

    class Meta:
        ordering = ["issuance", "first"]
        indexes = [models.Index(fields=["account", "retired_by"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("first")), name="credit_block_in_order"
            ),
            models.UniqueConstraint(fields=["issuance", "first"], name="one_block_per_first_unit"),
        ]
        verbose_name = _("額度區段")
        verbose_name_plural = _("額度區段")

    def __str__(self) -> str:
        return self.serial

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def serial(self) -> str:
        return self.issuance.serial(self.first, self.last)


class CarbonFeeDeclaration(AppendOnly):
    """A company's declared chargeable emissions for a year (碳費收費辦法), recorded
    with its first carbon-fee retirement. Later retirements for the same 統一編號
    and year lock this row, so that their deductions together respect the cap."""

    tax_id = models.CharField(_("統一編號"), max_length=8, validators=[validate_tax_id])
    year = models.PositiveSmallIntegerField(_("碳費年度（西元）"))
    chargeable_emissions = models.DecimalField(
        _("申報收費排放量 (tCO2e)"), max_digits=18, decimal_places=3
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tax_id", "year"], name="one_declaration_per_year")
        ]
        verbose_name = _("碳費申報排放量")
        verbose_name_plural = _("碳費申報排放量")

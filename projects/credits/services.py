"""Issuing, transferring and retiring credits.

Each service runs in one transaction and locks what it reads before deciding:
the accounts involved (in primary-key order, so that two moves between the
same accounts never deadlock) and then their blocks. Two requests at once
therefore run one after the other; the second sees what the first left and is
refused if the credits are gone. A refusal raises `CreditError` naming the form
field it belongs to, before anything is written: the ledger is unchanged.
"""

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.credits.models import (
    MAX_UNITS,
    CarbonFeeDeclaration,
    CreditAccount,
    CreditBlock,
    CreditIssuance,
    LedgerEntry,
    LedgerRange,
)
from projects.models import Organisation, Plan, validate_tax_id
from projects.templatetags.plan_format import tonnes

# The published coding as described (溫室氣體減量額度交易拍賣及移轉管理辦法 Art. 2):
# country, the project's serial, the credit type, the monitoring period's end
# date, the first and last 9-digit unit serials. An assumption until confirmed;
# see the README.
DEFAULT_SERIAL_PATTERN = "TW-{project}-{type}-{period_end:%Y%m%d}-{first:09d}-{last:09d}"
DEFAULT_CREDIT_TYPE = "VER"  # 自願減量額度 (voluntary emission reduction)

# 碳費收費辦法 Art. 9: each domestic credit deducts 1.2 t of chargeable
# emissions, and the deduction may not exceed 10 % of them.
DEDUCTION_PER_CREDIT = Decimal("1.2")
DEDUCTION_CAP = Decimal("0.1")
FIRST_FEE_YEAR = 2024
MAX_CHARGEABLE_EMISSIONS = Decimal("999999999999999")


class CreditError(Exception):
    """A refused move; `field` is the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# -- accounts --------------------------------------------------------------------


def account_for_organisation(organisation: Organisation) -> CreditAccount:
    """The organisation's account, opened on first use."""
    account, _created = CreditAccount.objects.get_or_create(organisation=organisation)
    return account


def holder_for_plan(plan: Plan) -> Organisation:
    """Whose account a plan's credits go to: its programme's authority when the
    programme holds its sub-projects' credits (本專案碳權全數歸屬…), else the
    plan's own organisation."""
    if plan.programme_id and plan.programme.holds_credits:
        return plan.programme.authority
    return plan.organisation


def account_for_plan(plan: Plan) -> CreditAccount:
    return account_for_organisation(holder_for_plan(plan))


def balance(account: CreditAccount) -> int:
    """Credits the account holds now: the sum of its unretired blocks."""
    return sum(block.size for block in account.blocks.filter(retired_by=None))


# -- serials ---------------------------------------------------------------------


class _Kept:
    """Formats as its own placeholder, so that the unit serials stay to fill in."""

    def __init__(self, name: str):
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + (f":{spec}" if spec else "") + "}"


def project_serial(plan: Plan) -> str:
    """The project's serial in the code: its registered number without separators
    (B-0000271-002 → B0000271002); the plan's id until it has one."""
    number = getattr(plan, "project_number", "") or ""
    serial = re.sub(r"[^0-9A-Za-z]", "", str(number))
    return serial or f"P{plan.pk:07d}"


def serial_template(*, plan: Plan, period_end: date, monitoring_number: int) -> str:
    """The configured pattern with all but the unit serials filled in."""
    pattern = getattr(settings, "CREDIT_SERIAL_PATTERN", "") or DEFAULT_SERIAL_PATTERN
    if "{first" not in pattern or "{last" not in pattern:
        raise ImproperlyConfigured("CREDIT_SERIAL_PATTERN must contain {first} and {last}")
    try:
        template = pattern.format(
            project=project_serial(plan),
            type=getattr(settings, "CREDIT_TYPE_CODE", "") or DEFAULT_CREDIT_TYPE,
            period_end=period_end,
            monitoring=monitoring_number,
            plan=plan.pk,
            first=_Kept("first"),
            last=_Kept("last"),
        )
        template.format(first=1, last=MAX_UNITS)
    except (KeyError, IndexError, ValueError) as error:
        raise ImproperlyConfigured(f"CREDIT_SERIAL_PATTERN cannot be used: {error}") from error
    if len(template) > CreditIssuance._meta.get_field("serial_template").max_length:
        raise ImproperlyConfigured("CREDIT_SERIAL_PATTERN gives serials that are too long")
    return template


# -- issuing ---------------------------------------------------------------------


def _whole_tonnes(quantity, field: str = "quantity") -> int:
    """A positive whole number of credits (one credit is one tonne)."""
    if isinstance(quantity, bool):
        raise CreditError(_("數量須為正整數（公噸）。"), field)
    if isinstance(quantity, (Decimal, Fraction)):
        if quantity != int(quantity):
            raise CreditError(_("減量額度以整數公噸計，數量不可有小數。"), field)
        quantity = int(quantity)
    if not isinstance(quantity, int) or quantity < 1:
        raise CreditError(_("數量須為正整數（公噸）。"), field)
    if quantity > MAX_UNITS:
        raise CreditError(_("數量不可超過 %(max)s 公噸。") % {"max": f"{MAX_UNITS:,}"}, field)
    return quantity


def issue_credits(
    *, plan: Plan, quantity, period_end: date, monitoring_number: int, by, report=None
) -> LedgerEntry:
    """Issue the verified whole tonnes of one monitoring period as one block of
    serials 1…quantity into the account the plan names (`account_for_plan`).
    Called when the authority approves the monitoring report; the caller checks
    that `by` may approve it. One issuance per plan and monitoring report."""
    quantity = _whole_tonnes(quantity)
    with transaction.atomic():
        # Lock the plan: two approvals of its reports at once issue one after the other.
        list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk"))
        if CreditIssuance.objects.filter(plan=plan, monitoring_number=monitoring_number).exists():
            raise CreditError(
                _("第 %(number)s 次監測報告書的減量額度已核發過。") % {"number": monitoring_number},
                "monitoring_number",
            )
        account = account_for_plan(plan)
        CreditAccount.objects.select_for_update().get(pk=account.pk)
        issuance = CreditIssuance.objects.create(
            plan=plan,
            monitoring_number=monitoring_number,
            report_id=getattr(report, "pk", None),
            period_end=period_end,
            quantity=quantity,
            project_serial=project_serial(plan),
            credit_type=getattr(settings, "CREDIT_TYPE_CODE", "") or DEFAULT_CREDIT_TYPE,
            serial_template=serial_template(
                plan=plan, period_end=period_end, monitoring_number=monitoring_number
            ),
        )
        entry = LedgerEntry.objects.create(
            kind=LedgerEntry.Kind.ISSUANCE,
            user=by,
            to_account=account,
            quantity=quantity,
            issuance=issuance,
        )
        LedgerRange.objects.create(entry=entry, issuance=issuance, first=1, last=quantity)
        CreditBlock.objects.create(issuance=issuance, first=1, last=quantity, account=account)
    return entry


# -- moving ----------------------------------------------------------------------


def _lock_accounts(*accounts: CreditAccount) -> None:
    ids = sorted({account.pk for account in accounts})
    list(CreditAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _held_blocks(account: CreditAccount):
    """The account's unretired blocks, locked, oldest vintage first."""
    return list(
        CreditBlock.objects.select_for_update()
        .filter(account=account, retired_by=None)
        .select_related("issuance")
        .order_by("issuance__period_end", "issuance_id", "first")
    )


def _merge_neighbours(block: CreditBlock) -> None:
    """Join the block with the adjacent blocks of its issuance in the same state
    (holder, transfers, retirement), so that an account's holdings stay as few
    ranges as they can. The neighbours belong to an account locked by the caller."""
    same = {
        "issuance_id": block.issuance_id,
        "account_id": block.account_id,
        "transfers": block.transfers,
        "retired_by_id": block.retired_by_id,
    }
    right = CreditBlock.objects.filter(first=block.last + 1, **same).first()
    if right is not None:
        right.delete()
        block.last = right.last
        block.save(update_fields=["last"])
    left = CreditBlock.objects.filter(last=block.first - 1, **same).first()
    if left is not None:
        block.delete()
        left.last = block.last
        left.save(update_fields=["last"])


def _take(blocks, quantity: int, entry: LedgerEntry, **changes) -> None:
    """Move `quantity` units from the front of `blocks`, splitting the last block
    touched; each moved range gets `changes` and a LedgerRange row."""
    remaining = quantity
    for block in blocks:
        if remaining == 0:
            break
        take = min(remaining, block.size)
        moved_first, moved_last = block.first, block.first + take - 1
        if take < block.size:
            # The block keeps the rest; the moved part becomes a block of its own.
            block.first = moved_last + 1
            block.save(update_fields=["first"])
            moved = CreditBlock.objects.create(
                issuance=block.issuance,
                first=moved_first,
                last=moved_last,
                account=changes.get("account", block.account),
                transfers=changes.get("transfers", block.transfers),
                retired_by=changes.get("retired_by"),
            )
        else:
            moved = block
            for name, value in changes.items():
                setattr(moved, name, value)
            moved.save(update_fields=list(changes))
        _merge_neighbours(moved)
        LedgerRange.objects.create(
            entry=entry, issuance=block.issuance, first=moved_first, last=moved_last
        )
        remaining -= take
    assert remaining == 0


def _refuse_above_balance(quantity: int, held: int) -> None:
    if quantity > held:
        raise CreditError(
            _("帳戶餘額只有 %(balance)s 公噸，無法移出 %(quantity)s 公噸。")
            % {"balance": held, "quantity": quantity},
            "quantity",
        )


def transfer(
    *, from_account: CreditAccount, to_account: CreditAccount, quantity, by
) -> LedgerEntry:
    """Move whole tonnes to another account, oldest vintage first. Each unit may
    be transferred once (移轉管理辦法 Art. 26): units received by a transfer can
    be retired but never transferred again."""
    quantity = _whole_tonnes(quantity)
    if from_account.pk == to_account.pk:
        raise CreditError(_("不可移轉給自己的帳戶。"), "to_tax_id")
    with transaction.atomic():
        _lock_accounts(from_account, to_account)
        blocks = _held_blocks(from_account)
        _refuse_above_balance(quantity, sum(block.size for block in blocks))
        movable = [block for block in blocks if block.transfers == 0]
        available = sum(block.size for block in movable)
        if quantity > available:
            raise CreditError(
                _(
                    "可移轉的額度只有 %(available)s 公噸：其餘 %(moved)s 公噸已移轉過一次，"
                    "依減量額度交易拍賣及移轉管理辦法第 26 條不得再次移轉（仍可註銷）。"
                )
                % {"available": available, "moved": sum(b.size for b in blocks) - available},
                "quantity",
            )
        entry = LedgerEntry.objects.create(
            kind=LedgerEntry.Kind.TRANSFER,
            user=by,
            from_account=from_account,
            to_account=to_account,
            quantity=quantity,
        )
        _take(movable, quantity, entry, account=to_account, transfers=1)
    return entry


def carbon_fee_limit(*, chargeable_emissions: Decimal, deducted_before: Decimal) -> int:
    """How many more credits may deduct: their 1.2 t each, with what was deducted
    before, at most 10 % of the chargeable emissions."""
    room = chargeable_emissions * DEDUCTION_CAP - deducted_before
    return max(int(room // DEDUCTION_PER_CREDIT), 0)


def _carbon_fee_deduction(*, quantity: int, tax_id, year, chargeable_emissions) -> dict:
    """Check a carbon-fee retirement against the cap, locking the company's
    declaration for the year so that two retirements at once count each other."""
    errors = {}
    try:
        validate_tax_id(tax_id or "")
    except ValidationError as error:
        errors["tax_id"] = error.messages[0]
    if not isinstance(year, int) or not FIRST_FEE_YEAR <= year <= 2100:
        errors["year"] = _("請填寫碳費年度（西元 %(first)s 年以後）。") % {"first": FIRST_FEE_YEAR}
    if (
        not isinstance(chargeable_emissions, Decimal)
        or not chargeable_emissions.is_finite()
        or chargeable_emissions <= 0
        or chargeable_emissions > MAX_CHARGEABLE_EMISSIONS
    ):
        errors["chargeable_emissions"] = _("請填寫申報的收費排放量（大於 0 的公噸數）。")
    for field, message in errors.items():
        raise CreditError(message, field)
    chargeable_emissions = chargeable_emissions.quantize(Decimal("0.001"))
    declaration, _created = CarbonFeeDeclaration.objects.select_for_update().get_or_create(
        tax_id=tax_id, year=year, defaults={"chargeable_emissions": chargeable_emissions}
    )
    if declaration.chargeable_emissions != chargeable_emissions:
        raise CreditError(
            _(
                "統一編號 %(tax_id)s 已申報 %(year)s 年的收費排放量為 %(declared)s 公噸，"
                "同一年度請填寫相同的數值。"
            )
            % {
                "tax_id": tax_id,
                "year": year,
                "declared": tonnes(declaration.chargeable_emissions),
            },
            "chargeable_emissions",
        )
    deducted_before = sum(
        (
            entry.deducted_emissions
            for entry in LedgerEntry.objects.retirements().filter(
                purpose=LedgerEntry.Purpose.CARBON_FEE, tax_id=tax_id, fee_year=year
            )
        ),
        Decimal(0),
    )
    deducted = quantity * DEDUCTION_PER_CREDIT
    if deducted_before + deducted > chargeable_emissions * DEDUCTION_CAP:
        limit = carbon_fee_limit(
            chargeable_emissions=chargeable_emissions, deducted_before=deducted_before
        )
        raise CreditError(
            _(
                "碳費抵減以收費排放量的 10%% 為上限（碳費收費辦法第 9 條）：%(emissions)s 公噸的 10%% "
                "是 %(cap)s 公噸，此前已抵減 %(before)s 公噸，每公噸額度抵減 1.2 公噸，"
                "本次最多可註銷 %(limit)s 公噸用於碳費抵減。"
            )
            % {
                "emissions": tonnes(chargeable_emissions),
                "cap": tonnes(chargeable_emissions * DEDUCTION_CAP),
                "before": tonnes(deducted_before),
                "limit": limit,
            },
            "quantity",
        )
    return {
        "tax_id": tax_id,
        "fee_year": year,
        "chargeable_emissions": chargeable_emissions,
        "deducted_emissions": deducted,
    }


def retire(
    *,
    account: CreditAccount,
    quantity,
    purpose: str,
    beneficiary: str,
    by,
    tax_id: str | None = None,
    year: int | None = None,
    chargeable_emissions: Decimal | None = None,
) -> LedgerEntry:
    """Retire (註銷) whole tonnes for a purpose and beneficiary. Units that were
    transferred already (and so can never move again) go first, then the oldest
    vintage. A carbon-fee deduction records the company's 統一編號, the year, its
    declared chargeable emissions and the emissions deducted (1.2 t a credit,
    at most 10 % of the chargeable emissions with earlier deductions)."""
    quantity = _whole_tonnes(quantity)
    if purpose not in LedgerEntry.Purpose.values:
        raise CreditError(_("請選擇註銷用途。"), "purpose")
    beneficiary = (beneficiary or "").strip()
    if not beneficiary:
        raise CreditError(_("請填寫受益者。"), "beneficiary")
    if len(beneficiary) > 200 or "\n" in beneficiary or "\r" in beneficiary:
        raise CreditError(_("受益者請寫成一行，200 字以內。"), "beneficiary")
    with transaction.atomic():
        _lock_accounts(account)
        blocks = _held_blocks(account)
        _refuse_above_balance(quantity, sum(block.size for block in blocks))
        fee = {}
        if purpose == LedgerEntry.Purpose.CARBON_FEE:
            fee = _carbon_fee_deduction(
                quantity=quantity,
                tax_id=tax_id,
                year=year,
                chargeable_emissions=chargeable_emissions,
            )
        entry = LedgerEntry.objects.create(
            kind=LedgerEntry.Kind.RETIREMENT,
            user=by,
            from_account=account,
            quantity=quantity,
            purpose=purpose,
            beneficiary=beneficiary,
            **fee,
        )
        blocks.sort(key=lambda block: block.transfers == 0)  # stable: vintage order kept
        _take(blocks, quantity, entry, retired_by=entry)
    return entry

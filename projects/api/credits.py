"""Credit accounts (減量額度帳戶) through the API, by the registry pages' rules
(projects/credits/permissions.py): an account is addressed by its holder
organisation's id, as on the web (`/registry/accounts/<id>/`); its members (any
role) and site administrators see its balance, the blocks it holds and its
ledger; anyone else gets 404, as if it did not exist. An organisation that never
held credits has an empty account (balance 0, no entries)."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from projects.api.auth import token_auth
from projects.api.errors import ApiError, ErrorsOut
from projects.api.pagination import Pages
from projects.credits import permissions, selectors
from projects.models import Organisation

router = Router(tags=["credit accounts"], auth=token_auth)

MAX_ID = 2**63 - 1
COMMON = {401: ErrorsOut, 404: ErrorsOut}


class HolderRef(Schema):
    id: int
    name: str


class AccountOut(Schema):
    holder: HolderRef = Field(..., description="the organisation whose account it is")
    balance: int = Field(..., description="tCO2e held now")
    retired: int = Field(..., description="tCO2e retired from the account")


class SerialRange(Schema):
    serial: str = Field(..., description="the serials, e.g. TW-…-000000001-000000004")
    first: int
    last: int
    quantity: int
    vintage: int = Field(..., description="the year in which the monitoring period ends")
    plan_id: int
    monitoring_number: int


class AccountDetailOut(AccountOut):
    transferable: int = Field(..., description="of the balance, units never transferred")
    blocks: list[SerialRange] = Field(..., description="the serials held now, oldest first")
    ledger_url: str


class LedgerEntryOut(Schema):
    id: int
    kind: str = Field(..., description="issuance, transfer or retirement")
    created_at: datetime
    direction: str = Field(..., description="in or out of this account")
    quantity: int
    from_account: HolderRef | None
    to_account: HolderRef | None
    purpose: str = Field(..., description="a retirement's purpose ('' otherwise)")
    beneficiary: str
    operator: str = Field(..., description="who did it (username)")
    ranges: list[SerialRange]


def _range(item) -> dict:
    issuance = item.issuance
    return {
        "serial": item.serial,
        "first": item.first,
        "last": item.last,
        "quantity": item.size,
        "vintage": issuance.vintage,
        "plan_id": issuance.plan_id,
        "monitoring_number": issuance.monitoring_number,
    }


def _holder_ref(account) -> dict | None:
    return None if account is None else {"id": account.organisation.pk, "name": str(account)}


def _holder(user, pk: int) -> Organisation:
    holder = permissions.account_holders(user).filter(pk=pk).first()
    if holder is None:
        raise ApiError(404, "no account of this organisation that you may see")
    return holder


@router.get("", url_name="account_list", response={200: list[AccountOut], 401: ErrorsOut})
@paginate(Pages)
def account_list(request):
    """The accounts of the caller's organisations (every open account for site
    administrators), with their balances, as the registry's account list."""
    user = request.auth
    holders = permissions.account_holders(user)
    if user.is_superuser:
        holders = holders.filter(credit_account__isnull=False)
    return _Shaped(
        selectors.with_balances(holders).order_by("name", "pk"),
        lambda holder: {"holder": holder, "balance": holder.balance, "retired": holder.retired},
    )


@router.get(
    "/{organisation_id}",
    url_name="account_detail",
    response={200: AccountDetailOut, **COMMON},
    summary="An account's balance and the serials it holds",
)
def account_detail(request, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    holder = _holder(request.auth, organisation_id)
    account = selectors.account_of(holder)
    return {
        "holder": holder,
        **selectors.account_balance(account),
        "blocks": [_range(block) for block in selectors.held_blocks(account)],
        "ledger_url": reverse("api:account_ledger", args=[holder.pk]),
    }


@router.get(
    "/{organisation_id}/ledger",
    url_name="account_ledger",
    response={200: list[LedgerEntryOut], **COMMON},
    summary="An account's ledger, newest first, with the serials of each entry",
)
@paginate(Pages)
def account_ledger(request, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    holder = _holder(request.auth, organisation_id)
    account = selectors.account_of(holder)
    return _Shaped(selectors.account_history(account), lambda entry: _entry(entry, account))


class _Shaped:
    """A query the paginator counts and slices, each page's rows shaped for the answer."""

    def __init__(self, rows, shape):
        self.rows, self.shape = rows, shape

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        return [self.shape(row) for row in self.rows[index]]


def _entry(entry, account) -> dict:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "created_at": entry.created_at,
        "direction": "out" if entry.from_account_id == account.pk else "in",
        "quantity": entry.quantity,
        "from_account": _holder_ref(entry.from_account),
        "to_account": _holder_ref(entry.to_account),
        "purpose": entry.purpose,
        "beneficiary": entry.beneficiary,
        "operator": entry.user.get_username(),
        "ranges": [_range(item) for item in entry.ranges.all()],
    }

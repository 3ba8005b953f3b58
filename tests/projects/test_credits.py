"""The credit registry: serials issued as one block, transfers and retirements
that split blocks, each unit transferred at most once, the carbon-fee cap, an
append-only ledger that `check_ledger` proves, and who sees and does what."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects.credits import selectors, services
from projects.credits.models import (
    CarbonFeeDeclaration,
    CreditAccount,
    CreditBlock,
    CreditIssuance,
    LedgerEntry,
    LedgerFrozen,
    LedgerRange,
)
from projects.credits.services import CreditError
from projects.models import Membership, Plan
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    ProgrammeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TAX_IDS = ["04595257", "22099131", "10458575", "10000004", "10000009", "10000010"]
COMPANY = "10000015"  # the company whose carbon fee a retirement deducts


@pytest.fixture
def world():
    """A lighting sub-project registered as B-0000271-002 whose organisation holds
    its credits, with its editor and read-only member, a second company (the
    buyer) and a third, and the programme's authority."""
    applicant = OrganisationFactory(name="崑山科技大學", tax_id=TAX_IDS[0])
    buyer = OrganisationFactory(name="家福股份有限公司", tax_id=TAX_IDS[1])
    third = OrganisationFactory(name="第三公司", tax_id=TAX_IDS[2])
    programme = ProgrammeFactory(authority__tax_id=TAX_IDS[3])
    plan = PlanFactory(
        sub_project=True,
        programme=programme,
        organisation=applicant,
        status=Plan.Status.APPROVED,
        crediting_start=date(2021, 7, 1),
        crediting_end=date(2031, 6, 30),
        results={"annual_reduction_tco2e": "100", "total_reduction_tco2e": "1000", "checks": []},
    )
    plan.project_number = "B-0000271-002"
    users = {
        "editor": UserFactory(username="editor"),
        "viewer": UserFactory(username="viewer"),
        "buyer": UserFactory(username="buyer"),
        "authority": UserFactory(username="authority"),
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
        "outsider": UserFactory(username="outsider"),
    }
    MembershipFactory(user=users["editor"], organisation=applicant, role=Membership.Role.EDITOR)
    MembershipFactory(user=users["viewer"], organisation=applicant, role=Membership.Role.VIEWER)
    MembershipFactory(user=users["buyer"], organisation=buyer, role=Membership.Role.EDITOR)
    MembershipFactory(
        user=users["authority"], organisation=programme.authority, role=Membership.Role.REVIEWER
    )
    return {
        "plan": plan,
        "programme": programme,
        "applicant": applicant,
        "buyer": buyer,
        "third": third,
        "users": users,
    }


def issue(world, quantity=4, number=1, period_end=date(2022, 12, 31)):
    return services.issue_credits(
        plan=world["plan"],
        quantity=quantity,
        period_end=period_end,
        monitoring_number=number,
        by=world["users"]["authority"],
    )


def account(organisation) -> CreditAccount:
    return services.account_for_organisation(organisation)


def held(organisation) -> list[tuple[str, int]]:
    """The serials an organisation holds, oldest first."""
    return [
        (block.serial, block.transfers) for block in selectors.held_blocks(account(organisation))
    ]


def ledger_state():
    """Everything the ledger and the holdings are, to compare before and after a refusal."""
    return (
        list(LedgerEntry.objects.values_list("pk", "kind", "quantity")),
        list(LedgerRange.objects.values_list("pk", "first", "last")),
        sorted(
            CreditBlock.objects.values_list(
                "issuance", "first", "last", "account", "transfers", "retired_by"
            )
        ),
        list(CarbonFeeDeclaration.objects.values_list("pk")),
    )


def refused(call, field: str, text: str) -> CreditError:
    before = ledger_state()
    with pytest.raises(CreditError) as raised:
        call()
    assert raised.value.field == field
    assert text in raised.value.message
    assert ledger_state() == before
    return raised.value


# -- issuance --------------------------------------------------------------------


def test_issuance_is_one_block_of_unit_serials_in_the_published_coding(world):
    entry = issue(world, quantity=4)

    assert entry.kind == LedgerEntry.Kind.ISSUANCE
    assert entry.to_account == account(world["applicant"])
    assert held(world["applicant"]) == [("TW-B0000271002-VER-20221231-000000001-000000004", 0)]
    assert [r.serial for r in entry.ranges.all()] == [
        "TW-B0000271002-VER-20221231-000000001-000000004"
    ]
    assert selectors.account_balance(account(world["applicant"]))["balance"] == 4


def test_a_plan_without_a_registered_number_is_coded_by_its_id(world):
    del world["plan"].project_number
    issue(world, quantity=2)
    serial = f"TW-P{world['plan'].pk:07d}-VER-20221231-000000001-000000002"
    assert held(world["applicant"]) == [(serial, 0)]


def test_the_serial_pattern_is_a_setting_and_issued_serials_keep_theirs(world, settings):
    issue(world, quantity=2, number=1)
    settings.CREDIT_SERIAL_PATTERN = (
        "{type}/{project}/{monitoring}/{period_end:%Y}/{first:06d}-{last:06d}"
    )
    settings.CREDIT_TYPE_CODE = "OFF"
    issue(world, quantity=3, number=2, period_end=date(2023, 12, 31))

    assert held(world["applicant"]) == [
        ("TW-B0000271002-VER-20221231-000000001-000000002", 0),
        ("OFF/B0000271002/2/2023/000001-000003", 0),
    ]


@pytest.mark.parametrize("pattern", ["TW-{project}-{first:09d}", "TW-{unknown}-{first}-{last}"])
def test_a_serial_pattern_that_cannot_number_units_is_refused(world, settings, pattern):
    settings.CREDIT_SERIAL_PATTERN = pattern
    with pytest.raises(ImproperlyConfigured):
        issue(world)
    assert not CreditIssuance.objects.exists()


@pytest.mark.parametrize("quantity", [0, -3, Decimal("2.5"), "4"])
def test_issuing_anything_but_positive_whole_tonnes_is_refused(world, quantity):
    refused(lambda: issue(world, quantity=quantity), "quantity", "公噸")


def test_a_monitoring_report_is_issued_once(world):
    issue(world, quantity=4, number=1)
    refused(lambda: issue(world, quantity=4, number=1), "monitoring_number", "已核發過")


def test_a_programme_holding_the_credits_has_them_issued_to_its_authority(world):
    world["programme"].holds_credits = True
    world["programme"].save()
    world["plan"].programme.refresh_from_db()

    issue(world, quantity=5)

    assert services.account_for_plan(world["plan"]).organisation == world["programme"].authority
    assert selectors.account_balance(account(world["programme"].authority))["balance"] == 5
    assert selectors.account_balance(account(world["applicant"]))["balance"] == 0


# -- transfers -------------------------------------------------------------------


def test_a_transfer_moves_the_oldest_serials_and_splits_the_block(world):
    issue(world, quantity=10)
    entry = services.transfer(
        from_account=account(world["applicant"]),
        to_account=account(world["buyer"]),
        quantity=3,
        by=world["users"]["editor"],
    )

    assert [r.serial for r in entry.ranges.all()] == [
        "TW-B0000271002-VER-20221231-000000001-000000003"
    ]
    assert held(world["applicant"]) == [("TW-B0000271002-VER-20221231-000000004-000000010", 0)]
    assert held(world["buyer"]) == [("TW-B0000271002-VER-20221231-000000001-000000003", 1)]
    assert entry.from_account.organisation == world["applicant"]
    assert entry.user == world["users"]["editor"]


def test_a_transfer_spans_blocks_of_several_issuances_oldest_vintage_first(world):
    issue(world, quantity=2, number=2, period_end=date(2023, 12, 31))
    issue(world, quantity=2, number=1, period_end=date(2022, 12, 31))
    entry = services.transfer(
        from_account=account(world["applicant"]),
        to_account=account(world["buyer"]),
        quantity=3,
        by=world["users"]["editor"],
    )
    assert [r.serial for r in entry.ranges.all().order_by("issuance__period_end")] == [
        "TW-B0000271002-VER-20221231-000000001-000000002",
        "TW-B0000271002-VER-20231231-000000001-000000001",
    ]
    assert held(world["applicant"]) == [("TW-B0000271002-VER-20231231-000000002-000000002", 0)]


def test_a_second_transfer_of_a_unit_is_refused_but_it_can_be_retired(world):
    issue(world, quantity=5)
    services.transfer(
        from_account=account(world["applicant"]),
        to_account=account(world["buyer"]),
        quantity=5,
        by=world["users"]["editor"],
    )

    refused(
        lambda: services.transfer(
            from_account=account(world["buyer"]),
            to_account=account(world["third"]),
            quantity=1,
            by=world["users"]["buyer"],
        ),
        "quantity",
        "第 26 條",
    )
    services.retire(
        account=account(world["buyer"]),
        quantity=5,
        purpose=LedgerEntry.Purpose.VOLUNTARY,
        beneficiary="家福股份有限公司",
        by=world["users"]["buyer"],
    )
    assert selectors.account_balance(account(world["buyer"])) == {
        "balance": 0,
        "transferable": 0,
        "retired": 5,
    }


def test_a_transfer_above_the_balance_is_refused(world):
    issue(world, quantity=4)
    refused(
        lambda: services.transfer(
            from_account=account(world["applicant"]),
            to_account=account(world["buyer"]),
            quantity=5,
            by=world["users"]["editor"],
        ),
        "quantity",
        "帳戶餘額只有 4 公噸",
    )


def test_a_transfer_to_the_same_account_is_refused(world):
    issue(world, quantity=4)
    refused(
        lambda: services.transfer(
            from_account=account(world["applicant"]),
            to_account=account(world["applicant"]),
            quantity=1,
            by=world["users"]["editor"],
        ),
        "to_tax_id",
        "自己",
    )


# -- retirements -----------------------------------------------------------------


def test_received_blocks_join_and_a_retirement_takes_units_that_can_no_longer_move_first(
    world,
):
    issue(world, quantity=6, number=1)
    for _ in range(2):  # 1–2, then 3–4: one block 1–4 at the buyer
        services.transfer(
            from_account=account(world["applicant"]),
            to_account=account(world["buyer"]),
            quantity=2,
            by=world["users"]["editor"],
        )
    assert held(world["buyer"]) == [("TW-B0000271002-VER-20221231-000000001-000000004", 1)]
    # The buyer gets fresh credits of an OLDER vintage, which it may still transfer.
    world["plan"].organisation = world["buyer"]
    issue(world, quantity=2, number=2, period_end=date(2021, 12, 31))

    entry = services.retire(
        account=account(world["buyer"]),
        quantity=3,
        purpose=LedgerEntry.Purpose.VOLUNTARY,
        beneficiary="家福",
        by=world["users"]["buyer"],
    )

    assert [r.serial for r in entry.ranges.all()] == [
        "TW-B0000271002-VER-20221231-000000001-000000003"
    ]
    assert held(world["buyer"]) == [
        ("TW-B0000271002-VER-20211231-000000001-000000002", 0),
        ("TW-B0000271002-VER-20221231-000000004-000000004", 1),
    ]
    assert selectors.account_balance(account(world["buyer"])) == {
        "balance": 3,
        "transferable": 2,
        "retired": 3,
    }


def test_a_retirement_needs_a_purpose_and_a_beneficiary(world):
    issue(world, quantity=4)
    source = account(world["applicant"])
    user = world["users"]["editor"]
    refused(
        lambda: services.retire(
            account=source, quantity=1, purpose="gift", beneficiary="x", by=user
        ),
        "purpose",
        "用途",
    )
    refused(
        lambda: services.retire(
            account=source, quantity=1, purpose="voluntary", beneficiary=" ", by=user
        ),
        "beneficiary",
        "受益者",
    )
    refused(
        lambda: services.retire(
            account=source, quantity=5, purpose="voluntary", beneficiary="x", by=user
        ),
        "quantity",
        "帳戶餘額只有 4 公噸",
    )


def carbon_fee(
    world, organisation, quantity, *, year=2025, emissions=Decimal("120"), tax_id=COMPANY
):
    return services.retire(
        account=account(organisation),
        quantity=quantity,
        purpose=LedgerEntry.Purpose.CARBON_FEE,
        beneficiary="某製造公司",
        by=world["users"]["editor"],
        tax_id=tax_id,
        year=year,
        chargeable_emissions=emissions,
    )


def test_a_carbon_fee_retirement_deducts_1_2_tonnes_a_credit_up_to_ten_percent(world):
    issue(world, quantity=30)
    # 10 % of 120 t is 12 t: ten credits deduct exactly 12 t; eleven would deduct 13.2 t.
    refused(lambda: carbon_fee(world, world["applicant"], 11), "quantity", "最多可註銷 10 公噸")

    entry = carbon_fee(world, world["applicant"], 10)

    assert entry.deducted_emissions == Decimal("12.0")
    assert entry.tax_id == COMPANY
    assert entry.fee_year == 2025
    assert entry.chargeable_emissions == Decimal("120")
    assert selectors.account_balance(account(world["applicant"]))["balance"] == 20


def test_earlier_carbon_fee_retirements_of_the_company_and_year_count_towards_the_cap(world):
    issue(world, quantity=30)
    services.transfer(
        from_account=account(world["applicant"]),
        to_account=account(world["buyer"]),
        quantity=10,
        by=world["users"]["editor"],
    )
    carbon_fee(world, world["applicant"], 6)  # 7.2 t of the 12 t

    # From another account, for the same company and year: 4 × 1.2 = 4.8 t fits, 5 does not.
    refused(lambda: carbon_fee(world, world["buyer"], 5), "quantity", "最多可註銷 4 公噸")
    carbon_fee(world, world["buyer"], 4)
    refused(lambda: carbon_fee(world, world["buyer"], 1), "quantity", "最多可註銷 0 公噸")
    # Another year, or another company, has a cap of its own; other purposes have none.
    carbon_fee(world, world["buyer"], 1, year=2026)
    carbon_fee(world, world["applicant"], 1, tax_id=TAX_IDS[5])
    services.retire(
        account=account(world["applicant"]),
        quantity=3,
        purpose=LedgerEntry.Purpose.VOLUNTARY,
        beneficiary="x",
        by=world["users"]["editor"],
    )


def test_a_company_declares_one_chargeable_emissions_figure_a_year(world):
    issue(world, quantity=30)
    carbon_fee(world, world["applicant"], 1)
    refused(
        lambda: carbon_fee(world, world["applicant"], 1, emissions=Decimal("1000")),
        "chargeable_emissions",
        "已申報 2025 年的收費排放量為 120 公噸",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tax_id": "12345678"}, "tax_id"),
        ({"tax_id": None}, "tax_id"),
        ({"year": 1999}, "year"),
        ({"emissions": Decimal("0")}, "chargeable_emissions"),
        ({"emissions": None}, "chargeable_emissions"),
    ],
)
def test_a_carbon_fee_retirement_needs_a_valid_company_year_and_emissions(world, changes, field):
    issue(world, quantity=5)
    refused(lambda: carbon_fee(world, world["applicant"], 1, **changes), field, "")


# -- the ledger ------------------------------------------------------------------


def test_ledger_rows_are_never_changed_or_deleted(world):
    entry = issue(world, quantity=4)
    issuance = entry.issuance
    moved = entry.ranges.get()

    entry.quantity = 400
    for action in (entry.save, entry.delete, issuance.save, issuance.delete, moved.delete):
        with pytest.raises(LedgerFrozen):
            action()
    with pytest.raises(LedgerFrozen):
        LedgerEntry.objects.filter(pk=entry.pk).update(quantity=400)
    with pytest.raises(LedgerFrozen):
        LedgerRange.objects.all().delete()
    with pytest.raises(LedgerFrozen):
        CreditIssuance.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).quantity == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_the_database_refuses_to_change_a_ledger_row(world):
    from django.db import DatabaseError, transaction

    entry = issue(world, quantity=4)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE projects_ledgerentry SET quantity = 5 WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM projects_ledgerrange")


def test_the_ledger_admin_is_read_only(world, client):
    issue(world, quantity=4)
    client.force_login(world["users"]["admin"])
    entry = LedgerEntry.objects.get()
    assert client.get(reverse("admin:projects_ledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_ledgerentry_add")).status_code == 403
    response = client.post(
        reverse("admin:projects_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def busy_ledger(world):
    issue(world, quantity=10)
    issue(world, quantity=5, number=2, period_end=date(2023, 12, 31))
    services.transfer(
        from_account=account(world["applicant"]),
        to_account=account(world["buyer"]),
        quantity=12,
        by=world["users"]["editor"],
    )
    carbon_fee(world, world["buyer"], 3)
    services.retire(
        account=account(world["applicant"]),
        quantity=1,
        purpose=LedgerEntry.Purpose.VOLUNTARY,
        beneficiary="x",
        by=world["users"]["editor"],
    )


def check_ledger() -> str:
    from io import StringIO

    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return out.getvalue()


def test_check_ledger_proves_issued_minus_retired_is_the_sum_of_balances(world):
    busy_ledger(world)
    output = check_ledger()
    assert "issued 15 − retired 4 = Σ balances 11" in output


@pytest.mark.parametrize(
    ("corrupt", "says"),
    [
        # a unit in two blocks
        (lambda b: CreditBlock.objects.filter(pk=b[1].pk).update(first=b[1].first - 1), "overlap"),
        # a unit in none
        (lambda b: CreditBlock.objects.filter(pk=b[0].pk).update(last=b[0].last - 1), "gap"),
        # units moved without a ledger row
        (
            lambda b: CreditBlock.objects.filter(pk=b[-1].pk).update(
                account=CreditAccount.objects.exclude(pk=b[-1].account_id).first()
            ),
            "differ",
        ),
        # units un-retired
        (
            lambda b: CreditBlock.objects.exclude(retired_by=None).update(retired_by=None),
            "Σ balances",
        ),
    ],
    ids=["overlap", "gap", "moved", "unretired"],
)
def test_check_ledger_fails_on_a_corrupted_registry(world, corrupt, says):
    busy_ledger(world)
    blocks = list(CreditBlock.objects.filter(issuance__monitoring_number=1).order_by("first"))
    assert len(blocks) >= 2
    corrupt(blocks)
    with pytest.raises(CommandError) as raised:
        check_ledger()
    assert "inconsistent" in str(raised.value)
    from projects.credits.checks import ledger_problems

    assert any(says in problem for problem in ledger_problems())


# -- summaries -------------------------------------------------------------------


def test_a_plan_summary_spreads_the_estimate_over_its_years_and_counts_credits_by_vintage(world):
    busy_ledger(world)
    summary = selectors.plan_credit_summary(world["plan"])

    assert (summary["estimated"], summary["issued"], summary["retired"], summary["remaining"]) == (
        1000,
        15,
        4,
        11,
    )
    years = {row["year"]: row for row in summary["years"]}
    assert sum(row["estimated"] for row in summary["years"]) == 1000
    assert list(years) == list(range(2021, 2032))
    assert years[2021]["estimated"] == 50  # 184 of 3652 days
    assert (years[2022]["issued"], years[2022]["retired"], years[2022]["remaining"]) == (10, 3, 7)
    assert (years[2023]["issued"], years[2023]["retired"], years[2023]["remaining"]) == (5, 1, 4)
    assert summary["chart"].startswith("<svg")


def test_a_programme_summary_counts_approved_sub_projects_estimates(world):
    busy_ledger(world)
    PlanFactory(
        sub_project=True,
        programme=world["programme"],
        status=Plan.Status.DRAFT,
        results={"total_reduction_tco2e": "500"},
    )
    summary = selectors.programme_credit_summary(world["programme"])
    assert (summary["estimated"], summary["issued"], summary["retired"]) == (1000, 15, 4)
    totals = selectors.credit_totals(Plan.objects.filter(programme=world["programme"]))
    assert totals["estimated"] == 1500


def test_plan_and_programme_pages_show_the_credit_summary(world, client, expected_results):
    Plan.objects.filter(pk=world["plan"].pk).update(
        results=expected_results["lighting-subproject.json"]
    )
    busy_ledger(world)
    client.force_login(world["users"]["editor"])
    for url in (
        reverse("projects:plan_detail", args=[world["plan"].pk]),
        reverse("projects:programme_detail", args=[world["programme"].pk]),
    ):
        page = client.get(url).content.decode()
        assert 'data-role="credit-summary"' in page
        assert 'data-credits="issued">15<' in page
        assert 'data-credits="remaining">11<' in page
        assert "<svg" in page


# -- pages and forms -------------------------------------------------------------


def account_url(name, organisation):
    return reverse(f"credits:{name}", args=[organisation.pk])


def test_the_account_page_shows_balance_serials_and_history(world, client):
    busy_ledger(world)
    client.force_login(world["users"]["buyer"])
    response = client.get(account_url("account", world["buyer"]))
    page = response.content.decode()
    assert response.context["balance"] == 9
    assert "TW-B0000271002-VER-20221231-000000004-000000010" in page
    assert "TW-B0000271002-VER-20231231-000000001-000000002" in page
    assert 'data-kind="retirement"' in page and 'data-kind="transfer"' in page
    assert "已移轉過，不得再移轉" in page


def test_a_transfer_through_the_form_goes_to_the_account_of_the_tax_id(world, client):
    issue(world, quantity=4)
    client.force_login(world["users"]["editor"])
    response = client.post(
        account_url("transfer", world["applicant"]),
        {"transfer-to_tax_id": world["buyer"].tax_id, "transfer-quantity": "3"},
    )
    assert response.status_code == 302
    assert selectors.account_balance(account(world["buyer"]))["balance"] == 3


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"transfer-to_tax_id": "12345678", "transfer-quantity": "1"}, "to_tax_id", "檢查碼"),
        ({"transfer-to_tax_id": "10000036", "transfer-quantity": "1"}, "to_tax_id", "查無"),
        ({"transfer-to_tax_id": TAX_IDS[1], "transfer-quantity": "1.5"}, "quantity", "整數"),
        ({"transfer-to_tax_id": TAX_IDS[1], "transfer-quantity": "9"}, "quantity", "餘額只有 4"),
        ({"transfer-to_tax_id": TAX_IDS[0], "transfer-quantity": "1"}, "to_tax_id", "自己"),
    ],
)
def test_a_refused_transfer_shows_why_at_its_field_and_keeps_what_was_typed(
    world, client, data, field, message
):
    issue(world, quantity=4)
    client.force_login(world["users"]["editor"])
    before = ledger_state()
    response = client.post(account_url("transfer", world["applicant"]), data)
    assert response.status_code == 400
    form = response.context["transfer_form"]
    assert any(message in error for error in form.errors[field])
    page = response.content.decode()
    assert f'value="{data["transfer-quantity"]}"' in page
    assert ledger_state() == before
    assert CreditAccount.objects.filter(organisation__tax_id="10000036").count() == 0


def test_a_carbon_fee_retirement_beyond_the_cap_is_refused_at_the_quantity(world, client):
    issue(world, quantity=30)
    client.force_login(world["users"]["editor"])
    data = {
        "retire-quantity": "11",
        "retire-purpose": "carbon_fee",
        "retire-beneficiary": "某製造公司",
        "retire-tax_id": COMPANY,
        "retire-year": "2025",
        "retire-chargeable_emissions": "120",
    }
    response = client.post(account_url("retire", world["applicant"]), data)
    assert response.status_code == 400
    assert "最多可註銷 10 公噸" in response.context["retire_form"].errors["quantity"][0]
    assert 'value="某製造公司"' in response.content.decode()

    response = client.post(
        account_url("retire", world["applicant"]), data | {"retire-quantity": "10"}
    )
    assert response.status_code == 302
    assert LedgerEntry.objects.retirements().get().deducted_emissions == Decimal("12.0")


def test_carbon_fee_tonnes_are_shown_without_the_stored_decimal_places(world, client):
    """The ledger keeps tonnes to 0.001 t (1,000.000; 96.0 deducted); people read
    1,000 and 96 in the refusal, the confirmation and both lists."""
    issue(world, quantity=100)
    client.force_login(world["users"]["editor"])
    data = {
        "retire-quantity": "90",
        "retire-purpose": "carbon_fee",
        "retire-beneficiary": "某製造公司",
        "retire-tax_id": COMPANY,
        "retire-year": "2025",
        "retire-chargeable_emissions": "1000",
    }
    response = client.post(account_url("retire", world["applicant"]), data)
    refusal = response.context["retire_form"].errors["quantity"][0]
    assert "1,000 公噸的 10% 是 100 公噸，此前已抵減 0 公噸" in refusal

    response = client.post(
        account_url("retire", world["applicant"]), data | {"retire-quantity": "80"}, follow=True
    )
    page = response.content.decode()
    assert "可抵減收費排放量 96 公噸" in page
    assert "2025 年抵減 96 公噸" in page
    public = Client().get(reverse("credits:retirements")).content.decode()
    assert "2025 年收費排放量 1,000 公噸，抵減 96 公噸" in public


def test_a_carbon_fee_retirement_form_asks_for_the_company_year_and_emissions(world, client):
    issue(world, quantity=3)
    client.force_login(world["users"]["editor"])
    response = client.post(
        account_url("retire", world["applicant"]),
        {"retire-quantity": "1", "retire-purpose": "carbon_fee", "retire-beneficiary": "x"},
    )
    assert response.status_code == 400
    assert set(response.context["retire_form"].errors) == {"tax_id", "year", "chargeable_emissions"}
    assert not LedgerEntry.objects.retirements().exists()


def test_retirements_appear_on_the_public_list_at_once_without_signing_in(world):
    issue(world, quantity=30)
    carbon_fee(world, world["applicant"], 2)
    response = Client().get(reverse("credits:retirements"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "TW-B0000271002-VER-20221231-000000001-000000002" in page
    assert "碳費抵減" in page and COMPANY in page and "某製造公司" in page
    assert world["plan"].title in page


# -- who sees and does what --------------------------------------------------------

#              anonymous editor viewer buyer authority admin outsider
ROLES = ["anonymous", "editor", "viewer", "buyer", "authority", "admin", "outsider"]


def row(*statuses):
    return dict(zip(ROLES, statuses, strict=True))


MATRIX = [
    # (url name, whose account, method, expected per role, roles that change the ledger)
    ("account_list", None, "get", row(302, 200, 200, 200, 200, 200, 200), set()),
    ("account", "applicant", "get", row(302, 200, 200, 404, 404, 200, 404), set()),
    ("account", "authority", "get", row(302, 404, 404, 404, 200, 200, 404), set()),
    # Those who see the account but may not act on it (read-only members, site
    # administrators) get 403; those who do not see it, 404.
    ("transfer", "applicant", "post", row(302, 302, 403, 404, 404, 403, 404), {"editor"}),
    ("retire", "applicant", "post", row(302, 302, 403, 404, 404, 403, 404), {"editor"}),
    ("transfer", "authority", "post", row(302, 404, 404, 404, 302, 403, 404), {"authority"}),
    ("retire", "authority", "post", row(302, 404, 404, 404, 302, 403, 404), {"authority"}),
    ("retirements", None, "get", row(200, 200, 200, 200, 200, 200, 200), set()),
]


@pytest.mark.parametrize(
    ("name", "holder", "method", "expected", "changes"),
    MATRIX,
    ids=[f"{m[0]}-{m[1]}-{m[2]}" for m in MATRIX],
)
def test_each_role_gets_exactly_what_the_registry_rules_allow(
    world, name, holder, method, expected, changes
):
    from django.db import transaction

    world["authority"] = world["programme"].authority
    issue(world, quantity=10)
    services.issue_credits(
        plan=PlanFactory(
            sub_project=True,
            programme=world["programme"],
            organisation=world["programme"].authority,
        ),
        quantity=10,
        period_end=date(2022, 12, 31),
        monitoring_number=1,
        by=world["users"]["authority"],
    )
    args = [world[holder].pk] if holder else []
    data = {
        "transfer": {"transfer-to_tax_id": world["third"].tax_id, "transfer-quantity": "1"},
        "retire": {
            "retire-quantity": "1",
            "retire-purpose": "voluntary",
            "retire-beneficiary": "x",
        },
    }.get(name, {})
    got, changed = {}, set()
    for role in ROLES:
        savepoint = transaction.savepoint()
        try:
            client = Client()
            if role != "anonymous":
                client.force_login(world["users"][role])
            before = ledger_state()
            url = reverse(f"credits:{name}", args=args)
            response = client.post(url, data) if method == "post" else client.get(url)
            got[role] = response.status_code
            if ledger_state() != before:
                changed.add(role)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert got == expected
    assert changed == changes


def test_the_account_list_holds_only_the_users_organisations(world, client):
    issue(world, quantity=3)
    account(world["buyer"])
    client.force_login(world["users"]["viewer"])
    rows = list(client.get(reverse("credits:account_list")).context["rows"])
    assert [(r.name, r.balance) for r in rows] == [("崑山科技大學", 3)]
    client.force_login(world["users"]["admin"])
    rows = list(client.get(reverse("credits:account_list")).context["rows"])
    assert {r.name for r in rows} == {"崑山科技大學", "家福股份有限公司"}


def test_the_account_querysets_match_the_permission_predicates(world):
    account(world["applicant"])
    account(world["programme"].authority)
    users = world["users"]
    assert list(CreditAccount.objects.visible_to(users["viewer"])) == [account(world["applicant"])]
    assert list(CreditAccount.objects.operable_by(users["viewer"])) == []
    assert list(CreditAccount.objects.operable_by(users["editor"])) == [account(world["applicant"])]
    assert list(CreditAccount.objects.operable_by(users["authority"])) == [
        account(world["programme"].authority)
    ]
    assert CreditAccount.objects.visible_to(users["admin"]).count() == 2
    assert list(CreditAccount.objects.operable_by(users["admin"])) == []

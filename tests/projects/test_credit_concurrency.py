"""Two requests at once: exactly one wins. Twenty transfers and retirements run
in threads, each on its own database connection, against accounts that can
satisfy only some of them; row locks let exactly those through, the rest are
refused, and the ledger check passes afterwards."""

import threading
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections

from projects.credits import selectors, services
from projects.credits.models import LedgerEntry
from tests.projects.factories import OrganisationFactory, PlanFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: row locks (SELECT … FOR UPDATE) are what this proves, "
        "and SQLite has none (it locks the whole database file)",
    ),
]
THREADS = 20


def run_at_once(jobs):
    """Run each job in its own thread, all released together; return what each
    returned or raised."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def check_ledger() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out)
    return out.getvalue()


@pytest.fixture
def accounts():
    holder = OrganisationFactory(tax_id="04595257")
    buyer = OrganisationFactory(tax_id="22099131")
    user = UserFactory()
    plan = PlanFactory(organisation=holder)
    services.issue_credits(
        plan=plan, quantity=10, period_end=date(2022, 12, 31), monitoring_number=1, by=user
    )
    return {
        "holder": services.account_for_organisation(holder),
        "buyer": services.account_for_organisation(buyer),
        "plan": plan,
        "user": user,
    }


def test_twenty_concurrent_transfers_and_retirements_of_ten_credits_let_exactly_ten_through(
    accounts,
):
    holder, buyer, user = accounts["holder"], accounts["buyer"], accounts["user"]

    def move(index):
        if index % 2:
            return lambda: services.transfer(
                from_account=holder, to_account=buyer, quantity=1, by=user
            )
        return lambda: services.retire(
            account=holder, quantity=1, purpose="voluntary", beneficiary=f"#{index}", by=user
        )

    outcomes = run_at_once([move(index) for index in range(THREADS)])

    won = [o for o in outcomes if isinstance(o, LedgerEntry)]
    refused = [o for o in outcomes if isinstance(o, services.CreditError)]
    assert len(won) == 10, outcomes
    assert len(refused) == 10 and all("帳戶餘額只有 0 公噸" in r.message for r in refused)
    transfers = sum(1 for entry in won if entry.kind == LedgerEntry.Kind.TRANSFER)
    assert selectors.account_balance(holder)["balance"] == 0
    assert selectors.account_balance(buyer)["balance"] == transfers
    assert LedgerEntry.objects.retirements().count() == 10 - transfers
    expected = f"issued 10 − retired {10 - transfers} = Σ balances {transfers}"
    assert expected in check_ledger()


def test_concurrent_second_transfers_of_the_same_units_are_all_refused(accounts):
    holder, buyer, user = accounts["holder"], accounts["buyer"], accounts["user"]
    third = services.account_for_organisation(OrganisationFactory(tax_id="10458575"))
    services.transfer(from_account=holder, to_account=buyer, quantity=10, by=user)

    outcomes = run_at_once(
        [
            (lambda: services.transfer(from_account=buyer, to_account=third, quantity=1, by=user))
            if index % 2
            else (
                lambda: services.retire(
                    account=buyer, quantity=2, purpose="voluntary", beneficiary="x", by=user
                )
            )
            for index in range(THREADS)
        ]
    )

    # No unit moves a second time: every transfer is refused (for Art. 26 while
    # units are left, for the balance once the retirements took them all).
    assert all(isinstance(o, services.CreditError) for o in outcomes[1::2]), outcomes
    assert any("第 26 條" in o.message for o in outcomes[1::2])
    assert sum(isinstance(o, LedgerEntry) for o in outcomes[0::2]) == 5
    assert selectors.account_balance(third)["balance"] == 0
    assert "issued 10 − retired 10 = Σ balances 0" in check_ledger()


def test_concurrent_carbon_fee_retirements_of_one_company_respect_the_cap_together(accounts):
    """From two accounts at once, for one company and year: 10 % of 60 t is 6 t,
    five credits (6.0 t); the declaration row they lock makes them count each other."""
    holder, buyer, user = accounts["holder"], accounts["buyer"], accounts["user"]
    services.issue_credits(
        plan=PlanFactory(organisation=buyer.organisation),
        quantity=10,
        period_end=date(2022, 12, 31),
        monitoring_number=1,
        by=user,
    )

    def retire(account):
        return lambda: services.retire(
            account=account,
            quantity=1,
            purpose="carbon_fee",
            beneficiary="某製造公司",
            by=user,
            tax_id="10000015",
            year=2025,
            chargeable_emissions=Decimal("60"),
        )

    outcomes = run_at_once([retire(holder if i % 2 else buyer) for i in range(THREADS)])

    won = [o for o in outcomes if isinstance(o, LedgerEntry)]
    assert len(won) == 5, outcomes
    assert all(
        isinstance(o, services.CreditError) and "最多可註銷 0 公噸" in o.message
        for o in outcomes
        if o not in won
    )
    assert sum(entry.deducted_emissions for entry in won) == Decimal("6.0")
    assert "issued 20 − retired 5 = Σ balances 15" in check_ledger()

"""Defects found in the review of the post-approval cycle (registration,
monitoring, credits, API), each guarded by the test that showed it."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from projects.api.services import token_create
from projects.models import Membership
from projects.registration import services as registration
from projects.registration.services import register_plan
from tests.accounts.helpers import turn_on_totp
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    approved_plan,
    chiller_with_people,
)
from tests.projects.test_registration import LONG_AGO, fresh, postgres_only, run_at_once

D = datetime.date


# -- registration: numbers are unique across every authority's scheme -------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_plans_of_two_authorities_registered_at_once_get_distinct_numbers(
    demo_document, reference_data, monkeypatch
):
    """Every authority's scheme starts with the same default pattern (B-{seq:7}), so
    two authorities' schemes draw from one set of numbers: two registrations at
    once under different authorities must not both take B-0000001 (one failed with
    an IntegrityError, a 500, and a programme could share a plan's number)."""
    plan, editor, reviewer = chiller_with_people(demo_document("chiller-individual.json"))
    plan = approved_plan(plan, editor, reviewer, approved_on=LONG_AGO)
    other = fresh(plan)
    other.pk = None
    other.authority = OrganisationFactory(authority=True)
    other.save()
    admin = UserFactory(is_superuser=True)
    taken = registration._number_taken

    def slow_number_taken(number):
        found = taken(number)
        time.sleep(0.5)  # both registrations look before either has saved
        return found

    monkeypatch.setattr(registration, "_number_taken", slow_number_taken)

    results = run_at_once(
        [
            lambda p=p: register_plan(p, by=admin, registered_on=D(2021, 3, 15)).project_number
            for p in (fresh(plan), fresh(other))
        ]
    )

    assert sorted(map(str, results)) == ["B-0000001", "B-0000002"]


# -- API: a reviewer's token does not get round the two-factor requirement ---------


@pytest.fixture
def reviewer_token(db, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    reviewer = UserFactory(username="api-reviewer")
    MembershipFactory(
        user=reviewer,
        organisation=OrganisationFactory(authority=True),
        role=Membership.Role.REVIEWER,
    )
    return reviewer, token_create(user=reviewer, name="script").secret


def test_a_reviewer_without_two_factor_is_refused_by_the_api_as_by_the_web(reviewer_token):
    reviewer, secret = reviewer_token
    response = Client().get(reverse("api:plan_list"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 403
    assert "two-factor" in response.json()["errors"][0]["message"]


def test_a_reviewer_with_two_factor_uses_the_api(reviewer_token):
    reviewer, secret = reviewer_token
    turn_on_totp(reviewer)
    response = Client().get(reverse("api:plan_list"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_an_applicant_needs_no_two_factor_for_the_api(db, settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True
    editor = UserFactory(username="api-editor")
    MembershipFactory(user=editor, organisation=OrganisationFactory())
    secret = token_create(user=editor, name="script").secret
    response = Client().get(reverse("api:plan_list"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


# -- the ledger check reads one snapshot -------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_ledger_check_reads_one_snapshot_while_credits_move(monkeypatch):
    """`check_ledger` on a live registry: a transfer committed while the check reads
    (after its ledger ranges, before its entries and blocks) must not show as a
    broken ledger. Under READ COMMITTED each query saw a different state."""
    from projects.credits import checks, services
    from projects.credits.models import LedgerEntry
    from tests.projects.factories import PlanFactory

    holder = OrganisationFactory(tax_id="04595257")
    buyer = OrganisationFactory(tax_id="22099131")
    user = UserFactory()
    plan = PlanFactory(organisation=holder)
    services.issue_credits(
        plan=plan, quantity=10, period_end=D(2022, 12, 31), monitoring_number=1, by=user
    )
    accounts = [services.account_for_organisation(o) for o in (holder, buyer)]

    def transfer_elsewhere():
        try:
            services.transfer(from_account=accounts[0], to_account=accounts[1], quantity=4, by=user)
        finally:
            connection.close()

    class EntriesAfterATransfer:
        """LedgerEntry, whose `objects.order_by` first lets a transfer commit."""

        Kind = LedgerEntry.Kind

        class objects:  # noqa: N801 - stands for the manager
            @staticmethod
            def order_by(*fields):
                thread = threading.Thread(target=transfer_elsewhere)
                thread.start()
                thread.join(30)
                return LedgerEntry.objects.order_by(*fields)

    monkeypatch.setattr(checks, "LedgerEntry", EntriesAfterATransfer)

    assert checks.ledger_problems() == []
    assert LedgerEntry.objects.count() == 2  # the transfer did commit meanwhile

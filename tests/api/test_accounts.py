"""Credit accounts through the API: who sees an account (the registry pages' rules),
its balance and held serials, and its ledger a page at a time with serial ranges."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects.credits import services as credits
from tests.api.conftest import MONITORING_ROLES

pytestmark = pytest.mark.django_db


def row(*statuses) -> dict[str, int]:
    return dict(zip(MONITORING_ROLES, statuses, strict=True))


#       anon editor viewer outsider reviewer verifier other_verifier admin
SIGNED_IN = row(401, 200, 200, 200, 200, 200, 200, 200)
MEMBERS = row(401, 200, 200, 404, 404, 404, 404, 200)
WEB_TO_API = {302: 401, 200: 200, 404: 404}


@pytest.mark.parametrize(
    "path,expected",
    [("", SIGNED_IN), ("/{holder}", MEMBERS), ("/{holder}/ledger", MEMBERS)],
    ids=["list accounts", "read an account", "read a ledger"],
)
def test_each_role_sees_exactly_the_accounts_the_rules_allow(
    monitoring_world, monitoring_client, path, expected
):
    holder = monitoring_world["plan"].organisation.pk
    got = {}
    for role in MONITORING_ROLES:
        savepoint = transaction.savepoint()
        response = monitoring_client(role).get("/api/v1/accounts" + path.format(holder=holder))
        transaction.savepoint_rollback(savepoint)
        got[role] = response.status_code
        if response.status_code >= 400:
            assert response.json()["errors"][0]["path"] == "$"
    assert got == expected


def test_seeing_an_account_through_the_api_mirrors_the_registry_page(
    monitoring_world, monitoring_client
):
    holder = monitoring_world["plan"].organisation.pk
    for role in MONITORING_ROLES:
        web = Client()
        if monitoring_world["users"][role] is not None:
            web.force_login(monitoring_world["users"][role])
        web_status = web.get(reverse("credits:account", args=[holder])).status_code
        api_status = monitoring_client(role).get(f"/api/v1/accounts/{holder}").status_code
        assert WEB_TO_API[web_status] == api_status, role


def test_an_account_holds_its_balance_and_serials(monitoring_world, monitoring_client):
    holder = monitoring_world["plan"].organisation
    account = monitoring_client("viewer").get(f"/api/v1/accounts/{holder.pk}").json()
    assert account["holder"] == {"id": holder.pk, "name": holder.name}
    assert (account["balance"], account["transferable"], account["retired"]) == (7, 7, 3)
    [block] = account["blocks"]
    assert (block["first"], block["last"], block["quantity"], block["vintage"]) == (4, 10, 7, 2022)
    assert block["serial"].endswith("-000000004-000000010")
    assert account["ledger_url"] == f"/api/v1/accounts/{holder.pk}/ledger"
    listed = monitoring_client("viewer").get("/api/v1/accounts").json()
    assert {"holder": account["holder"], "balance": 7, "retired": 3} in listed["items"]


def test_the_ledger_lists_each_entry_with_its_serial_ranges_newest_first(
    monitoring_world, monitoring_client
):
    w = monitoring_world
    holder = w["plan"].organisation
    buyer = w["other_body"]  # any organisation may receive a transfer
    credits.transfer(
        from_account=credits.account_for_organisation(holder),
        to_account=credits.account_for_organisation(buyer),
        quantity=2,
        by=w["users"]["editor"],
    )
    client = monitoring_client("editor")
    first = client.get(f"/api/v1/accounts/{holder.pk}/ledger?page_size=2").json()
    second = client.get(f"/api/v1/accounts/{holder.pk}/ledger?page_size=2&page=2").json()
    assert first["count"] == second["count"] == 3
    entries = first["items"] + second["items"]
    assert [(e["kind"], e["direction"], e["quantity"]) for e in entries] == [
        ("transfer", "out", 2),
        ("retirement", "out", 3),
        ("issuance", "in", 10),
    ]
    transfer, retirement, issuance = entries
    assert transfer["to_account"] == {"id": buyer.pk, "name": buyer.name}
    assert [(r["first"], r["last"]) for r in transfer["ranges"]] == [(4, 5)]
    assert [(r["first"], r["last"], r["quantity"]) for r in retirement["ranges"]] == [(1, 3, 3)]
    assert retirement["purpose"] == "voluntary" and retirement["operator"] == "editor"
    assert issuance["from_account"] is None
    assert issuance["ranges"][0]["serial"].endswith("-000000001-000000010")
    assert issuance["ranges"][0]["plan_id"] == w["plan"].pk
    # The buyer's members see the transfer in; the applicant's ledger stays theirs.
    assert client.get(f"/api/v1/accounts/{buyer.pk}/ledger").status_code == 404
    verifier = monitoring_client("other_verifier")
    [received] = verifier.get(f"/api/v1/accounts/{buyer.pk}/ledger").json()["items"]
    assert (received["direction"], received["quantity"]) == ("in", 2)


def test_an_organisation_without_an_account_has_an_empty_one(monitoring_world, monitoring_client):
    body = monitoring_world["body"]
    client = monitoring_client("verifier")
    account = client.get(f"/api/v1/accounts/{body.pk}").json()
    assert (account["balance"], account["blocks"]) == (0, [])
    assert client.get(f"/api/v1/accounts/{body.pk}/ledger").json() == {"items": [], "count": 0}

"""The site administrators' page: find users and organisations, deactivate an
account, see its history."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccountEvent
from tests.projects.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_only_site_administrators_see_the_page(client):
    client.force_login(UserFactory())
    assert client.get(reverse("site_admin:search")).status_code == 404


def test_it_finds_users_by_email_and_organisations_by_tax_id(client, administrator):
    UserFactory(username="kuas", email="facility@kuas.edu.tw")
    OrganisationFactory(name="財團法人崑山科技大學", tax_id="04595257")
    client.force_login(administrator)
    page = client.get(reverse("site_admin:search"), {"q": "kuas.edu"}).content.decode()
    assert "facility@kuas.edu.tw" in page
    page = client.get(reverse("site_admin:search"), {"q": "04595257"}).content.decode()
    assert "財團法人崑山科技大學" in page


def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(client, administrator):
    user = UserFactory(username="leaver", email="leaver@example.org")
    theirs = Client()
    theirs.post(reverse("account_login"), {"login": "leaver", "password": "password"})
    assert theirs.get(reverse("projects:plan_list")).status_code == 200
    client.force_login(administrator)
    client.post(reverse("site_admin:user_set_active", args=[user.pk]), {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active
    assert theirs.get(reverse("projects:plan_list")).status_code == 302
    response = Client().post(reverse("account_login"), {"login": "leaver", "password": "password"})
    assert "_auth_user_id" not in response.wsgi_request.session


def test_an_accounts_history_lists_its_sign_ins_and_who_deactivated_it(client, administrator):
    user = UserFactory(username="leaver")
    Client().post(reverse("account_login"), {"login": "leaver", "password": "wrong"})
    Client().post(reverse("account_login"), {"login": "leaver", "password": "password"})
    client.force_login(administrator)
    client.post(reverse("site_admin:user_set_active", args=[user.pk]), {"active": "0"})
    kinds = list(AccountEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert kinds == [
        AccountEvent.Kind.DEACTIVATED,
        AccountEvent.Kind.SIGNED_IN,
        AccountEvent.Kind.SIGN_IN_FAILED,
    ]
    page = client.get(reverse("site_admin:user_detail", args=[user.pk])).content.decode()
    assert "停用帳號" in page and "登入失敗" in page and "root" in page


def test_an_administrator_cannot_deactivate_themselves(client, administrator):
    client.force_login(administrator)
    client.post(reverse("site_admin:user_set_active", args=[administrator.pk]), {"active": "0"})
    administrator.refresh_from_db()
    assert administrator.is_active

"""Two-factor sign-in: open to everyone, required of reviewers, verifiers and
site administrators before they can act (REQUIRE_TWO_FACTOR_FOR_STAFF)."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import AccountEvent
from projects.models import Membership
from tests.accounts.helpers import totp_code, turn_on_totp
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user, password="password"):
    """A real sign-in (not force_login): setting up or turning off two-factor
    asks for a recent one."""
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302
    return response


def confirm_password(client, password="password"):
    """Turning two-factor on or off asks for the password again (allauth's
    reauthentication), however recent the sign-in."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


@pytest.fixture
def required(settings):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = True


@pytest.fixture
def reviewer():
    user = UserFactory(username="reviewer", email="reviewer@example.org")
    MembershipFactory(
        user=user, organisation=OrganisationFactory(authority=True), role=Membership.Role.REVIEWER
    )
    return user


def test_a_reviewer_without_two_factor_is_sent_to_set_it_up(client, required, reviewer):
    sign_in(client, reviewer)
    for url in (reverse("projects:review_queue"), reverse("projects:plan_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "啟用兩步驟驗證" in page.content.decode()


def test_a_posted_action_is_refused_too(client, required, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("projects:transition", args=[1, "approve"]))
    assert response.url == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Membership.Role.VERIFIER])
def test_a_verifier_must_set_it_up_too(client, required, role):
    user = UserFactory()
    MembershipFactory(user=user, role=role)
    client.force_login(user)
    assert client.get(reverse("projects:plan_list")).url == reverse("mfa_activate_totp")


def test_a_site_administrator_must_set_it_up_too(client, required):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("site_admin:search")).url == reverse("mfa_activate_totp")
    assert client.get("/admin/").url == reverse("mfa_activate_totp")


def test_an_applicant_is_not_required_to(client, required):
    user = UserFactory()
    MembershipFactory(user=user, role=Membership.Role.EDITOR)
    client.force_login(user)
    assert client.get(reverse("projects:plan_list")).status_code == 200


def test_a_reviewer_with_two_factor_acts(client, required, reviewer):
    turn_on_totp(reviewer)
    client.force_login(reviewer)
    assert client.get(reverse("projects:review_queue")).status_code == 200


def test_the_requirement_can_be_turned_off_for_the_demo(client, settings, reviewer):
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False
    client.force_login(reviewer)
    assert client.get(reverse("projects:review_queue")).status_code == 200


def test_setting_it_up_with_a_code_from_the_app_lets_the_reviewer_act(
    client, required, reviewer, django_capture_on_commit_callbacks
):
    sign_in(client, reviewer)
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()
    # Recovery codes come with it.
    assert Authenticator.objects.filter(user=reviewer, type="recovery_codes").exists()
    assert AccountEvent.objects.filter(user=reviewer, kind=AccountEvent.Kind.TWO_FACTOR_ON).exists()
    assert client.get(reverse("projects:review_queue")).status_code == 200


def test_signing_in_asks_for_the_code_after_the_password(client, reviewer):
    secret = turn_on_totp(reviewer)
    response = client.post(
        reverse("account_login"), {"login": "reviewer@example.org", "password": "password"}
    )
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reviewer.pk)


def test_a_required_reviewer_cannot_turn_two_factor_off(client, required, reviewer):
    secret = turn_on_totp(reviewer)
    sign_in(client, reviewer)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    confirm_password(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=reviewer, type=Authenticator.Type.TOTP).exists()


def test_an_applicant_may_turn_it_on_and_off(client, required):
    user = UserFactory()
    secret = turn_on_totp(user)
    sign_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.get(reverse("mfa_index")).status_code == 200
    confirm_password(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

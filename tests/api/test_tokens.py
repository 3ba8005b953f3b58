"""Personal API tokens: created, listed and revoked on the user's own page; stored hashed."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from projects.api.models import ApiToken
from projects.api.services import MAX_ACTIVE_TOKENS, token_create
from tests.api.conftest import ApiClient
from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(username="applicant")


@pytest.fixture
def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_created_token_is_shown_once_and_stored_only_as_its_hash(browser, user):
    response = browser.post(reverse("tokens:list"), {"name": "城市系統"}, follow=True)
    assert response.status_code == 200
    secret = response.context["new_secret"]["secret"]
    assert secret in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "城市系統"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) / 3
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert secret not in stored
    # Shown once: the next visit lists the token by its prefix only.
    again = browser.get(reverse("tokens:list")).content.decode()
    assert secret not in again
    assert token.prefix in again


def test_the_token_signs_the_api_in_as_its_user_and_records_its_use(user):
    new = token_create(user=user, name="t")
    assert ApiClient(new.secret).get("/api/v1/plans").status_code == 200
    new.token.refresh_from_db()
    assert new.token.last_used_at is not None


def test_a_revoked_token_is_refused(browser, user):
    new = token_create(user=user, name="t")
    response = browser.post(reverse("tokens:revoke", args=[new.token.pk]), follow=True)
    assert response.status_code == 200
    new.token.refresh_from_db()
    assert new.token.revoked_at is not None
    refused = ApiClient(new.secret).get("/api/v1/plans")
    assert refused.status_code == 401
    assert refused.json() == {
        "errors": [
            {"path": "$", "message": "authentication required: send Authorization: Bearer <token>"}
        ]
    }
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_or_missing_token_is_refused():
    assert ApiClient("op_not-a-token").get("/api/v1/plans").status_code == 401
    assert ApiClient().get("/api/v1/plans").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").get("/api/v1/plans").status_code == 401


def test_a_signed_in_browser_is_not_an_api_client(browser):
    """The API reads tokens only, never the session cookie (so no CSRF is needed)."""
    assert browser.get("/api/v1/plans").status_code == 401


def test_a_token_of_an_inactive_user_is_refused(user):
    new = token_create(user=user, name="t")
    user.is_active = False
    user.save()
    assert ApiClient(new.secret).get("/api/v1/plans").status_code == 401


def test_nobody_revokes_another_users_token(browser):
    other = token_create(user=UserFactory(), name="theirs")
    browser.post(reverse("tokens:revoke", args=[other.token.pk]))
    other.token.refresh_from_db()
    assert other.token.revoked_at is None


def test_the_page_lists_only_the_users_own_tokens(browser, user):
    token_create(user=user, name="mine")
    token_create(user=UserFactory(), name="theirs")
    page = browser.get(reverse("tokens:list"))
    assert [t.name for t in page.context["tokens"]] == ["mine"]


def test_the_number_of_active_tokens_is_limited(browser, user):
    for number in range(MAX_ACTIVE_TOKENS):
        token_create(user=user, name=f"t{number}")
    response = browser.post(reverse("tokens:list"), {"name": "one more"})
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=user).count() == MAX_ACTIVE_TOKENS


def test_a_token_needs_a_name(browser, user):
    response = browser.post(reverse("tokens:list"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_token_page_needs_sign_in():
    response = Client().get(reverse("tokens:list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]

"""Only section 四's page takes the large upload limits; every other POST keeps
Django's defaults."""

import pytest
from django.urls import reverse

from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db
MANY_FIELDS = "&".join(f"f{i}=x" for i in range(1_500))


def test_a_post_with_thousands_of_fields_is_refused_outside_the_section_pages(client):
    response = client.post(
        reverse("account_login"), MANY_FIELDS, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_large_body_is_refused_outside_the_section_pages(client):
    client.force_login(UserFactory())
    body = "text=" + "x" * 3_000_000
    response = client.post(
        reverse("projects:plan_list"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_section_page_takes_thousands_of_fields(client):
    client.force_login(UserFactory())
    url = reverse("projects:section", args=[999_999, "calculation"])
    response = client.post(url, MANY_FIELDS, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404  # past the limits: no such plan

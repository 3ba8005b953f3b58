"""Site-wide page furniture."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_names_an_icon_that_exists(client):
    """Browsers ask for /favicon.ico otherwise: a 404 and a console error on every page."""
    page = client.get(reverse("account_login")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert finders.find("favicon.svg")


def test_the_browsers_favicon_request_finds_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from methodologies.models import EmissionFactor

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parent.parent / "projects" / "demo"


@pytest.fixture
def fixture_document():
    """Load one of the reference fixtures (a copy of ../shared/fixtures) as text or JSON."""

    def load(name: str) -> dict:
        return json.loads((DATA / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def expected_results():
    return json.loads((DATA / "expected-results.json").read_text(encoding="utf-8"))


@pytest.fixture
def demo_document():
    def load(name: str) -> dict:
        return json.loads((DEMO / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing passwords for real takes a noticeable time per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def two_factor_not_required(settings):
    """Most tests sign reviewers in with `client.force_login`: the two-factor
    requirement (REQUIRE_TWO_FACTOR_FOR_STAFF) is off unless a test turns it on
    (tests/accounts/test_two_factor.py does)."""
    settings.REQUIRE_TWO_FACTOR_FOR_STAFF = False


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests flush the database; put the seeded reference data back."""
    if not EmissionFactor.objects.exists():
        seed = importlib.import_module("methodologies.migrations.0002_seed_reference_data")
        seed.seed(django_apps, None)


@pytest.fixture(autouse=True)
def fresh_cache():
    """The public survey's throttle counts in the cache; no test inherits another's counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

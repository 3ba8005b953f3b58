"""Production settings: the deploy check passes with nothing silenced, HTTPS is on by
default with DEBUG off and switchable behind a TLS-terminating proxy, every page
carries the content security policy, and signed-in users' pages are never cached."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from projects.models import Membership
from tests.projects.factories import MembershipFactory, PlanFactory

ROOT = Path(__file__).resolve().parent.parent
# pytest-env switches these off for the plain-HTTP test client; a production process
# starts without them.
TEST_OVERRIDES = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "STATIC_MANIFEST",
    # Set by the browser tests' conftest for Playwright; never in production.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "STORAGE_BACKEND",
)


def production_env(tmp_path, **env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in TEST_OVERRIDES}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-key-" + "x" * 40,
        ALLOWED_HOSTS="plans.example.org",
        **env,
    )
    return environ


def settings_in_production(tmp_path, *names, **env) -> list[str]:
    code = "import django\ndjango.setup()\nfrom django.conf import settings\n" + "".join(
        f"print(repr(getattr(settings, {name!r}, None)))\n" for name in names
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_deploy_check_passes_with_nothing_silenced(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_https_is_enforced_by_default_with_debug_off(tmp_path):
    names = (
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert settings_in_production(tmp_path, *names) == ["True", "True", "True", "31536000", "None"]


def test_a_proxy_that_terminates_tls_is_trusted_only_when_configured(tmp_path):
    names = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER")
    values = settings_in_production(
        tmp_path,
        *names,
        SECURE_SSL_REDIRECT="false",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
    )
    assert values == ["False", "True", "('HTTP_X_FORWARDED_PROTO', 'https')"]


def test_static_files_are_hashed_and_compressed_in_production(tmp_path):
    (storages,) = settings_in_production(tmp_path, "STORAGES")
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in storages


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_unsafe_inline(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy  # plus a nonce on pages that use one
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


@pytest.mark.django_db
def test_pages_of_signed_in_users_are_never_stored(editor):
    plan = PlanFactory(organisation=editor.organisation)
    for url in (
        reverse("projects:plan_list"),
        plan.get_absolute_url(),
        reverse("projects:section", args=[plan.pk, "basic"]),
        reverse("projects:attachments", args=[plan.pk]),
    ):
        response = editor.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_storage_is_an_s3_bucket_when_the_environment_says_so(tmp_path):
    (storages,) = settings_in_production(
        tmp_path,
        "STORAGES",
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="plans",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in storages
    assert "'bucket_name': 'plans'" in storages
    assert "'endpoint_url': 'http://127.0.0.1:9000'" in storages
    assert "'file_overwrite': False" in storages

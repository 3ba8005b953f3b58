"""Start-up settings: SECRET_KEY required with DEBUG off, ADMINS and SERVER_EMAIL
from the environment, and LOGGING that reports errors on stderr with the request."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path
from django.utils.functional import SimpleLazyObject

from config.request_context import RequestContextFilter, RequestContextMiddleware
from config.settings import envaddresses

ROOT = Path(__file__).resolve().parent.parent
VARIABLES = ("SECRET_KEY", "DEBUG", "ADMINS", "SERVER_EMAIL", "DJANGO_SETTINGS_MODULE")


def start(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter after django.setup(), with only `env` set
    of the variables above."""
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_with_debug_off_refuses_a_missing_secret_key(tmp_path):
    result = start("import config.wsgi", tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "get_random_secret_key" in result.stderr


def test_one_off_commands_run_without_a_secret_key(tmp_path):
    """`manage.py calculate` and the like sign nothing: a throwaway key serves them."""
    result = start("from django.conf import settings\nprint(len(settings.SECRET_KEY))", tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 50


def test_start_up_takes_the_secret_key_from_the_environment(tmp_path):
    code = "from django.conf import settings\nprint(settings.SECRET_KEY)"
    result = start(code, tmp_path, DEBUG="false", SECRET_KEY="a-key-from-the-environment")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a-key-from-the-environment"
    # Development (DEBUG on) still starts without one.
    assert start("", tmp_path, DEBUG="true").returncode == 0


def test_admins_and_server_email_come_from_the_environment(tmp_path):
    code = (
        "import logging\nfrom django.conf import settings\n"
        "print(settings.ADMINS, settings.SERVER_EMAIL)\n"
        "print([type(h).__name__ for h in logging.getLogger('django').handlers])"
    )
    result = start(
        code,
        tmp_path,
        SECRET_KEY="x",
        ADMINS="王小明 <ming@example.org>, ops@example.org",
        SERVER_EMAIL="errors@example.org",
    )
    assert result.returncode == 0, result.stderr
    admins, handlers = result.stdout.splitlines()
    assert admins == (
        "[('王小明', 'ming@example.org'), ('ops@example.org', 'ops@example.org')] "
        "errors@example.org"
    )
    assert handlers == "['AdminEmailHandler']"  # and on to the root logger's stderr


def test_admins_refuses_what_is_not_an_address(monkeypatch):
    monkeypatch.setenv("ADMINS", "ming@example.org, nobody")
    with pytest.raises(ImproperlyConfigured, match="ADMINS must be e-mail addresses"):
        envaddresses("ADMINS")
    monkeypatch.setenv("ADMINS", " ")
    assert envaddresses("ADMINS") == []


# A page that fails, for the logging test below (used as ROOT_URLCONF).
@login_not_required
def broken_view(request):
    raise RuntimeError("the page broke")


urlpatterns = [path("broken/", broken_view)]


def test_a_server_error_is_logged_on_stderr_with_its_request_when_debug_is_off(tmp_path):
    code = (
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.test_settings'):\n"
        "    response = Client(raise_request_exception=False).get('/broken/?x=1')\n"
        "print(response.status_code)\n"
    )
    result = start(code, tmp_path, DEBUG="false", SECRET_KEY="x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    lines = result.stderr.splitlines()
    [line] = [line for line in lines if "Internal Server Error" in line]
    assert "ERROR django.request [GET /broken/ user=anonymous status=500]" in line
    assert "RuntimeError: the page broke" in result.stderr


def test_log_records_carry_the_request_being_answered():
    context = RequestContextFilter()

    def record():
        entry = logging.LogRecord("projects.notifications", logging.ERROR, "", 0, "x", (), None)
        context.filter(entry)
        return entry.request_context

    seen = []
    request = RequestFactory().post("/plans/3/transition/submit/")
    request.user = type("User", (), {"pk": 5, "is_authenticated": True})()
    RequestContextMiddleware(lambda request: seen.append(record()) or HttpResponse())(request)
    assert seen == ["POST /plans/3/transition/submit/ user=5 status=-"]
    assert record() == "-"  # outside any request

    # A user not yet loaded is not loaded for a log line (the database may be down).
    request.user = SimpleLazyObject(lambda: pytest.fail("the user was loaded"))
    RequestContextMiddleware(lambda request: seen.append(record()) or HttpResponse())(request)
    assert seen[-1] == "POST /plans/3/transition/submit/ user=- status=-"

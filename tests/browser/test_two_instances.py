"""Two gunicorn instances (scripts/two_instances.py) share the database, Redis and
the S3 bucket: a user signs in on one instance and downloads, from the other, an
attachment uploaded through the first and the approved PDF a Celery worker rendered
and stored. About 30 s; skipped, saying why, without gunicorn, Celery or Redis."""

import importlib.util
import os
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from projects.management.commands.load_demo import DEMO_PASSWORD
from projects.models import Attachment, Organisation, Plan
from projects.workflow import plan_transition
from reports.models import VersionPdf
from tests import s3
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_instances,
    pytest.mark.django_db(transaction=True),
]
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
REDIS_URL = os.environ.get("TWO_INSTANCES_REDIS_URL", "redis://127.0.0.1:6379")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def database_url() -> str:
    """The test database (committed rows: a transactional test) as a URL."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def redis_or_skip():
    for module in ("gunicorn", "celery", "redis", "moto.server"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}): apt-get install redis-server")


@pytest.fixture
def instances(redis_or_skip, settings, tmp_path, transactional_db):
    """(first URL, second URL, S3 client): two instances and a worker on the test
    database, the moto bucket and Redis; this process stores files in the bucket too."""
    import two_instances
    from django.conf import global_settings

    # The instances check passwords with the real hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    with s3.moto_server() as endpoint:
        storage = s3.s3_environment(endpoint)
        settings.STORAGES = {**settings.STORAGES, "default": _s3_storage(storage)}
        static_root = tmp_path / "static"
        env = two_instances.environment(
            DATABASE_URL=database_url(),
            CACHE_URL=f"{REDIS_URL}/13",
            CELERY_BROKER_URL=f"{REDIS_URL}/14",
            STATIC_ROOT=str(static_root),
            STATIC_MANIFEST="true",
            **storage,
        )
        two_instances.manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        ports = [s3.free_port(), s3.free_port()]
        with two_instances.running(env, ports, tmp_path / "logs") as urls:
            yield urls[0], urls[1], s3.client(endpoint), env


def _s3_storage(environ):
    from config.settings import s3_storage

    return s3_storage(environ)


def approve_without_rendering(plan, monkeypatch):
    """Submit, review and approve; the PDF job is left to the worker (sent below)."""
    monkeypatch.setattr("reports.services.approved_pdf_schedule", lambda version_id: None)
    hsinchu = Organisation.objects.get(name__startswith="新竹縣")
    Plan.objects.filter(pk=plan.pk).update(authority=hsinchu)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    editor, reviewer = users.get(username="carrefour"), users.get(username="hsinchu")
    for user, name in [(editor, "submit"), (reviewer, "start_review"), (reviewer, "approve")]:
        plan = plan_transition(plan=Plan.objects.get(pk=plan.pk), user=user, name=name)
    return plan


def wait_for(predicate, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_signing_in_on_one_instance_downloads_from_the_other(
    page, instances, monkeypatch, tmp_path
):
    first, second, bucket, env = instances
    call_command("load_demo", stdout=StringIO())
    chiller = Plan.objects.get(programme__isnull=True)

    # Signed in on the first instance, an attachment is uploaded there (to the bucket).
    page.base_url = first
    sign_in(page, "carrefour", DEMO_PASSWORD)
    page.goto(f"{first}/plans/{chiller.pk}/attachments/")
    upload = tmp_path / "measurements.pdf"
    upload.write_bytes(PDF)
    page.fill("#id_label", "附件九")
    page.fill("#id_description", "照度量測結果")
    page.set_input_files("#id_file", str(upload))
    page.locator("form:has(#id_file) button").click()
    page.wait_for_selector("text=照度量測結果")
    attachment = Attachment.objects.get(plan=chiller, label="附件九")
    stored = bucket.get_object(Bucket=s3.BUCKET, Key=attachment.file.name)["Body"].read()
    assert stored == PDF

    # Approved; a Celery worker renders the PDF and stores it in the bucket.
    plan = approve_without_rendering(chiller, monkeypatch)
    from celery import Celery

    Celery(broker=env["CELERY_BROKER_URL"]).send_task(
        "reports.tasks.version_pdf_task", args=[plan.current_version_id]
    )
    pdf = wait_for(lambda: VersionPdf.objects.filter(version_id=plan.current_version_id).first())
    in_bucket = bucket.get_object(Bucket=s3.BUCKET, Key=pdf.file.name)["Body"].read()
    assert in_bucket.startswith(b"%PDF")

    # The second instance knows the session and serves both files from the bucket.
    page.goto(f"{second}/plans/{chiller.pk}/attachments/")
    assert page.url == f"{second}/plans/{chiller.pk}/attachments/"  # not sent to sign in
    with page.expect_download() as download:
        page.click("a:has-text('measurements')")
    assert Path(download.value.path()).read_bytes() == PDF
    response = page.request.get(
        f"{second}/plans/{chiller.pk}/versions/{plan.current_version.number}.pdf"
    )
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == in_bucket
    assert "no-store" in response.headers["cache-control"]
    # The static files are collectstatic's hashed copies, served by WhiteNoise.
    stylesheet = page.locator("link[rel=stylesheet]").last.get_attribute("href")
    assert stylesheet.startswith("/static/css/site.") and stylesheet != "/static/css/site.css"
    assert page.request.get(second + stylesheet).status == 200

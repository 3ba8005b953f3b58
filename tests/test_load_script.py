"""The load test's pieces (scripts/load/), without the 60-second run itself: the
locustfile loads, the load users get a plan each, and the form data the simulated
users send (read from the pages as a browser would, then edited) saves every
section and previews section 四, as a real browser's would."""

import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client

from projects.models import Plan

LOAD = Path(__file__).resolve().parent.parent / "scripts" / "load"
sys.path.insert(0, str(LOAD))

import htmlforms  # noqa: E402
import setup_users  # noqa: E402

SECTIONS = ("basic", "activity", "applicability", "calculation", "environment")
FORM = "application/x-www-form-urlencoded"


def test_locustfile_loads_its_user_class():
    # In a process of its own: locust patches the standard library (gevent).
    listed = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOAD / "locustfile.py"), "--list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "Applicant" in listed.stdout


@pytest.fixture
def load_users(db):
    call_command("load_demo", stdout=StringIO())
    return setup_users.create(2)


def test_each_load_user_edits_a_plan_of_its_own(load_users):
    assert [username for username, _ in load_users] == ["load01", "load02"]
    plans = Plan.objects.filter(pk__in=[pk for _, pk in load_users])
    assert len({plan.organisation_id for plan in plans}) == 2
    assert {plan.type for plan in plans} == {Plan.Type.SUB_PROJECT, Plan.Type.INDIVIDUAL}
    assert setup_users.create(2) == load_users  # again: nothing new


@pytest.mark.parametrize("slug", SECTIONS)
def test_the_load_users_edit_saves_each_section(load_users, django_user_model, slug):
    for username, pk in load_users:
        client = Client()
        client.force_login(django_user_model.objects.get(username=username))
        page = client.get(f"/plans/{pk}/sections/{slug}/").content.decode()
        fields = htmlforms.edited(htmlforms.form_fields(page, "section-form"), slug)
        revision = Plan.objects.get(pk=pk).revision
        assert ("revision", str(revision)) in fields

        saved = client.post(f"/plans/{pk}/sections/{slug}/", urlencode(fields), content_type=FORM)

        assert saved.status_code == 302, (username, slug)
        plan = Plan.objects.get(pk=pk)
        assert plan.revision == revision + 1
        if slug in htmlforms.EDITED_TEXT:
            text = getattr(plan, htmlforms.EDITED_TEXT[slug].removeprefix("plan-"))
            assert htmlforms.SAVE_MARK.search(text)


def test_the_load_users_preview_of_section_4_shows_figures(load_users, django_user_model):
    username, pk = load_users[0]
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    page = client.get(f"/plans/{pk}/sections/calculation/").content.decode()
    fields = htmlforms.form_fields(page, "section-form")

    preview = client.post(
        f"/plans/{pk}/sections/calculation/preview/",
        urlencode(fields),
        content_type=FORM,
        headers={"HX-Request": "true"},
    )

    assert preview.status_code == 200
    assert 'id="results-panel"' in preview.content.decode()
    assert "invalid" not in preview.context or not preview.context["invalid"]


def test_form_fields_sends_what_a_browser_sends():
    page = """<form id="other"><input name="x" value="no"></form>
    <form id="section-form"><input type="hidden" name="revision" value="3">
      <input name="a" value="1 &amp; 2"><input type="checkbox" name="b">
      <input type="checkbox" name="c" checked><input name="d" disabled value="x">
      <select name="e"><option value="1">one</option><option value="2" selected>two</option></select>
      <select name="f"><option value="">—</option><option value="9">nine</option></select>
      <textarea name="g">
first line</textarea>
      <fieldset disabled><input name="h" value="x"></fieldset>
      <template><input name="i-__prefix__" value="x"></template>
      <input type="file" name="j"><button type="submit" name="k" value="x">save</button>
    </form><form><input name="l" value="after"></form>"""

    assert htmlforms.form_fields(page, "section-form") == [
        ("revision", "3"),
        ("a", "1 & 2"),
        ("c", "on"),
        ("e", "2"),
        ("f", ""),
        ("g", "first line"),
    ]


def test_a_load_user_signs_in_through_the_sign_in_form_as_the_locustfile_does(load_users):
    """What locustfile.Applicant._sign_in posts: allauth's `login` field, a confirmed
    address (else allauth stops at its confirmation page), then the dashboard's plan."""
    from projects.management.commands.load_demo import DEMO_PASSWORD

    username, pk = load_users[0]
    client = Client(HTTP_X_FORWARDED_FOR="10.20.0.2")
    response = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert f"/plans/{pk}/" in client.get(response["Location"], follow=True).content.decode()

"""The public calculator (/calculator/): section 四 without signing in, nothing stored."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from projects.models import EquipmentGroup, Membership, Organisation, Plan
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
FIGURE = re.compile(r'<td class="num"[^>]*>([^<]*)</td>')


class FormFields(HTMLParser):
    """The fields a browser sends for the page's #section-form, as rendered."""

    def __init__(self):
        super().__init__()
        self.items, self._select, self._textarea, self._template = [], None, None, 0
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == "section-form":
            self._in_form = True
        if tag == "template":
            self._template += 1
        if not self._in_form or self._template:
            return
        kind = a.get("type")
        if tag == "input" and a.get("name") and kind not in ("checkbox", "submit"):
            self.items.append((a["name"], a.get("value") or ""))
        elif tag == "input" and kind == "checkbox" and "checked" in a:
            self.items.append((a["name"], a.get("value") or "on"))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.items.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "template":
            self._template -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.items.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def page_fields(html: str) -> dict[str, list[str]]:
    parser = FormFields()
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in parser.items:
        fields.setdefault(name, []).append(value)
    return fields


def preview(client, fields, **extra):
    return client.post(reverse("calculator:preview"), fields, **extra)


@pytest.mark.parametrize("example", ["lighting", "chiller"])
def test_the_calculator_shows_an_examples_section_four_without_sign_in(example):
    before = (Plan.objects.count(), Organisation.objects.count())
    response = Client().get(reverse("calculator:page"), {"example": example})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="baseline-groups-0-name"' in html
    assert FIGURE.findall(html)  # the example's figures in the side panel
    assert (Plan.objects.count(), Organisation.objects.count()) == before  # nothing stored


def test_the_preview_recalculates_what_is_on_the_page():
    client = Client()
    html = client.get(reverse("calculator:page"), {"example": "chiller"}).content.decode()
    fields = page_fields(html)
    shown = FIGURE.findall(html)[:4]
    assert FIGURE.findall(preview(client, fields).content.decode())[:4] == shown
    assert fields["baseline-groups-0-count"] == ["2"]
    fields["baseline-groups-0-count"] = ["3"]  # three old chillers instead of two
    changed = FIGURE.findall(preview(client, fields).content.decode())
    assert changed[0] == "2,096,906.035 kWh"  # E_BL,y of 3 × 177.2 RT × 0.8313 kW/RT × 4,745 h
    assert changed[0] != shown[0]
    assert not Plan.objects.exists()
    assert not EquipmentGroup.objects.exists()


def test_an_invalid_figure_is_named_in_the_preview():
    client = Client()
    fields = page_fields(client.get(reverse("calculator:page")).content.decode())
    fields["baseline-groups-0-count"] = ["many"]
    response = preview(client, fields)
    assert response.status_code == 200
    assert "baseline-groups-0-count" in response.content.decode()


def test_the_preview_is_rate_limited_per_address(settings):
    settings.CALCULATOR_PREVIEW_RATE = "2/d"  # a day: the window cannot turn over mid-test
    client = Client()
    fields = page_fields(client.get(reverse("calculator:page")).content.decode())
    statuses = [preview(client, fields).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert preview(client, fields, REMOTE_ADDR="10.1.1.1").status_code == 200


def test_the_preview_keeps_the_small_form_limits():
    """The calculator is not a plan page: Django's own limits of every public POST hold."""
    client = Client()
    fields = {f"f{number}": "1" for number in range(1_200)}
    assert preview(client, fields).status_code == 400  # multipart
    form = "&".join(f"f{number}=1" for number in range(1_200))
    assert (
        preview(client, form, content_type="application/x-www-form-urlencoded").status_code == 400
    )
    big = {"x": "y" * 3_000_000}
    assert preview(client, big).status_code == 413  # multipart
    assert (
        preview(
            client, "x=" + "y" * 3_000_000, content_type="application/x-www-form-urlencoded"
        ).status_code
        == 400
    )


def test_starting_a_plan_carries_the_figures_into_its_section_four():
    client = Client()
    html = client.get(reverse("calculator:page"), {"example": "chiller"}).content.decode()
    fields = page_fields(html)
    fields["baseline-groups-0-count"] = ["3"]
    response = client.post(reverse("calculator:start"), fields)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    user = UserFactory()
    organisation = OrganisationFactory()
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.EDITOR)
    client.force_login(user)  # the session (and the kept figures) survive signing in
    created = client.post(
        reverse("projects:plan_create"),
        {
            "organisation": organisation.pk,
            "type": Plan.Type.INDIVIDUAL,
            "title": "冰水主機汰換",
            "technology": Plan.Technology.CHILLER,
        },
    )
    plan = Plan.objects.get(title="冰水主機汰換")
    assert created["Location"] == reverse("projects:section", args=[plan.pk, "calculation"])
    baseline = plan.groups.get(side="baseline")
    assert baseline.count == 3
    assert plan.groups.filter(side="project").count() == 2
    # Used once: the next plan starts empty.
    client.post(
        reverse("projects:plan_create"),
        {
            "organisation": organisation.pk,
            "type": Plan.Type.INDIVIDUAL,
            "title": "第二份",
            "technology": Plan.Technology.CHILLER,
        },
    )
    assert not Plan.objects.get(title="第二份").groups.exists()

"""Pages that must not slow down with size: the plan list pages, the
calculation page renders each empty row once, the preview makes no query per row."""

import re
from collections import Counter
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.forms import BaseFormSet
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape

from methodologies.engine import calculate, parse_calculation_document
from methodologies.reference import load_reference_data
from projects.dashboard import PAGE_SIZE
from projects.interchange import calculation_document, plan_document
from projects.models import EquipmentGroup, GroupPeriod, Membership, ParameterNote, Plan
from projects.sections import CalculationEditor
from projects.services import plan_calculate, plan_import
from tests.projects.factories import MembershipFactory, OrganisationFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db
PLAN_LIST = reverse("projects:plan_list")


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


def make_plans(count, organisation, start=0):
    """`count` drafts of `organisation`, the later the index the more recently changed."""
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        Plan(organisation=organisation, type=Plan.Type.INDIVIDUAL, title=f"計畫 {index:04d}")
        for index in range(start, start + count)
    )
    # auto_now sets every updated_at to the same instant: spread them out.
    for index, plan in enumerate(plans, start):
        plan.updated_at = now - timedelta(minutes=10_000 - index)
    Plan.objects.bulk_update(plans, ["updated_at"], batch_size=500)
    return plans


def query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def titles(response) -> list[str]:
    return [plan.title for plan in response.context["page"]]


# The plan list


def test_the_plan_list_queries_do_not_grow_with_the_number_of_plans(editor):
    make_plans(3, editor.organisation)
    at_3 = query_count(editor, PLAN_LIST)
    make_plans(297, editor.organisation, start=3)
    make_plans(50, OrganisationFactory())  # another organisation's, not listed
    assert query_count(editor, PLAN_LIST) == at_3
    assert query_count(editor, f"{PLAN_LIST}?page=6") == at_3


def test_the_plan_list_pages_and_page_2_shows_the_rest(editor):
    make_plans(PAGE_SIZE + 7, editor.organisation)
    first = editor.get(PLAN_LIST)
    second = editor.get(PLAN_LIST, {"page": 2})
    newest_first = [f"計畫 {index:04d}" for index in reversed(range(PAGE_SIZE + 7))]
    assert titles(first) == newest_first[:PAGE_SIZE]
    assert titles(second) == newest_first[PAGE_SIZE:]
    html = first.content.decode()
    assert 'href="?page=2"' in html
    assert "共 57 件，第 1–50 件" in html
    assert "共 57 件，第 51–57 件" in second.content.decode()


def test_the_plan_list_reads_an_out_of_range_page_as_the_last(editor):
    make_plans(PAGE_SIZE + 1, editor.organisation)
    assert titles(editor.get(PLAN_LIST, {"page": 99})) == ["計畫 0000"]
    assert len(titles(editor.get(PLAN_LIST, {"page": "x"}))) == PAGE_SIZE


def test_the_plan_list_shows_no_pager_for_one_page(editor):
    make_plans(3, editor.organisation)
    html = editor.get(PLAN_LIST).content.decode()
    assert "?page=" not in html


# The calculation page


@pytest.fixture
def chiller(editor, demo_document):
    return plan_import(
        document=demo_document("chiller-individual.json"),
        create_programmes=True,
        organisation=editor.organisation,
    )


def widgets(html: str) -> int:
    return len(re.findall(r"<(?:input|select|textarea)\b", html))


def test_the_calculation_page_renders_each_formsets_empty_row_once(editor, chiller, monkeypatch):
    # formset.empty_form builds a new form at every access (a refrigerant or
    # a choice field may query): count the builds per formset.
    built = Counter()
    empty_form = BaseFormSet.empty_form

    def counted(formset):
        built[formset.prefix] += 1
        return empty_form.fget(formset)

    monkeypatch.setattr(BaseFormSet, "empty_form", property(counted))
    html = editor.get(reverse("projects:section", args=[chiller.pk, "calculation"])).content
    html = html.decode()
    prefixes = ["baseline-groups", "project-groups", "pairs", "notes"]
    assert built == dict.fromkeys(prefixes, 1)
    templates = re.findall(r"<template data-formset-empty>(.*?)</template>", html, re.S)
    assert [re.search(r'name="([a-z-]+)-__prefix__-', t).group(1) for t in templates] == prefixes
    # Outside its <template>, no empty row: every widget belongs to a real row.
    outside = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    assert "__prefix__" not in outside
    # 293 live widgets and 41 in the six templates for the chiller plan.
    assert widgets(html) - widgets(outside) <= 45


# The preview


def preview(client, plan, data):
    return client.post(reverse("projects:preview", args=[plan.pk, "calculation"]), data)


def calculation_data(plan, **changes) -> dict:
    data = editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))
    data.update(changes)
    return data


def test_the_chiller_plan_previews_in_at_most_20_queries(
    editor, chiller, django_assert_max_num_queries
):
    data = calculation_data(chiller, **{"plan-line_loss": "0.05"})
    with django_assert_max_num_queries(20):
        response = preview(editor, chiller, data)
    assert response.status_code == 200
    assert response.context["results"] is not None
    assert not response.context["calculation_errors"]


def test_the_previews_queries_do_not_grow_with_rows(editor, chiller):
    data = calculation_data(chiller, **{"plan-line_loss": "0.05"})
    with CaptureQueriesContext(connection) as before:
        preview(editor, chiller, data)
    # Ten more parameter notes and two more periods-shaped groups of 12 months.
    ParameterNote.objects.bulk_create(
        ParameterNote(plan=chiller, table="baseline", parameter=f"P{i}") for i in range(10)
    )
    for index in range(2):
        group = EquipmentGroup.objects.create(
            plan=chiller, side="project", shape="periods", name=f"G{index}", count=1, order=9
        )
        GroupPeriod.objects.bulk_create(
            GroupPeriod(group=group, month=f"2024-{m:02d}", power_kw=10, hours=100)
            for m in range(1, 13)
        )
    data = calculation_data(chiller, **{"plan-line_loss": "0.05"})
    with CaptureQueriesContext(connection) as after:
        response = preview(editor, chiller, data)
    assert response.context["results"] is not None
    assert len(after) == len(before)


@pytest.mark.parametrize("name", ["chiller-individual.json", "lighting-subproject.json"])
def test_the_calculation_reads_the_same_figures_as_the_whole_document(demo_document, name):
    plan = plan_import(document=demo_document(name), create_programmes=True)
    reference = load_reference_data()
    whole = calculate(parse_calculation_document(plan_document(plan), reference))
    assert calculate(parse_calculation_document(calculation_document(plan), reference)) == whole
    assert plan_calculate(plan).to_json() == whole.to_json()


def test_a_preview_by_someone_who_may_not_change_the_plan_is_404(client, chiller):
    viewer = MembershipFactory(organisation=chiller.organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer.user)
    assert preview(client, chiller, calculation_data(chiller)).status_code == 404


def test_the_month_grids_of_two_groups_share_their_cell_fields_and_keep_their_own_months(
    editor, chiller
):
    # A page of 400 monthly groups built 48 fields per group; the cells' fields are
    # now built once per grid row, whatever the number of groups.
    editor_page = CalculationEditor(Plan.objects.get(pk=chiller.pk))
    first, second = editor_page.formsets["project_groups"].forms[:2]
    assert first.rows >= 12 and second.rows >= 12
    for name in ("month_0", "power_0", "hours_11", "energy_11"):
        assert first.fields[name] is second.fields[name]
    periods = list(chiller.groups.get(side="project", order=0).periods.all())
    assert first["month_0"].value() == periods[0].month
    assert first["power_0"].value() == periods[0].power_kw


def grid_of_bound_fields(form) -> str:
    """The grid's rows as the template wrote them from each cell's BoundField."""
    rows = []
    for i in range(form.rows):
        cells = []
        for column in ("month", "power", "hours", "energy"):
            bound = form[f"{column}_{i}"]
            errors = "".join(
                f'<div class="invalid-feedback d-block">{conditional_escape(error)}</div>'
                for error in bound.errors
            )
            cells.append(f"\n            <td>{bound}{errors}</td>")
        rows.append("\n          <tr>" + "".join(cells) + "\n          </tr>\n        ")
    return "".join(rows)


def test_the_month_grid_written_directly_is_the_html_of_its_cells_bound_fields(editor, chiller):
    saved = CalculationEditor(Plan.objects.get(pk=chiller.pk))
    sent = calculation_data(
        chiller,
        **{
            "project-groups-0-power_3": "4x",  # not a number
            "project-groups-0-month_4": "2019-09",  # a month twice
            "project-groups-0-hours_5": "",  # power without hours
            "project-groups-1-energy_2": "12",  # energy besides power and hours
            "project-groups-1-month_12": "2020/13",  # a pasted row, not a month
            "project-groups-1-power_12": "1",
            "project-groups-1-hours_12": "800",  # over 744
            "project-groups-1-energy_12": "<b>",
        },
    )
    posted = CalculationEditor(
        Plan.objects.get(pk=chiller.pk), QueryDict(urlencode(sent, doseq=True))
    )
    assert not posted.is_valid()
    for page in (saved, posted):
        for form in page.formsets["project_groups"].forms:
            assert form.rows >= 12
            assert form.grid_html() == grid_of_bound_fields(form)
    form = posted.formsets["project_groups"].forms[1]
    assert form.rows == 13 and 'aria-invalid="true"' in form.grid_html()

"""Pages that must not slow down with size: the plan list pages, the
calculation page renders each empty row once, the preview makes no query per row."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.forms import BaseFormSet
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.dashboard import PAGE_SIZE
from projects.models import Membership, Plan
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, OrganisationFactory

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

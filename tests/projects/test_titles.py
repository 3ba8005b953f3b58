"""Titles are one line: every way in (forms, import) refuses a line break at its field."""

import pytest

from methodologies.engine import DocumentErrors
from projects.forms import BasicForm, PlanCreateForm
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, PlanFactory
from tests.projects.formdata import form_items

pytestmark = pytest.mark.django_db

ONE_LINE = "請寫成一行，不可換行。"


def test_the_basic_section_refuses_a_title_with_a_line_break():
    plan = PlanFactory(title="冰水主機汰換")
    data = dict(form_items(BasicForm(instance=plan, prefix="plan")))
    data["plan-title"] = "冰水主機汰換\r\n第二行"
    form = BasicForm(data, instance=plan, prefix="plan")
    assert not form.is_valid()
    assert form.errors["title"] == [ONE_LINE]
    assert form["title"].value() == "冰水主機汰換\r\n第二行"  # kept for correction


def test_creating_a_plan_refuses_a_title_with_a_line_break():
    membership = MembershipFactory()
    form = PlanCreateForm(
        {
            "organisation": membership.organisation.pk,
            "type": "individual",
            "title": "LED 汰換\n第二行",
            "technology": "lighting",
        },
        user=membership.user,
    )
    assert not form.is_valid()
    assert form.errors["title"] == [ONE_LINE]


def test_importing_a_document_refuses_a_title_with_a_line_break_at_its_path(demo_document):
    document = demo_document("chiller-individual.json")
    document["plan"]["title"] = "冰水主機汰換\n第二行"
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, create_programmes=True)
    assert [(e.path, e.message) for e in refusal.value.errors] == [("plan.title", ONE_LINE)]

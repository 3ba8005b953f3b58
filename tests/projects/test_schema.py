"""The declarative schema of the plan document drives the checklist, the
navigator, labels, the interchange reader and writer and the comparison."""

import pytest
from django.utils import translation

from projects import schema
from projects.models import Organisation, Plan
from projects.sections import EDITOR_BY_SLUG, EDITORS
from projects.services import plan_import
from projects.workflow import submission_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def complete_plan(demo_document):
    """The registered chiller plan, with its reviewing authority: submittable."""
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(
        name="新竹縣政府環境保護局", kind=Organisation.Kind.AUTHORITY
    )
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    return Plan.objects.get(pk=plan.pk)


def _blank(row: schema.Row):
    field = Plan._meta.get_field(row.field)
    return None if field.null else ""


def test_the_required_fields_table_names_every_section_and_form_field():
    individual = {row.path for row in schema.required_rows(Plan.Type.INDIVIDUAL)}
    sub_project = {row.path for row in schema.required_rows(Plan.Type.SUB_PROJECT)}
    assert individual - sub_project == {"environment.summary"}
    assert {"plan.title", "plan.methodology", "plan.crediting_period.end"} <= sub_project
    for row in schema.required_rows(Plan.Type.INDIVIDUAL):
        assert row.section in EDITOR_BY_SLUG and row.html_name.startswith("plan-")


def test_a_complete_plan_has_no_problems_and_every_section_complete(complete_plan):
    assert submission_problems(complete_plan) == []
    assert all(editor.is_complete(complete_plan) for editor in EDITORS)


@pytest.mark.parametrize("path", [row.path for row in schema.required_rows(Plan.Type.INDIVIDUAL)])
def test_a_blank_required_field_is_refused_by_submission_and_marked_by_the_navigator(
    complete_plan, path
):
    row = schema.row_for_path(path)
    Plan.objects.filter(pk=complete_plan.pk).update(**{row.field: _blank(row)})
    plan = Plan.objects.get(pk=complete_plan.pk)
    problems = submission_problems(plan)
    assert any(p.section == row.section and p.field == row.html_name for p in problems)
    assert not EDITOR_BY_SLUG[row.section].is_complete(plan)
    others = [e for e in EDITORS if e.slug != row.section]
    assert all(editor.is_complete(plan) for editor in others)


def test_each_section_rule_is_refused_by_submission_and_marked_by_the_navigator(complete_plan):
    complete_plan.participants.all().delete()
    complete_plan.applicability.filter(condition=schema.CONDITION_COUNT).update(answer="")
    Plan.objects.filter(pk=complete_plan.pk).update(authority=None)
    plan = Plan.objects.get(pk=complete_plan.pk)
    fields = {(p.section, p.field) for p in submission_problems(plan)}
    assert ("activity", "participants-0-name") in fields
    assert ("basic", "plan-authority") in fields
    assert ("applicability", f"condition-{schema.CONDITION_COUNT}-answer") in fields
    for slug in ("basic", "activity", "applicability"):
        assert not EDITOR_BY_SLUG[slug].is_complete(plan)


def test_the_navigator_does_not_ask_section_five_of_a_sub_project(demo_document):
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    assert not plan.environment_summary
    assert EDITOR_BY_SLUG["environment"].is_complete(plan)
    assert not [p for p in submission_problems(plan) if p.section == "environment"]


def test_section_five_is_complete_with_its_summary_without_stakeholder_tiers(complete_plan):
    """The navigator asked for stakeholder tiers that submission never required,
    so an approved plan could show 五 unfinished."""
    complete_plan.stakeholder_tiers.all().delete()
    assert EDITOR_BY_SLUG["environment"].is_complete(complete_plan)


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("plan.crediting_period.end", "專案計入期迄"),
        ("calculation.baseline.groups[0].count", "基線設備群組第 1 筆／數量"),
        ("plan.calculation_notes.project_scenario", "專案情境說明"),
        ("plan.participants[1].name", "參與機構第 2 筆／單位名稱"),
        ("calculation.project.refrigerant.gwp", "專案冷媒／GWP"),
    ],
)
def test_a_document_path_is_labelled_in_the_users_words(path, words):
    with translation.override("zh-hant"):
        assert schema.label_for_path(path).startswith(words)


def test_the_quantity_limit_is_the_engines():
    from methodologies.engine.reader import MAX_QUANTITY

    assert MAX_QUANTITY == 10**schema.MAX_INTEGER_DIGITS


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("plan.title", "basic"),
        ("plan.organization", "basic"),
        ("plan.programme.title", "activity"),
        ("plan.costs.setup", "activity"),
        ("plan.participants[0].name", "activity"),
        ("plan.calculation_notes.parameters[2].note", "calculation"),
        ("additionality.saving_rate.year", "applicability"),
        ("applicability[0].answer", "applicability"),
        ("consultation.tiers[0].sent", "environment"),
        ("attachments[0].label", "attachments"),
    ],
)
def test_the_comparison_puts_each_path_in_its_schema_section(path, section):
    from projects.compare import section_of

    assert section_of(path) == section


def test_the_comparison_and_history_show_labels_not_raw_keys(client, complete_plan):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from projects.models import PlanEvent

    admin = get_user_model().objects.create_superuser("root", "root@example.tw", "x")
    PlanEvent.objects.create(
        plan=complete_plan,
        user=admin,
        kind=PlanEvent.Kind.CHANGE,
        changes=[{"path": "plan.calculation_notes.project_scenario", "before": "a", "after": "b"}],
    )
    client.force_login(admin)
    with translation.override("zh-hant"):
        page = client.get(reverse("projects:history", args=[complete_plan.pk])).content.decode()
    assert ">專案情境說明</td>" in page
    assert ">plan.calculation_notes.project_scenario<" not in page


@pytest.fixture
def survey_open_row(monkeypatch):
    """A row for a model field the document does not carry yet: Plan.survey_open."""
    row = schema._row("plan.survey_open", "survey_open", schema.BOOLEAN, "environment")
    monkeypatch.setitem(schema.TABLES, "environment", [*schema.ENVIRONMENT, row])
    return row


def test_a_field_outside_the_schema_is_an_unknown_key(demo_document):
    from methodologies.engine import DocumentErrors

    document = demo_document("chiller-individual.json")
    document["plan"]["survey_open"] = True
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, create_programmes=True)
    assert [e.path for e in refusal.value.errors] == ["plan.survey_open"]


def test_a_new_schema_row_reaches_reader_writer_comparison_and_pdf_labels(
    demo_document, survey_open_row
):
    from projects.compare import compare_documents
    from projects.interchange import plan_document

    document = demo_document("chiller-individual.json")
    before = plan_document(plan_import(document=document, create_programmes=True))
    assert "survey_open" not in before["plan"]  # false is left out, like other flags
    document["plan"]["survey_open"] = True
    plan = plan_import(document=document, create_programmes=True)
    assert Plan.objects.get(pk=plan.pk).survey_open is True  # the reader
    after = plan_document(plan)
    assert after["plan"]["survey_open"] is True  # the writer
    assert after == {**before, "plan": {**before["plan"], "survey_open": True}}
    sections = {s.slug: s.changes for s in compare_documents(before, after)}
    assert [c["path"] for c in sections["environment"]] == ["plan.survey_open"]
    with translation.override("zh-hant"):
        assert schema.label_for_path("plan.survey_open") == "線上問卷開放填答"


def _put(document: dict, path: str, value) -> dict:
    *parents, key = path.split(".")
    obj = document
    for part in parents:
        obj = obj.setdefault(part, {})
    obj[key] = value
    return document


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("consultation.survey_open", "environment"),
        ("environment.survey_open", "environment"),
        ("plan.calculation_notes.survey_open", "calculation"),
        ("additionality.notes.survey_open", "applicability"),
        ("additionality.saving_rate.survey_open", "applicability"),
    ],
)
def test_a_new_schema_row_of_sections_three_to_five_reaches_reader_writer_and_comparison(
    demo_document, monkeypatch, path, section
):
    """Sections 三 to 五 were read and written by hand: a row there reached the
    labels but the reader refused its key and the writer left it out."""
    import copy

    from projects.compare import compare_documents
    from projects.interchange import plan_document

    row = schema._row(path, "survey_open", schema.BOOLEAN, section)
    monkeypatch.setitem(schema.TABLES, section, [*schema.TABLES[section], row])
    document = demo_document("chiller-individual.json")
    before = plan_document(plan_import(document=document, create_programmes=True))
    plan = plan_import(document=_put(document, path, True), create_programmes=True)
    assert Plan.objects.get(pk=plan.pk).survey_open is True  # the reader
    after = plan_document(plan)
    assert after == _put(copy.deepcopy(before), path, True)  # the writer
    sections = {s.slug: s.changes for s in compare_documents(before, after)}
    assert [c["path"] for c in sections[section]] == [path]
    assert not [c for slug, changes in sections.items() if slug != section for c in changes]
    with translation.override("zh-hant"):
        assert schema.label_for_path(path) == "線上問卷開放填答"
    assert _report(plan).sections["labels"]["survey_open"] == "線上問卷開放填答"


def test_every_scalar_row_is_under_an_object_the_interchange_reads():
    """A row nested deeper than read_scalars goes (an object of scalars inside
    one of ROOTS) would be neither read nor written."""
    assert all(schema.root_of(row) in schema.ROOTS for row in schema.rows() if row.scalar)
    assert {row.path for row in schema.scalar_rows("consultation")} == {
        "consultation.identification",
        "consultation.tier_table_number",
        "consultation.collection",
        "consultation.summary",
        "consultation.responses",
        "consultation.conclusion",
    }


def test_an_import_error_of_a_plan_field_names_its_document_path(demo_document):
    """A model's refusal (too long for the column) was reported at
    `plan.cost_other_label`, a key the document does not have."""
    from methodologies.engine import DocumentErrors

    document = demo_document("chiller-individual.json")
    document["plan"]["costs"]["other_label"] = "費" * 101
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, create_programmes=True)
    assert [e.path for e in refusal.value.errors] == ["plan.costs.other_label"]


def _report(plan):
    from projects.interchange import plan_document
    from reports.context import build_report

    return build_report(plan_document(plan), plan.results, draft=True)


def test_the_pdf_prints_the_schemas_label_where_it_is_the_registered_wording(
    complete_plan, monkeypatch
):
    from django.template.loader import render_to_string

    title = schema.row_for_path("plan.title")
    renamed = schema.Row(**{**title.__dict__, "label_text": "計畫名稱（新）"})
    basic = [renamed if row is title else row for row in schema.BASIC]
    monkeypatch.setitem(schema.TABLES, "basic", basic)
    with translation.override("en"):  # the PDF is the official zh-Hant form
        html = render_to_string("reports/plan.html", {"report": _report(complete_plan)})
    assert '<td class="label">計畫名稱（新）</td>' in html
    assert '<td class="label">公司/單位名稱</td>' in html


def test_a_new_schema_row_has_its_pdf_label(complete_plan, survey_open_row):
    assert _report(complete_plan).sections["labels"]["survey_open"] == "線上問卷開放填答"


def test_the_page_and_the_pdf_show_one_saving_rate_and_one_set_of_cost_shares(complete_plan):
    from decimal import Decimal

    from projects import consistency
    from projects.models import SavingMeasure

    SavingMeasure.objects.create(plan=complete_plan, order=0, label="照明", savings_kwh=12)
    SavingMeasure.objects.create(plan=complete_plan, order=1, label="空調", savings_kwh=8)
    Plan.objects.filter(pk=complete_plan.pk).update(
        saving_rate_previous_kwh=Decimal("1680"),
        saving_rate_required_percent=Decimal("1"),
        cost_setup=Decimal("300"),
        cost_subsidy=Decimal("100"),
        cost_energy=Decimal("0"),
    )
    plan = Plan.objects.get(pk=complete_plan.pk)
    page_rate = consistency.saving_rate(plan)
    pdf = _report(plan).sections
    assert page_rate["h"] == Decimal("1.17")  # 20 / 1700, truncated
    assert pdf["saving_rate"]["h"] == "1.17" and pdf["saving_rate"]["f"] == "20"
    assert page_rate["meets_rule"] is True
    shares = {str(item["label"]): item["percent"] for item in consistency.cost_shares(plan)}
    assert shares == {"設置成本": Decimal("75.0"), "政府補助": Decimal("25.0")}
    assert pdf["costs"]["setup"]["share"] == Decimal("75.0")
    assert pdf["costs"]["subsidy"]["share"] == Decimal("25.0")


def test_an_imported_quantity_of_16_integer_digits_is_refused_at_its_path(demo_document):
    """The engine takes quantities below 10^15; interchange.py said 16 integer
    digits (docs/interchange.md too) where the engine and the models keep 15."""
    from methodologies.engine import DocumentErrors
    from projects import interchange

    assert interchange.MAX_INTEGER_DIGITS == 15

    document = demo_document("chiller-individual.json")
    document["plan"]["costs"]["setup"] = "1000000000000000"
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, create_programmes=True)
    [error] = refusal.value.errors
    assert error.path == "plan.costs.setup"
    document["plan"]["costs"]["setup"] = "999999999999999.99999999"
    assert plan_import(document=document, create_programmes=True).cost_setup


def test_a_month_cell_at_the_engines_limit_is_refused_by_the_form():
    from django.core.exceptions import ValidationError

    from projects.forms import GridDecimalField

    field = GridDecimalField()
    assert field.clean("999999999999999.99999999")
    with pytest.raises(ValidationError):
        field.clean("1000000000000000")


def test_every_part_counts_the_methodologys_conditions(monkeypatch):
    from projects import models

    validator = models.ApplicabilityAnswer._meta.get_field("condition").validators[-1]
    assert validator.limit_value == schema.CONDITION_COUNT
    assert list(schema.CONDITIONS) == [1, 2, 3, 4, 5]


def test_the_group_shapes_are_the_engines():
    from methodologies.engine.document import SHAPE_KEYS
    from projects.models import EquipmentGroup

    assert set(EquipmentGroup.Shape.values) == set(SHAPE_KEYS)
    assert EquipmentGroup.SHAPE_FIELDS["chiller"] == ("capacity_rt", "kw_per_rt", "annual_hours")
    assert EquipmentGroup.SHAPE_FIELDS["periods"] == ()


def test_the_page_the_preview_and_the_pdf_show_one_energy_per_group(client, complete_plan):
    """Each group's n × ρ × o, from the engine's group_energy_kwh once: the
    results panel of 四 (saved and previewed) and the PDF print the same figures,
    which add up to E_BL,y and E_PJ,y (the chiller plan has no line loss)."""
    import re

    from django.template.loader import render_to_string
    from django.urls import reverse

    from projects.sections import CalculationEditor
    from tests.projects.factories import MembershipFactory
    from tests.projects.formdata import editor_data

    client.force_login(MembershipFactory(organisation=complete_plan.organisation).user)
    url = reverse("projects:section", args=[complete_plan.pk, "calculation"])
    page = client.get(url).content.decode()
    preview = client.post(
        reverse("projects:preview", args=[complete_plan.pk, "calculation"]),
        editor_data(CalculationEditor(complete_plan)),
    ).content.decode()
    html = render_to_string("reports/plan.html", {"report": _report(complete_plan)})

    def cells(text):
        return re.findall(r'data-figure="group-energy">([^<]+)</td>', text)

    expected = ["1,397,937.356 kWh", "117,878.184 kWh", "162,568.363 kWh"]
    assert cells(page) == cells(preview) == expected
    assert re.findall(r"o<sub>\d</sub>\)? = ([^（]+)（", html) == expected
    assert "1,397,937.356kWh" in re.sub(r"<[^>]+>|\s", "", html)  # E_BL,y
    assert "280,446.547kWh" in re.sub(r"<[^>]+>|\s", "", html)  # E_PJ,y = n1 + n2


def test_the_pdfs_chiller_power_per_unit_comes_from_the_group_figures(complete_plan, monkeypatch):
    from decimal import Decimal

    from projects import consistency
    from reports import context

    real = consistency.group_figures

    def doubled(calculation):
        return {
            side: [g.__class__(**{**g.__dict__, "power_kw": Decimal(2) * g.power_kw}) for g in gs]
            if side == "baseline"
            else gs
            for side, gs in real(calculation).items()
        }

    rows = {row.symbol: row.value for row in _report(complete_plan).sections["baseline_rows"]}
    assert rows["kWh<sub>i</sub>"] == "147.31"
    monkeypatch.setattr(context, "group_figures", doubled)
    rows = {row.symbol: row.value for row in _report(complete_plan).sections["baseline_rows"]}
    assert rows["kWh<sub>i</sub>"] == "294.62"

"""Input as people type it: thousands separators, a trailing % in a percentage field,
full-width digits, dates with / or - and in the ROC calendar; a refused value names the
format expected. Drafts save with any field empty; whole crediting years print as "10"."""

import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from methodologies.engine import DocumentErrors
from projects import numbers
from projects.forms import (
    CalculationForm,
    GridDecimalField,
    LocalizedDecimalField,
    LocalizedIntegerField,
    RocDateField,
    TallyForm,
)
from projects.models import EquipmentGroup, Membership, Plan
from projects.numbers import NumberError, parse_decimal, parse_integer
from projects.presentation import describe_error
from projects.sections import EDITOR_BY_SLUG, EDITORS, CalculationEditor
from projects.services import plan_calculate, plan_import
from projects.templatetags.plan_format import years
from projects.workflow import submission_problems
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"

NUMBER_FORMAT = "請輸入數字，例如 3,650 或 12.5。"
FRACTION_FORMAT = "請輸入數字，例如 3,650 或 0.0394；百分比可寫成 3.94%。"
POINTS_FORMAT = "請輸入百分比的數值，例如 1 或 1%。"
COUNT_FORMAT = "請輸入整數，例如 3,650。"
EXPONENT_FORMAT = "請寫出完整的數字，不用科學記號（例如寫 150000，不寫 1.5e5）。"
NOT_PERCENT_FORMAT = "此欄不是百分比，請直接輸入數字，例如 3,650 或 12.5。"
DATE_FORMAT = "請輸入有效的日期，例如民國 110/05/24、110年5月24日，或西元 2021/05/24、2021-05-24。"


@pytest.fixture
def chiller(demo_document):
    return plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)


@pytest.fixture
def editor_client(client, chiller):
    user = UserFactory()
    MembershipFactory(user=user, organisation=chiller.organisation, role=Membership.Role.EDITOR)
    client.force_login(user)
    return client


def post_section(client, plan, slug, **changes):
    data = editor_data(EDITOR_BY_SLUG[slug](Plan.objects.get(pk=plan.pk)))
    data.update(changes)
    return client.post(reverse("projects:section", args=[plan.pk, slug]), data)


def field_errors(response) -> dict[str, list[str]]:
    editor = response.context["editor"]
    return {
        bound.html_name: list(bound.errors)
        for part in editor.all_forms()
        for form in getattr(part, "forms", [part])
        for bound in form
        if bound.errors
    }


# --- Numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,percent,expected",
    [
        ("3,650", None, "3650"),
        ("1,234,567.125", None, "1234567.125"),
        ("  3650  ", None, "3650"),
        ("0.1", None, "0.1"),  # exactly one tenth: never through float
        ("12,345.67891234", None, "12345.67891234"),
        ("３，６５０．５", None, "3650.5"),
        (".5", None, "0.5"),
        ("3.94%", numbers.FRACTION, "0.0394"),
        ("3.94 %", numbers.FRACTION, "0.0394"),
        ("３．９４％", numbers.FRACTION, "0.0394"),
        ("0.0394", numbers.FRACTION, "0.0394"),
        ("1%", numbers.POINTS, "1"),
        ("1.5％", numbers.POINTS, "1.5"),
    ],
)
def test_numbers_are_read_as_people_type_them_to_the_exact_decimal(text, percent, expected):
    value = parse_decimal(text, percent=percent)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected)
    assert str(value) == expected


@pytest.mark.parametrize(
    "text,reason",
    [
        ("3,65", "invalid"),  # a separator must be followed by three digits
        ("1,2345", "invalid"),
        ("3.650,5", "invalid"),
        ("1e5", "exponent"),
        ("1.5E-3", "exponent"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("3.94%", "percent"),  # not a percentage field
        ("12 kWh", "invalid"),
        ("%", "invalid"),
    ],
)
def test_numbers_that_cannot_be_read_are_refused_with_the_reason(text, reason):
    with pytest.raises(NumberError) as error:
        parse_decimal(text)
    assert error.value.reason == reason


def test_counts_take_separators_and_refuse_fractions():
    assert parse_integer("3,650") == 3650
    assert parse_integer("３６５０") == 3650
    assert parse_integer("12.0") == 12
    for text in ("12.5", "1e3", "3,65"):
        with pytest.raises(NumberError):
            parse_integer(text)


@pytest.mark.parametrize(
    "field,text,message",
    [
        (LocalizedDecimalField(), "3,65", NUMBER_FORMAT),
        (LocalizedDecimalField(), "abc", NUMBER_FORMAT),
        (LocalizedDecimalField(), "1e5", EXPONENT_FORMAT),
        (LocalizedDecimalField(), "3.94%", NOT_PERCENT_FORMAT),
        (LocalizedDecimalField(percent=numbers.FRACTION), "3.94 percent", FRACTION_FORMAT),
        (LocalizedDecimalField(percent=numbers.POINTS), "一成", POINTS_FORMAT),
        (GridDecimalField(), "4x", NUMBER_FORMAT),
        (LocalizedIntegerField(), "12.5", COUNT_FORMAT),
        (LocalizedIntegerField(), "2e3", EXPONENT_FORMAT),
        (RocDateField(), "113/02/30", DATE_FORMAT),
        (RocDateField(), "2024/13/01", DATE_FORMAT),
        (RocDateField(), "30/06/2024", DATE_FORMAT),
    ],
)
def test_a_refused_value_names_the_expected_format(field, text, message):
    with pytest.raises(ValidationError) as error:
        field.clean(text)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    "name,text,expected",
    [
        ("cost_setup", "5,133,916", Decimal("5133916")),
        ("cost_subsidy", "１，２３４．５", Decimal("1234.5")),
        ("annual_savings_stated_kwh", "1,117,491.25", Decimal("1117491.25")),
        ("twd97_x", "249,123.45", Decimal("249123.45")),
    ],
)
def test_the_activity_page_saves_separated_and_full_width_numbers_exactly(
    editor_client, chiller, name, text, expected
):
    changes = {f"plan-{name}": text}
    if name == "twd97_x":
        changes["plan-twd97_y"] = "2,747,000"
    response = post_section(editor_client, chiller, "activity", **changes)
    assert response.status_code == 302, field_errors(response)
    assert getattr(Plan.objects.get(pk=chiller.pk), name) == expected


@pytest.mark.parametrize(
    "text,expected", [("3.94%", "0.0394"), ("３．９４％", "0.0394"), ("0.0394", "0.0394")]
)
def test_the_line_loss_takes_a_percentage_and_saves_the_fraction(
    editor_client, chiller, text, expected
):
    response = post_section(editor_client, chiller, "calculation", **{"plan-line_loss": text})
    assert response.status_code == 302, field_errors(response)
    assert Plan.objects.get(pk=chiller.pk).line_loss == Decimal(expected)


def test_a_line_loss_that_cannot_be_read_says_a_percentage_may_be_typed(editor_client, chiller):
    response = post_section(editor_client, chiller, "calculation", **{"plan-line_loss": "3.94 %%"})
    assert response.status_code == 400
    assert field_errors(response) == {"plan-line_loss": [FRACTION_FORMAT]}
    assert FRACTION_FORMAT in response.content.decode()
    assert 'value="3.94 %%"' in response.content.decode()  # what was typed stays


def test_the_required_saving_rate_takes_a_trailing_percent_as_points(editor_client, chiller):
    response = post_section(
        editor_client,
        chiller,
        "applicability",
        **{
            "plan-saving_rate_required_percent": "1%",
            "plan-saving_rate_previous_kwh": "3,650,000",
            "plan-saving_rate_year": "2,019",
        },
    )
    assert response.status_code == 302, field_errors(response)
    plan = Plan.objects.get(pk=chiller.pk)
    assert plan.saving_rate_required_percent == Decimal("1")
    assert plan.saving_rate_previous_kwh == Decimal("3650000")


def test_the_calculation_page_saves_separated_counts_quantities_and_grid_cells(
    editor_client, chiller
):
    response = post_section(
        editor_client,
        chiller,
        "calculation",
        **{
            "baseline-groups-0-count": "1,200",
            "baseline-groups-0-annual_hours": "4,745.5",
            "project-groups-0-power_3": "1,234.125",
            "baseline-refrigerant-annual_quantity_t": "０．０６４６",
        },
    )
    assert response.status_code == 302, field_errors(response)
    baseline = EquipmentGroup.objects.get(plan=chiller, side="baseline")
    assert baseline.count == 1200
    assert baseline.annual_hours == Decimal("4745.5")
    project = EquipmentGroup.objects.filter(plan=chiller, side="project").first()
    powers = [period.power_kw for period in project.periods.all()]
    assert Decimal("1234.125") in powers
    refrigerant = chiller.refrigerants.get(side="baseline")
    assert refrigerant.annual_quantity_t == Decimal("0.0646")


def test_stakeholder_counts_take_thousands_separators(editor_client, chiller):
    response = post_section(
        editor_client,
        chiller,
        "environment",
        **{"tiers-3-copies_sent": "1,026", "tiers-3-copies_returned": "26"},
    )
    assert response.status_code == 302, field_errors(response)
    assert chiller.stakeholder_tiers.get(order=3).copies_sent == 1026


def test_counts_are_text_boxes_that_keep_a_comma(editor_client, chiller):
    """A number input would send "" for "3,650" before the server could read it."""
    html = editor_client.get(reverse("projects:section", args=[chiller.pk, "calculation"]))
    html = html.content.decode()
    assert re.search(
        r'<input type="text" name="baseline-groups-0-count"[^>]*inputmode="numeric"', html
    )
    assert 'type="number"' not in html


def test_a_refused_count_is_reported_at_its_field_with_the_format(editor_client, chiller):
    response = post_section(
        editor_client, chiller, "calculation", **{"baseline-groups-0-count": "2.5"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"baseline-groups-0-count": [COUNT_FORMAT]}


# --- Dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2024/06/30",
        "2024-06-30",
        "2024.06.30",
        "2024年6月30日",
        "113/06/30",
        "113-06-30",
        "113.06.30",
        "113年6月30日",
        "民國113年6月30日",
        "113 年 6 月 30 日",
        "１１３／０６／３０",
        "2024/6/30",
    ],
)
def test_dates_with_slash_dash_or_in_the_roc_calendar_are_saved(editor_client, chiller, text):
    response = post_section(editor_client, chiller, "basic", **{"plan-prepared_on": text})
    assert response.status_code == 302, field_errors(response)
    assert Plan.objects.get(pk=chiller.pk).prepared_on == date(2024, 6, 30)


@pytest.mark.parametrize("text", ["113/06-30", "2024/02/30", "0/01/01", "20240630", "六月三十日"])
def test_a_date_that_cannot_be_read_is_reported_with_the_formats(editor_client, chiller, text):
    response = post_section(editor_client, chiller, "basic", **{"plan-prepared_on": text})
    assert response.status_code == 400
    assert field_errors(response) == {"plan-prepared_on": [DATE_FORMAT]}


# --- Drafts ----------------------------------------------------------------------


def test_the_calculation_saves_as_a_draft_without_an_emission_factor(editor_client, chiller):
    response = post_section(
        editor_client,
        chiller,
        "calculation",
        **{"plan-emission_factor_choice": "", "plan-emission_factor_value": ""},
    )
    assert response.status_code == 302, field_errors(response)
    plan = Plan.objects.get(pk=chiller.pk)
    assert plan.emission_factor_value is None and plan.emission_factor_year is None
    assert plan.results is None
    # Submission waits for it, and says what is missing.
    with pytest.raises(DocumentErrors) as errors:
        plan_calculate(plan)
    factor = [e for e in errors.value.errors if e.path.startswith("calculation.emission_factor")]
    assert factor
    messages = [problem.message for problem in submission_problems(plan)]
    assert any(describe_error(factor[0]) in message for message in messages), messages
    assert any("電力排碳係數" in message for message in messages), messages


def test_an_empty_leakage_saves_as_the_default_zero(editor_client, chiller):
    Plan.objects.filter(pk=chiller.pk).update(leakage_tco2e=Decimal("3"))
    response = post_section(editor_client, chiller, "calculation", **{"plan-leakage_tco2e": ""})
    assert response.status_code == 302, field_errors(response)
    assert Plan.objects.get(pk=chiller.pk).leakage_tco2e == Decimal("0")


def test_a_group_saves_as_a_draft_without_its_shapes_figures(editor_client, chiller):
    response = post_section(
        editor_client,
        chiller,
        "calculation",
        **{"baseline-groups-0-kw_per_rt": "", "baseline-groups-0-annual_hours": ""},
    )
    assert response.status_code == 302, field_errors(response)
    group = EquipmentGroup.objects.get(plan=chiller, side="baseline")
    assert group.kw_per_rt is None and group.annual_hours is None
    assert Plan.objects.get(pk=chiller.pk).results is None
    assert any(p.section == "calculation" for p in submission_problems(group.plan))


def test_a_periods_group_saves_as_a_draft_without_months(editor_client, chiller):
    project = EquipmentGroup.objects.filter(plan=chiller, side="project").first()
    index = list(EquipmentGroup.objects.filter(plan=chiller, side="project")).index(project)
    rows = {
        f"project-groups-{index}-{cell}_{row}": ""
        for row in range(project.periods.count())
        for cell in ("month", "power", "hours", "energy")
    }
    response = post_section(editor_client, chiller, "calculation", **rows)
    assert response.status_code == 302, field_errors(response)
    assert not project.periods.exists()


def test_a_half_filled_group_still_needs_its_name_count_and_shape(editor_client, chiller):
    response = post_section(
        editor_client,
        chiller,
        "calculation",
        **{
            "baseline-groups-TOTAL_FORMS": "2",
            "baseline-groups-1-name": "新群組",
            "baseline-groups-1-shape": "",
            "baseline-groups-1-count": "",
        },
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"baseline-groups-1-shape", "baseline-groups-1-count"}


def test_an_empty_added_group_is_not_saved(editor_client, chiller):
    data = editor_data(CalculationEditor(Plan.objects.get(pk=chiller.pk)))
    data["baseline-groups-TOTAL_FORMS"] = "2"
    for name in ("name", "shape", "count", "power_kw", "capacity_rt", "kw_per_rt"):
        data[f"baseline-groups-1-{name}"] = ""
    data["baseline-groups-1-annual_hours"] = ""
    response = editor_client.post(
        reverse("projects:section", args=[chiller.pk, "calculation"]), data
    )
    assert response.status_code == 302, field_errors(response)
    assert EquipmentGroup.objects.filter(plan=chiller, side="baseline").count() == 1


@pytest.mark.parametrize("editor_class", EDITORS, ids=[e.slug for e in EDITORS])
def test_every_sections_own_fields_save_as_a_draft_when_all_empty(
    editor_client, chiller, editor_class
):
    data = editor_data(editor_class(Plan.objects.get(pk=chiller.pk)))
    data.update({name: "" for name in data if name.startswith("plan-")})
    response = editor_client.post(
        reverse("projects:section", args=[chiller.pk, editor_class.slug]), data
    )
    assert response.status_code == 302, field_errors(response)


def test_the_calculation_form_alone_needs_nothing(chiller):
    form = CalculationForm({}, instance=Plan.objects.get(pk=chiller.pk), prefix="plan")
    assert form.is_valid(), form.errors


# --- Years -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,shown",
    [("10.0000", "10"), ("7.0000", "7"), ("9.7534", "9.7534"), ("15.5000", "15.5"), ("", "")],
)
def test_crediting_years_print_whole_years_without_decimals(value, shown):
    assert years(value) == shown


def test_the_plan_page_shows_whole_crediting_years_as_10(editor_client, chiller):
    assert chiller.results["crediting_years"] == "10.0000"  # the format keeps 4 decimals
    html = editor_client.get(reverse("projects:plan_detail", args=[chiller.pk])).content.decode()
    assert re.search(r"計入期（年）</th><td[^>]*>10</td>", html)
    assert "10.0000" not in html


def test_the_pdf_prints_whole_crediting_years_as_10(tmp_path):
    output = tmp_path / "chiller.pdf"
    call_command("render_pdf", str(DEMO / "chiller-individual.json"), "--output", str(output))
    text = subprocess.run(
        ["pdftotext", str(output), "-"], capture_output=True, check=True, text=True
    ).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "計入期10年" in squeezed
    assert "10.0000" not in squeezed


def test_a_question_without_an_order_goes_after_the_last(editor_client, chiller):
    last = max(chiller.questions.values_list("order", flat=True))
    response = post_section(
        editor_client,
        chiller,
        "environment",
        **{"questions-9-order": "", "questions-9-kind": "yes_no", "questions-9-text": "新題目？"},
    )
    assert response.status_code == 302, field_errors(response)
    assert chiller.questions.get(text="新題目？").order == last + 1


def test_paper_tallies_take_separators_and_full_width_digits():
    field = TallyForm._count(None, "一級 是")
    assert field.clean("1,200") == 1200
    assert field.clean("１２") == 12
    with pytest.raises(ValidationError) as error:
        field.clean("1.5")
    assert error.value.messages == [COUNT_FORMAT]


def test_a_count_of_thousands_of_digits_is_refused_not_a_server_error():
    with pytest.raises(ValidationError) as error:
        TallyForm._count(None, "一級 是").clean("9" * 5000)
    assert error.value.messages == [COUNT_FORMAT]

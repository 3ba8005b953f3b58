"""Every check and every engine error is worded in the user's language, with numbers as the
pages show them; English details stay in the results JSON only."""

import ast
import copy
import inspect
import re
import string

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from methodologies.engine import MONITORING_CHECK_CODES, MONITORING_CHECK_IDS, FieldError
from methodologies.engine.calculation import CHECK_CODES, CHECK_IDS
from methodologies.engine.errors import ERROR_CODES
from projects import interchange, services
from projects.models import Membership
from projects.presentation import (
    CHECK_LABELS,
    CHECK_MESSAGES,
    ERROR_MESSAGES,
    MONITORING_CHECK_LABELS,
    check_detail,
    describe_error,
    describe_import_error,
    display_results,
    error_message,
)
from tests.methodologies.helpers import run
from tests.methodologies.test_codes import SCENARIOS
from tests.methodologies.test_monitoring import SCENARIOS as MONITORING_SCENARIOS
from tests.methodologies.test_monitoring import run as run_monitoring
from tests.projects.factories import MembershipFactory, PlanFactory

# Names and units that may stand in Chinese text (as in tests/browser/test_layout.py).
ALLOWED_ENGLISH = (
    "tCO2e",
    "GWh",
    "kWh",
    "kW/RT",
    "GWP",
    "ODP",
    "JSON",
    "UTF-8",
    "ER_y",
    "offset-plan/1",  # the format's name
    "offset-monitoring/1",
)
# Two or more words in a row ("needs value", "from the reference table").
ENGLISH_RUN = re.compile(r"[A-Za-z][\w'’]*(?:[ \t\-.:;()\[\]\"“”]+[A-Za-z][\w'’]*)+", re.ASCII)


def english_runs(text: str) -> list[str]:
    for word in sorted(ALLOWED_ENGLISH, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", "｜", text)
    return ENGLISH_RUN.findall(text)


def results_of(code: str) -> dict:
    return run(copy.deepcopy(SCENARIOS[code])).to_json()


def check_json(code: str) -> dict:
    return next(c for c in results_of(code)["checks"] if c["code"] == code)


# Sample params for each placeholder of the engine's English error templates.
SAMPLES = {
    "choices": ("individual", "sub_project"),
    "shapes": ("power", "chiller"),
    "keys": ("gwp", "odp"),
    "what": "groups",
    "refrigerant": "R-22",
    "edition": "AR5",
    "month": "2024-01",
    "value": "2021-02-30",
    "format": "offset-plan/1",
    "name": "NaN",
    "reason": "Expecting value",
    "year": 2025,
    "size": 5_000_001,
    "start": "2022-01-31",
    "end": "2022-03-01",
}


def sample_params(code: str) -> dict:
    names = [name for _, name, _, _ in string.Formatter().parse(ERROR_CODES[code]) if name]
    return {name: SAMPLES.get(name, 12345) for name in names}


def test_english_runs_finds_words_in_a_row_but_not_units():
    assert english_runs('電力排碳係數：needs "value" or "year"') == ['needs "value" or "year']
    assert english_runs("R-22 ODP 0 (from the reference table)") == ["from the reference table"]
    assert english_runs("計入期 10 年總減量 4,610 tCO2e > 500 tCO2e") == []


def test_every_check_has_a_title():
    assert set(CHECK_LABELS) == set(CHECK_IDS)
    assert set(MONITORING_CHECK_LABELS) == set(MONITORING_CHECK_IDS)


def test_every_check_code_has_a_wording():
    assert set(CHECK_MESSAGES) == set(CHECK_CODES) | set(MONITORING_CHECK_CODES)


def monitoring_check_json(code: str) -> dict:
    results = run_monitoring(copy.deepcopy(MONITORING_SCENARIOS[code])).to_json()
    return next(c for c in results["checks"] if c["code"] == code)


@pytest.mark.parametrize("code", MONITORING_CHECK_CODES)
def test_each_monitoring_check_in_zh_hant_has_no_run_of_english_words(code):
    check = monitoring_check_json(code)
    with translation.override("zh-hant"):
        text = check_detail(check)

    assert text and text != check["detail"]
    assert english_runs(text) == []
    assert "%(" not in text


def test_monitoring_checks_show_dates_in_the_roc_calendar_and_their_own_titles():
    results = run_monitoring(
        copy.deepcopy(MONITORING_SCENARIOS["above_estimate_explained.explained"])
    )
    with translation.override("zh-hant"):
        shown = display_results(results.to_json())
        checks = {check["id"]: check for check in shown["checks"]}

    assert checks["within_crediting_period"]["detail"] == (
        "監測期間 111年1月1日 至 111年12月31日 位於專案計入期 110年1月1日 至 119年12月31日 內"
    )
    assert checks["single_calendar_year"]["detail"] == (
        "監測期間 111年1月1日 至 111年12月31日 與 2022 年電力排碳係數屬同一年度"
    )
    assert checks["above_estimate_explained"]["detail"] == (
        "本期減量 2 tCO2e 高於計畫書本期預估 1 tCO2e，已說明原因"
    )
    assert checks["positive_reduction"]["label"] == "本期減量為正值"
    assert checks["microscale"]["label"] == "年化節電量不超過 20 GWh（微型規模）"


def test_a_month_outside_the_period_is_worded_with_roc_dates():
    params = {"month": "2021-12", "start": "2022-01-31", "end": "2022-03-01"}
    error = FieldError(
        "x",
        "2021-12 lies outside the period 2022-01-31 to 2022-03-01",
        "month_outside_period",
        params,
    )
    with translation.override("zh-hant"):
        assert error_message(error) == "2021-12 不在期間 111年1月31日 至 111年3月1日 內"


def test_every_engine_error_code_has_a_wording():
    assert set(ERROR_MESSAGES) == set(ERROR_CODES)


@pytest.mark.parametrize("code", CHECK_CODES)
def test_each_check_in_zh_hant_has_no_run_of_english_words(code):
    check = check_json(code)
    with translation.override("zh-hant"):
        text = check_detail(check)

    assert text and text != check["detail"]
    assert english_runs(text) == []
    assert "%(" not in text


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_each_engine_error_in_zh_hant_has_no_run_of_english_words(code):
    params = sample_params(code)
    message = ERROR_CODES[code].format(**params)
    error = FieldError("calculation.line_loss", message, code, params)
    with translation.override("zh-hant"):
        text = error_message(error)

    assert text and text != message
    assert "%(" not in text
    assert english_runs(text) == []


def _product_refusals():
    """The English message of each refusal projects/interchange.py and services.py make
    themselves; an f-string with "7" for each value."""
    for module in (interchange, services):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            named = (isinstance(func, ast.Attribute) and func.attr == "error") or (
                isinstance(func, ast.Name) and func.id == "FieldError"
            )
            if not named or len(node.args) != 2:
                continue
            message = node.args[1]
            if isinstance(message, ast.Constant):
                yield message.value
            elif isinstance(message, ast.JoinedStr):
                yield "".join(
                    part.value if isinstance(part, ast.Constant) else "7" for part in message.values
                )


PRODUCT_REFUSALS = sorted(set(_product_refusals()))


def test_the_product_refusals_are_found():
    assert "appears twice" in PRODUCT_REFUSALS
    assert "unknown methodology 7 7" in PRODUCT_REFUSALS


@pytest.mark.parametrize("message", PRODUCT_REFUSALS)
def test_each_product_refusal_in_zh_hant_has_no_run_of_english_words(message):
    with translation.override("zh-hant"):
        text = error_message(FieldError("plan.programme", message))

    assert text != message
    assert english_runs(text) == []


def test_check_figures_are_formatted_as_the_pages_format_them():
    with translation.override("zh-hant"):
        range_outside = check_detail(check_json("service_level.range_outside"))
        minimum = check_detail(check_json("minimum_total.over"))

    assert range_outside == "照度：不在 90 至 150 之間：教室 A 1,234.5"
    assert minimum == "計入期 10 年總減量 349,990 tCO2e > 500 tCO2e"


def test_a_table_refrigerant_and_unconfirmed_figures_are_worded():
    doc = copy.deepcopy(SCENARIOS["refrigerant_odp.positive"])
    doc["calculation"]["emission_factor"] = {"year": 2025}
    results = run(doc).to_json()
    odp, reduction = results["checks"][3], results["checks"][4]
    with translation.override("zh-hant"):
        assert check_detail(odp) == "R-22 的 ODP 為 0.055 > 0（取自參考表）"
        assert check_detail(reduction).endswith(
            "。使用了尚未確認的參考數值：2025 年電力排碳係數 0.467。"
        )
    assert odp["detail"] == "R-22 ODP 0.055 > 0 (from the reference table)"  # the JSON's own


@pytest.mark.parametrize(
    ("value", "shown"), [("10.0000", "10"), ("9.7534", "9.7534"), ("15.5000", "15.5")]
)
def test_crediting_years_print_without_trailing_zeros(value, shown):
    check = check_json("minimum_total.not_over")
    check["params"]["years"] = value
    with translation.override("zh-hant"):
        assert check_detail(check).startswith(f"計入期 {shown} 年總減量")


def test_results_stored_before_codes_keep_their_english_detail():
    check = {"id": "savings_cap", "status": "pass", "detail": "1 GWh ≤ 60 GWh"}
    assert check_detail(check) == "1 GWh ≤ 60 GWh"


def test_an_engine_error_is_worded_with_its_field():
    error = FieldError("calculation.emission_factor", 'needs "value" or "year"')
    error = FieldError(error.path, error.message, "factor_needs_value_or_year")
    with translation.override("zh-hant"):
        assert describe_error(error) == "電力排碳係數：請填寫係數值，或選擇參考表的年度"


def test_a_product_message_without_a_code_is_shown_as_it_is():
    error = FieldError("plan.programme", "方案不存在")
    assert error_message(error) == "方案不存在"


def test_an_import_error_names_the_field_and_keeps_its_path():
    error = FieldError(
        "plan.crediting_period.end", "must not be before the start", "end_before_start"
    )
    with translation.override("zh-hant"):
        line = describe_import_error(error)

    assert line.endswith("（plan.crediting_period.end）：結束日不可早於開始日")
    assert not line.startswith("plan.")


@pytest.mark.django_db
def test_the_plan_page_words_each_check_in_chinese(client):
    doc = copy.deepcopy(SCENARIOS["refrigerant_odp.positive"])
    doc["calculation"]["emission_factor"] = {"year": 2025}
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    plan = PlanFactory(organisation=membership.organisation, results=run(doc).to_json())
    client.force_login(membership.user)

    page = client.get(reverse("projects:plan_detail", args=[plan.pk])).content.decode()

    assert "R-22 的 ODP 為 0.055 &gt; 0（取自參考表）" in page
    assert "from the reference table" not in page
    assert "Uses unconfirmed" not in page


def test_the_results_summary_shows_the_worded_detail():
    results = display_results(results_of("minimum_total.not_over"))
    with translation.override("zh-hant"):
        html = render_to_string("projects/includes/results_summary.html", {"results": results})

    assert "計入期 10 年總減量 0 tCO2e ≤ 500 tCO2e" in html
    assert "crediting years" not in html


def test_a_groups_missing_figure_is_named_by_its_group_and_field():
    with translation.override("zh-hant"):
        hours = describe_error(
            FieldError("monitoring.baseline.groups[0].hours", "required", "required")
        )
        months = describe_error(
            FieldError("monitoring.project.groups[1].periods", "must not be empty", "empty")
        )
        cell = describe_error(
            FieldError(
                "calculation.project.groups[0].periods[2].energy_kwh", "required", "required"
            )
        )
        groups = describe_error(
            FieldError("calculation.project.groups", "must not be empty", "empty")
        )
    assert hours == "基線設備群組第 1 組的運轉時數：尚未填寫"
    assert months == "專案設備群組第 2 組的逐月資料：至少需要一項"
    assert cell == "專案設備群組第 1 組的逐月資料第 3 列：尚未填寫"
    assert groups == "專案設備群組：至少需要一項"

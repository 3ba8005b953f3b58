"""ROC dates, figure formatting, settings helpers, consistency and the demo data."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from config.settings import envbool
from projects import dates
from projects.forms import ActivityForm, RocDateField
from projects.models import Plan
from projects.services import crediting_period_for
from projects.templatetags.plan_format import roc_date, roc_short, thousands


@pytest.mark.parametrize(
    "text,expected",
    [
        ("110/05/24", date(2021, 5, 24)),
        ("110.5.24", date(2021, 5, 24)),
        ("110年5月24日", date(2021, 5, 24)),
        ("110 年 05 月 24 日", date(2021, 5, 24)),
        ("2021-05-24", date(2021, 5, 24)),
        ("99/12/31", date(2010, 12, 31)),
    ],
)
def test_roc_and_iso_dates_are_read(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize("text", ["110/02/30", "2021-02-30", "abc", "110/13/01", ""])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        dates.parse_date(text)


def test_dates_are_shown_in_the_roc_calendar():
    assert roc_date(date(2021, 5, 24)) == "110年5月24日"
    assert roc_short(date(2021, 5, 24)) == "110/05/24"
    assert roc_date(None) == ""


def test_the_date_field_names_the_expected_format():
    field = RocDateField()
    with pytest.raises(Exception) as error:
        field.clean("110/02/30")
    assert "110/05/24" in str(error.value)


@pytest.mark.parametrize(
    "value,places,expected",
    [
        ("1397937.356", None, "1,397,937.356"),
        ("4610", None, "4,610"),
        ("25.09681", 4, "25.0968"),
        ("0.00005", 4, "0.0001"),
        ("-1234.5", None, "-1,234.5"),
        (None, None, ""),
    ],
)
def test_figures_get_thousands_separators(value, places, expected):
    assert thousands(value, places) == expected


def test_envbool_refuses_what_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert envbool("SOME_FLAG", "false") is True
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        envbool("SOME_FLAG", "false")


@pytest.mark.parametrize(
    "start,crediting,end",
    [
        (date(2021, 1, 1), Plan.Crediting.FIXED, date(2030, 12, 31)),
        (date(2021, 4, 1), Plan.Crediting.RENEWABLE, date(2028, 3, 31)),
        (date(2020, 2, 29), Plan.Crediting.FIXED, date(2030, 2, 27)),
    ],
)
def test_the_crediting_period_follows_from_start_and_type(start, crediting, end):
    assert crediting_period_for(start, crediting) == (start, end)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "x,y,message",
    [
        ("173430", "2544249", None),
        ("2544249", "173430", "X 與 Y 座標似乎填反了"),
        ("100", "2544249", "TWD97/TM2 座標超出臺灣範圍"),
    ],
)
def test_twd97_coordinates_must_lie_in_taiwan(x, y, message):
    plan = Plan(type="individual", title="t")
    form = ActivityForm({"plan-twd97_x": x, "plan-twd97_y": y}, instance=plan, prefix="plan")
    form.is_valid()
    errors = " ".join(form.errors.get("twd97_x", []))
    if message:
        assert message in errors
    else:
        assert not errors


@pytest.mark.django_db
def test_load_demo_can_run_twice(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert Plan.objects.count() == 2
    assert "demo-offset-2026" in capsys.readouterr().out
    chiller = Plan.objects.get(technology="chiller")
    assert chiller.results["total_reduction_tco2e"] == "4610"
    assert Decimal(chiller.results["annual_savings_kwh"]) == Decimal("1117491")

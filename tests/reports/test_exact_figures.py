"""The PDF prints each figure rounded once from the engine's exact value, never from
the 3-decimal text of the results."""

import re
import subprocess
from decimal import Decimal

import pytest

from methodologies.reference import reference_snapshot, snapshot_results
from reports.context import build_report
from reports.rendering import render_plan_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted(demo_document):
    """The lighting plan (printed in MWh) with one baseline group of exactly
    2,468,999.9499 kWh a year and an emission factor of 0.5: E_BL,y is 2,468.9999499 MWh
    and BE_y 1,234.49997495 t, whose 3-decimal texts are 2468999.950 kWh and 1234.500 t."""
    document = demo_document("lighting-subproject.json")
    calc = document["calculation"]
    calc["emission_factor"] = {"value": "0.5"}
    calc["line_loss"] = "0"
    calc["baseline"]["groups"] = [
        {"name": "crafted", "count": 1, "power_kw": "2468999.9499", "annual_hours": "1"}
    ]
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference)
    return document, results, reference


def rows(rows_list):
    return {re.sub(r"<[^>]+>", "", row.symbol): row.value for row in rows_list}


def test_the_engine_gives_display_figures_rounded_from_exact_values(crafted):
    _, results, _ = crafted
    written = results.to_json()
    assert written["baseline"]["energy_kwh"] == "2468999.950"
    assert written["baseline"]["emissions_tco2e"] == "1234.500"
    shown = results.display()
    assert shown.baseline.energy_kwh == Decimal("2468999.950")
    assert shown.baseline.energy_mwh == Decimal("2468.9999")  # not 2469.0000
    assert shown.baseline.emissions_tco2e == 1234  # not 1235


def test_the_pdf_prints_mwh_and_whole_tonnes_from_the_exact_values(crafted, tmp_path):
    document, results, reference = crafted
    report = build_report(document, results.to_json(), reference=reference, draft=False)
    baseline = rows(report.sections["baseline_rows"])
    assert baseline["EBL,y"] == "2,468.9999"
    assert baseline["BEy"] == "1,234"
    assert rows(report.sections["reduction_rows"])["BEy"] == "1,234"

    pdf = tmp_path / "crafted.pdf"
    pdf.write_bytes(
        render_plan_pdf(
            document=document, results=results.to_json(), reference=reference, draft=False
        )
    )
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
        ).stdout,
    )
    assert "2,468.9999MWh" in text
    assert "2,469.0000" not in text
    assert "1,234tCO2e" in text
    assert "1,235tCO2e" not in text


def test_whole_tonnes_round_half_up_from_the_exact_value(demo_document):
    document = demo_document("lighting-subproject.json")
    calc = document["calculation"]
    calc["emission_factor"] = {"value": "0.5"}
    calc["line_loss"] = "0"
    # 2,469,000 kWh × 0.5 ÷ 1000 = 1,234.5 t exactly: half up to 1,235.
    calc["baseline"]["groups"] = [
        {"name": "crafted", "count": 1, "power_kw": "2469000", "annual_hours": "1"}
    ]
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference)
    report = build_report(document, results.to_json(), reference=reference, draft=False)
    assert rows(report.sections["baseline_rows"])["BEy"] == "1,235"
    assert rows(report.sections["baseline_rows"])["EBL,y"] == "2,469.0000"

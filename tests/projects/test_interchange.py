"""Import, export and calculate through the management commands, on the database."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.interchange import plan_document
from projects.models import EquipmentGroup, GroupPeriod, Plan, Programme
from projects.services import plan_import
from tests.projects.factories import OrganisationFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def run_command(name, *args):
    """Run a command in-process; return (exit status, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    real_stderr = sys.stderr
    sys.stderr = err
    try:
        call_command(name, *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = exit.code
    finally:
        sys.stderr = real_stderr
    return status, out.getvalue(), err.getvalue()


FIXTURES_WITH_RESULTS = [
    "lighting-subproject.json",
    "chiller-individual.json",
    "monitoring-lighting-2022.json",
]


def test_every_fixture_of_the_expected_results_is_checked(expected_results):
    assert sorted(expected_results) == sorted(FIXTURES_WITH_RESULTS)


@pytest.mark.parametrize("name", FIXTURES_WITH_RESULTS)
def test_calculate_prints_the_expected_results_for_the_fixtures(name, expected_results):
    """Plans and monitoring reports alike, told apart by their `format`."""
    status, out, err = run_command("calculate", str(DATA / name))
    assert status == 0, err
    results = json.loads(out)
    results["checks"] = [{"id": c["id"], "status": c["status"]} for c in results["checks"]]
    assert results == expected_results[name]


@pytest.mark.parametrize(
    "document,line",
    [
        (
            {"format": "offset-plan/2"},
            'format: must be one of "offset-plan/1", "offset-monitoring/1"',
        ),
        ({"plan": {}}, "format: required"),
        ([], "$: must be an object"),
    ],
)
def test_calculate_refuses_a_document_of_no_known_format_at_format(tmp_path, document, line):
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    status, out, err = run_command("calculate", str(source))
    assert status != 0
    assert line in err.splitlines()


def test_calculate_reports_every_error_of_a_monitoring_report(tmp_path, fixture_document):
    document = fixture_document("monitoring-lighting-2022.json")
    del document["monitoring"]["emission_factor"]["year"]
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "8761"
    source = tmp_path / "report.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    status, out, err = run_command("calculate", str(source))
    assert status != 0
    assert err.splitlines() == [
        "monitoring.emission_factor.year: required",
        "monitoring.baseline.groups[0].hours: must be at most 8760",
    ]


@pytest.mark.parametrize("name", ["lighting-subproject.json", "chiller-individual.json"])
def test_export_of_an_imported_fixture_gives_back_the_same_document(name, fixture_document):
    document = fixture_document(name)
    plan = plan_import(document=document, create_programmes=True)
    assert plan_document(plan) == document


@pytest.mark.parametrize("name", ["lighting-subproject.json", "chiller-individual.json"])
def test_the_enriched_demo_plans_round_trip_through_the_database(name, demo_document):
    document = demo_document(name)
    plan = plan_import(document=document, create_programmes=True)
    assert plan_document(plan) == document


def test_import_stores_groups_periods_and_the_programme(fixture_document):
    plan = plan_import(document=fixture_document("chiller-individual.json"), create_programmes=True)
    project_groups = plan.groups.filter(side="project")
    assert project_groups.count() == 2
    assert all(g.shape == EquipmentGroup.Shape.PERIODS for g in project_groups)
    assert GroupPeriod.objects.filter(group__plan=plan).count() == 24
    assert plan.results["total_reduction_tco2e"] == "4610"

    lighting = plan_import(
        document=fixture_document("lighting-subproject.json"), create_programmes=True
    )
    assert lighting.programme.title == "臺南市設備汰舊換新計畫-換裝高效率設備"
    assert lighting.programme.authority.name == "臺南市政府環境保護局"
    assert lighting.results["annual_reduction_tco2e"] == "4"


def test_import_command_then_export_command_round_trips(tmp_path, fixture_document):
    source = DATA / "lighting-subproject.json"
    status, out, err = run_command("import_plan", str(source))
    assert status == 0, err
    plan = Plan.objects.get()
    status, out, err = run_command("export_plan", str(plan.pk))
    assert status == 0
    assert json.loads(out) == fixture_document("lighting-subproject.json")


def test_importing_the_same_programme_twice_reuses_it(fixture_document):
    plan_import(document=fixture_document("lighting-subproject.json"), create_programmes=True)
    plan_import(document=fixture_document("lighting-subproject.json"), create_programmes=True)
    assert Programme.objects.count() == 1


def broken(document, mutate):
    mutate(document)
    return document


MALFORMED = [
    (
        "a negative count",
        lambda d: d["calculation"]["baseline"]["groups"][0].update(count=-3),
        "calculation.baseline.groups[0].count",
    ),
    ("a line loss of 1", lambda d: d["calculation"].update(line_loss="1"), "calculation.line_loss"),
    ("an unknown key", lambda d: d["calculation"].update(colour="blue"), "calculation.colour"),
    (
        "an unknown plan key",
        lambda d: d["plan"].update(favourite_colour="blue"),
        "plan.favourite_colour",
    ),
    (
        "two group shapes at once",
        lambda d: d["calculation"]["baseline"]["groups"][0].update(capacity_rt="1", kw_per_rt="1"),
        "calculation.baseline.groups[0]",
    ),
    (
        "a crediting period that ends before it starts",
        lambda d: d["plan"]["crediting_period"].update(end="2020-12-31"),
        "plan.crediting_period.end",
    ),
    (
        "a number that is not a number",
        lambda d: d["calculation"]["baseline"]["groups"][0].update(power_kw="0.02a"),
        "calculation.baseline.groups[0].power_kw",
    ),
    (
        "too many decimals to store",
        lambda d: d["calculation"]["baseline"]["groups"][0].update(power_kw="0.0280000001"),
        "calculation.baseline.groups[0].power_kw",
    ),
    (
        "an unknown regulation",
        lambda d: d.update(additionality={"regulations": [{"code": "no-such-law"}]}),
        "additionality.regulations[0].code",
    ),
    (
        "an applicability condition 6",
        lambda d: d.update(applicability=[{"condition": 6, "answer": "complies"}]),
        "applicability[0].condition",
    ),
    (
        "a programme on an individual plan",
        lambda d: d["plan"].update(type="individual"),
        "plan.programme",
    ),
]


@pytest.mark.parametrize(
    "mutate,path", [(m, p) for _, m, p in MALFORMED], ids=[name for name, _, _ in MALFORMED]
)
def test_a_malformed_document_is_refused_at_its_path_and_nothing_is_written(
    tmp_path, fixture_document, mutate, path
):
    document = broken(fixture_document("lighting-subproject.json"), mutate)
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for command in ("import_plan", "calculate"):
        status, out, err = run_command(command, str(source))
        assert status != 0
        assert any(line.startswith(f"{path}: ") for line in err.splitlines()), err
    assert Plan.objects.count() == 0
    assert Programme.objects.count() == 0


def test_every_error_of_a_document_is_reported(tmp_path, fixture_document):
    document = fixture_document("chiller-individual.json")
    document["calculation"]["line_loss"] = "1"
    document["calculation"]["baseline"]["groups"][0]["count"] = 0
    del document["plan"]["type"]
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    status, out, err = run_command("import_plan", str(source))
    paths = {line.split(": ")[0] for line in err.splitlines()}
    assert status != 0
    assert {"calculation.line_loss", "calculation.baseline.groups[0].count", "plan.type"} <= paths


def test_a_duplicate_key_is_refused(tmp_path):
    text = (DATA / "lighting-subproject.json").read_text(encoding="utf-8")
    text = text.replace('"title": "崑山科大', '"title": "x", "title": "崑山科大', 1)
    source = tmp_path / "plan.json"
    source.write_text(text, encoding="utf-8")
    status, out, err = run_command("import_plan", str(source))
    assert status != 0
    assert "plan.title: " in err


def test_calculate_runs_as_a_real_process_with_exit_status_zero(tmp_path):
    """The command line as other systems call it: JSON on stdout, status 0."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert manage("migrate", "-v0").returncode == 0
    process = manage("calculate", str(DATA / "chiller-individual.json"))
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["total_reduction_tco2e"] == "4610"

    broken_file = tmp_path / "broken.json"
    broken_file.write_text('{"format": "offset-plan/1", "plan": {}}', encoding="utf-8")
    process = manage("calculate", str(broken_file))
    assert process.returncode != 0
    assert "plan.type: required" in process.stderr.splitlines()
    assert "calculation: required" in process.stderr.splitlines()


def test_the_formats_minimal_document_imports(fixture_document):
    document = fixture_document("lighting-subproject.json")
    minimal = {
        "format": "offset-plan/1",
        "plan": {"type": "individual", "crediting_period": document["plan"]["crediting_period"]},
        "calculation": document["calculation"],
    }
    plan = plan_import(document=minimal, create_programmes=True, organisation=OrganisationFactory())
    assert plan.results["annual_reduction_tco2e"] == "4"


@pytest.mark.parametrize(
    "mutate,path",
    [
        (
            lambda d: d["plan"].update(participants=[{"role": "other", "name": "名" * 201}]),
            "plan.participants[0].name",
        ),
        (
            lambda d: d["plan"].update(costs={"setup": "1.123456789"}),
            "plan.costs.setup",
        ),
        (
            lambda d: d["calculation"]["baseline"]["groups"][0].update(name="燈" * 201),
            "calculation.baseline.groups[0].name",
        ),
        (lambda d: d["plan"].update(title="題" * 201), "plan.title"),
        (lambda d: d.update(attachments=[{"label": "附件" * 20}]), "attachments[0].label"),
    ],
    ids=["long participant", "nine decimals", "long group name", "long title", "long label"],
)
def test_what_the_database_cannot_hold_is_refused_at_its_path(
    tmp_path, fixture_document, mutate, path
):
    document = fixture_document("lighting-subproject.json")
    mutate(document)
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    status, out, err = run_command("import_plan", str(source))
    assert status != 0
    assert any(line.startswith(f"{path}: ") for line in err.splitlines()), err
    assert Plan.objects.count() == 0


def test_section_four_wording_units_and_formula_numbers_survive_export_and_import(
    demo_document,
):
    document = demo_document("chiller-individual.json")
    notes = document["plan"]["calculation_notes"]
    assert notes["formula_numbers"] is True
    assert (notes["energy_unit"], notes["count_unit"]) == ("kWh", "台")
    notes["parameters"].append({"table": "reduction", "parameter": "BE_y", "display": "show"})
    exported = plan_document(plan_import(document=document, create_programmes=True))
    rows = {
        (r["table"], r["parameter"]): r for r in exported["plan"]["calculation_notes"]["parameters"]
    }
    assert rows[("baseline", "sum_i")]["definition"].startswith("加總替換之 i 類別設備")
    assert rows[("baseline", "rho_i")]["unit"] == "kWh"
    assert rows[("project", "PE_ref_y")]["note"] == "依公式(5)進行計算"
    assert rows[("reduction", "BE_y")]["display"] == "show"
    assert exported == document
    plan = plan_import(document=exported, create_programmes=True)
    assert (plan.energy_unit, plan.count_unit, plan.formula_numbers) == ("kWh", "台", True)


def test_a_row_neither_shown_nor_hidden_and_an_unknown_energy_unit_are_refused(
    tmp_path, demo_document
):
    document = demo_document("lighting-subproject.json")
    document["plan"]["calculation_notes"]["parameters"][0]["display"] = "maybe"
    document["plan"]["calculation_notes"]["energy_unit"] = "GWh"
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    status, _out, err = run_command("import_plan", str(source))
    assert status != 0
    assert "plan.calculation_notes.parameters[0].display: " in err
    assert "plan.calculation_notes.energy_unit: " in err
    assert Plan.objects.count() == 0

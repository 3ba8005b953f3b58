"""Sections 三 to 五 of the document read and written through the schema's rows:
the exported text stays byte for byte what was imported, and a malformed value is
refused at the same path with the same message."""

import json
from pathlib import Path

import pytest

from methodologies.engine import DocumentErrors, dumps
from projects.interchange import plan_document
from projects.services import plan_import

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
FILES = [
    ROOT / "tests" / "data" / "chiller-individual.json",
    ROOT / "tests" / "data" / "lighting-subproject.json",
    ROOT / "projects" / "demo" / "chiller-individual.json",
    ROOT / "projects" / "demo" / "lighting-subproject.json",
]


@pytest.mark.parametrize("source", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_of_an_imported_file_is_the_same_text(source):
    text = source.read_text(encoding="utf-8")
    plan = plan_import(document=json.loads(text), create_programmes=True)
    assert dumps(plan_document(plan)) == text


def _every_scalar_of_sections_three_to_five(document: dict) -> dict:
    """The chiller plan with every scalar of 三-五 filled in, in the format's order."""
    document["additionality"] = {
        "none": True,
        "regulations": document["additionality"]["regulations"],
        "notes": {"central": "中央法規說明", "local": "地方法規說明", "policy": "政策說明"},
        "other": {"name": "其他法規名稱", "explanation": "其他法規說明"},
        "saving_rate": {
            "year": 2023,
            "previous_year_kwh": "1680",
            "required_percent": "1",
            "measures": [{"label": "照明", "savings_kwh": "12.5"}],
        },
    }
    notes = document["plan"]["calculation_notes"]
    notes["leakage_not_applicable"] = True
    document["plan"]["calculation_notes"] = {
        key: notes[key]
        for key in (
            "baseline_scenario",
            "project_scenario",
            "leakage_not_applicable",
            "leakage_note",
            "parameters",
        )
    }
    return document


def test_every_scalar_of_sections_three_to_five_round_trips_as_the_same_text(demo_document):
    document = _every_scalar_of_sections_three_to_five(demo_document("chiller-individual.json"))
    plan = plan_import(document=document, create_programmes=True)
    assert plan.additionality_other_name == "其他法規名稱"
    assert plan.saving_rate_year == 2023
    assert plan.leakage_not_applicable is True
    assert dumps(plan_document(plan)) == dumps(document)


def test_false_flags_and_empty_notes_of_sections_three_to_five_are_left_out(demo_document):
    document = _every_scalar_of_sections_three_to_five(demo_document("chiller-individual.json"))
    document["additionality"]["none"] = False
    document["additionality"]["notes"] = {"central": "", "local": "", "policy": ""}
    document["additionality"]["other"] = {}
    document["plan"]["calculation_notes"]["leakage_not_applicable"] = False
    document["environment"] = {"summary": "", "construction": "", "crediting": ""}
    exported = plan_document(plan_import(document=document, create_programmes=True))
    assert list(exported["additionality"]) == ["regulations", "saving_rate"]
    assert "leakage_not_applicable" not in exported["plan"]["calculation_notes"]
    assert "environment" not in exported


def _set(path: str, value):
    def mutate(document):
        *parents, key = path.split(".")
        obj = document
        for part in parents:
            obj = obj.setdefault(part, {})
        obj[key] = value

    return mutate


MALFORMED = [
    ("additionality.none", "yes"),
    ("additionality.notes", "text"),
    ("additionality.notes.central", 3),
    ("additionality.notes.colour", "blue"),
    ("additionality.other.name", ["a"]),
    ("additionality.other", None),
    ("additionality.saving_rate.year", "2023a"),
    ("additionality.saving_rate.previous_year_kwh", "12x"),
    ("additionality.saving_rate.required_percent", "0.123456789"),
    ("additionality.saving_rate.colour", 1),
    ("additionality.colour", 1),
    ("plan.calculation_notes.baseline_scenario", 1),
    ("plan.calculation_notes.leakage_not_applicable", "no"),
    ("plan.calculation_notes.colour", "blue"),
    ("plan.calculation_notes", []),
    ("environment.summary", 5),
    ("environment.colour", "blue"),
    ("environment", "text"),
    ("consultation.identification", False),
    ("consultation.colour", "blue"),
]


@pytest.mark.parametrize(("path", "value"), MALFORMED, ids=[p for p, _v in MALFORMED])
def test_a_malformed_scalar_of_sections_three_to_five_is_refused_at_its_path(
    demo_document, path, value
):
    document = demo_document("chiller-individual.json")
    _set(path, value)(document)
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, create_programmes=True)
    assert [error.path for error in refusal.value.errors] == [path]

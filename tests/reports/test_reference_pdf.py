"""Each demo plan's PDF read against its registered plan, line by line, sections 一 to
四: tests/data/reference-lines-*.txt hold the reference text's lines (taken from
../shared/reference/plan-*.txt) and, marked, the few that are not checked and why."""

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.reports.test_pdf import DEMO

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data"
PLANS = ["lighting-subproject", "chiller-individual"]
SKIPPED = re.compile(r"^!(\w+) (.*)$")
REASON = re.compile(r"^#\s+!(\w+)\s")
# The page footer (第 4 頁，共 8 頁), which a page break puts inside a paragraph's text.
FOOTER = re.compile(r"第\s*\d+\s*頁，共\s*\d+\s*頁")


def normalised(text: str) -> str:
    """Both texts as the reference-lines files say: NFKC, no white space, ∑ → Σ,
    − → -, Greek ο → o, no Symbol-font bullets, a blank (a run of _) as one blank."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("∑", "Σ").replace("−", "-").replace("ο", "o")
    text = "".join(c for c in text if not 0xE000 <= ord(c) <= 0xF8FF)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"_{2,}", "___", text)


def reference_lines(name: str) -> tuple[list[str], dict[str, list[str]], set[str]]:
    """(the lines checked, the lines skipped by reason, the reasons the header explains)."""
    checked, skipped, explained = [], {}, set()
    for line in (DATA / f"reference-lines-{name}.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if match := REASON.match(line):
                explained.add(match.group(1))
        elif match := SKIPPED.match(line):
            skipped.setdefault(match.group(1), []).append(match.group(2))
        elif line.strip():
            checked.append(line)
    return checked, skipped, explained


@pytest.fixture(scope="module")
def pdf_texts(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each demo plan's PDF as pdftotext reads it in layout, reading and raw order
    (a table row reads whole in layout order, a wrapped cell in reading order, a
    row after a repeated table header in raw order), without page footers, so that
    where the pages break does not matter, normalised."""
    folder = tmp_path_factory.mktemp("reference-pdf")
    texts = {}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=folder / "media"):
        for name in PLANS:
            pdf = folder / f"{name}.pdf"
            call_command("render_pdf", str(DEMO / f"{name}.json"), "--output", str(pdf))
            texts[name] = [
                normalised(
                    FOOTER.sub(
                        "",
                        subprocess.run(
                            ["pdftotext", *mode, str(pdf), "-"],
                            capture_output=True,
                            check=True,
                            text=True,
                        ).stdout,
                    )
                )
                for mode in (["-layout"], [], ["-raw"])
            ]
    return texts


@pytest.mark.parametrize("name", PLANS)
def test_the_demo_pdf_prints_every_line_of_its_registered_plan(pdf_texts, name):
    checked, _skipped, _explained = reference_lines(name)
    missing = [
        line for line in checked if not any(normalised(line) in text for text in pdf_texts[name])
    ]
    assert not missing, f"{len(missing)} reference lines not printed:\n" + "\n".join(missing)


@pytest.mark.parametrize("name", PLANS)
def test_each_line_left_unchecked_says_why(name):
    checked, skipped, explained = reference_lines(name)
    assert len(checked) > 150
    assert set(skipped) <= explained, f"reasons not explained: {set(skipped) - explained}"

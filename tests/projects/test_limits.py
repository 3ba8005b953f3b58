"""Size limits of plan-format.md on every way in (commands, uploads, forms), and a plan at
the limits that can still be opened, previewed and saved without a query per group."""

import json
import time
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from methodologies.engine import DocumentErrors
from projects.forms import ServicePairFormSet
from projects.interchange import load_upload, plan_document
from projects.models import EquipmentGroup, Membership, Plan, Programme
from projects.sections import CalculationEditor
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def months(count: int) -> list[dict]:
    return [
        {"period": f"{2000 + i // 12}-{i % 12 + 1:02d}", "power_kw": "76.53", "hours": "32.3"}
        for i in range(count)
    ]


def group(side: str, index: int, *, periods: int = 0) -> dict:
    name = f"{side} {index:03d}"
    if periods:
        return {"name": name, "count": 1, "periods": months(periods)}
    power = "0.028" if side == "baseline" else "0.018"
    return {"name": name, "count": 1000, "power_kw": power, "annual_hours": "861"}


def document(groups: int = 1, *, periods_groups: int = 0, periods: int = 12) -> dict:
    """An individual plan with `groups` groups a side, the first `periods_groups` of them
    periods-shaped with `periods` months, the rest power-shaped."""

    def side(name):
        return {
            "groups": [
                group(name, i, periods=periods if i < periods_groups else 0) for i in range(groups)
            ]
        }

    return {
        "format": "offset-plan/1",
        "plan": {
            "type": "individual",
            "organization": "上限測試股份有限公司",
            "title": "設備群組上限測試",
            "crediting_period": {"start": "2021-01-01", "end": "2030-12-31"},
        },
        "calculation": {
            "emission_factor": {"value": "0.509"},
            "line_loss": "0",
            "baseline": side("baseline"),
            "project": side("project"),
        },
    }


def run_command(name, path, capsys):
    """(exit status, stderr lines, seconds) of a command run in-process."""
    capsys.readouterr()
    began = time.perf_counter()
    try:
        call_command(name, str(path), stdout=StringIO())
        status = 0
    except SystemExit as exit:
        status = exit.code
    seconds = time.perf_counter() - began
    return status, capsys.readouterr().err.splitlines(), seconds


def over_limit_documents():
    """(case, text of the document, the error line expected)."""
    valid = json.dumps(document(), ensure_ascii=False)
    too_many_groups = document()
    too_many_groups["calculation"]["baseline"]["groups"] = [group("baseline", 0)] * 10_000
    too_many_periods = document(2, periods_groups=2, periods=12)
    too_many_periods["calculation"]["project"]["groups"][1]["periods"] = months(121)
    long_list = document()
    long_list["plan"]["participants"] = [{"role": "owner", "name": "x"}] * 1001
    long_string = document()
    long_string["plan"]["title"] = "題" * 20_001
    deep = document()
    deep["plan"]["site"] = json.loads("[" * 63 + "]" * 63)  # 65 levels with the root and plan
    return [
        ("bytes", valid + " " * (5_000_001 - len(valid.encode())), "$: larger than 5,000,000 bytes (5,000,001 bytes)"),
        ("30 MB", valid + " " * 30_000_000, "$: larger than 5,000,000 bytes (30,000,"),
        ("depth", json.dumps(deep), "$: nested deeper than 64 levels"),
        ("groups", json.dumps(too_many_groups), "calculation.baseline.groups: more than 200 groups (10,000)"),
        ("periods", json.dumps(too_many_periods), "calculation.project.groups[1].periods: more than 120 periods (121)"),
        ("list", json.dumps(long_list), "plan.participants: more than 1,000 items (1,001)"),
        ("string", json.dumps(long_string, ensure_ascii=False), "plan.title: longer than 20,000 characters"),
    ]  # fmt: skip


CASES = over_limit_documents()


@pytest.mark.parametrize(("text", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_calculate_and_import_refuse_an_over_limit_document_at_its_path_within_a_second(
    tmp_path, capsys, text, line
):
    source = tmp_path / "plan.json"
    source.write_text(text, encoding="utf-8")
    for command in ("calculate", "import_plan"):
        status, errors, seconds = run_command(command, source, capsys)
        assert status == 1
        assert len(errors) == 1 and errors[0].startswith(line), errors
        assert seconds < 1, f"{command} took {seconds:.2f} s"
    assert not Plan.objects.exists()
    assert not Programme.objects.exists()


def test_calculate_reads_a_document_at_the_limits(tmp_path):
    source = tmp_path / "plan.json"
    source.write_text(json.dumps(document(200, periods_groups=10, periods=120)), encoding="utf-8")
    out = StringIO()
    began = time.perf_counter()

    call_command("calculate", str(source), stdout=out)

    assert json.loads(out.getvalue())["format"] == "offset-plan-results/1"
    assert time.perf_counter() - began < 2


class UnreadableUpload:
    """An upload that says it is large and fails if anyone reads it."""

    size = 5_000_001

    def read(self, *args):
        raise AssertionError("the upload was read")


def test_an_upload_over_the_byte_limit_is_refused_from_its_size_without_reading_it():
    with pytest.raises(DocumentErrors) as refused:
        load_upload(UnreadableUpload())

    assert [str(e) for e in refused.value.errors] == [
        "$: larger than 5,000,000 bytes (5,000,001 bytes)"
    ]


@pytest.fixture
def editor(client):
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.organisation = membership.organisation
    return client


def big_upload():
    text = json.dumps(document()).ljust(5_000_001)
    return SimpleUploadedFile("plan.json", text.encode(), content_type="application/json")


def test_the_browser_import_refuses_a_file_over_the_byte_limit_at_the_root(editor):
    response = editor.post(
        reverse("projects:plan_import"),
        {"organisation": editor.organisation.pk, "document": big_upload()},
    )

    assert response.context["errors"] == [
        "整份文件：檔案大於 5,000,000 位元組（本檔 5,000,001 位元組）"
    ]
    assert not Plan.objects.exists()


def test_the_browser_import_refuses_201_groups_at_their_path(editor):
    doc = document(201)
    response = editor.post(
        reverse("projects:plan_import"),
        {
            "organisation": editor.organisation.pk,
            "document": SimpleUploadedFile("plan.json", json.dumps(doc).encode()),
        },
    )

    errors = sorted(response.context["errors"])
    assert len(errors) == 2
    assert errors[0].endswith("（calculation.baseline.groups）：超過 200 個群組（共 201）")
    assert errors[1].endswith("（calculation.project.groups）：超過 200 個群組（共 201）")
    assert not Plan.objects.exists()


def test_replacing_a_draft_with_a_file_over_the_byte_limit_changes_nothing(editor):
    plan = plan_import(document=document(2), organisation=editor.organisation)
    before = plan_document(plan)

    response = editor.post(
        reverse("projects:plan_replace", args=[plan.pk]), {"document": big_upload()}
    )

    assert response.context["errors"][0].startswith("整份文件：檔案大於 5,000,000 位元組")
    assert plan_document(Plan.objects.get(pk=plan.pk)) == before


# Forms: the same limits, each refused with a message at its field.


def editor_of(client, plan):
    user = UserFactory()
    MembershipFactory(user=user, organisation=plan.organisation, role=Membership.Role.EDITOR)
    client.force_login(user)
    return client


def page_data(plan) -> dict:
    return editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))


def post_page(client, plan, data):
    """Post the calculation page as the browser does (a urlencoded form)."""
    url = reverse("projects:section", args=[plan.pk, "calculation"])
    return client.post(url, urlencode(data, doseq=True), content_type=FORM)


@pytest.fixture
def plan_at_the_limits():
    return plan_import(document=document(200, periods_groups=5), organisation=OrganisationFactory())


def test_a_page_at_the_limits_of_200_groups_a_side_is_opened_previewed_and_saved(
    client, plan_at_the_limits
):
    plan = plan_at_the_limits
    editor_of(client, plan)
    page = reverse("projects:section", args=[plan.pk, "calculation"])
    assert client.get(page).status_code == 200
    data = page_data(plan)
    data["baseline-groups-199-count"] = "999"  # the last group of a full side

    preview = client.post(
        reverse("projects:preview", args=[plan.pk, "calculation"]),
        urlencode(data, doseq=True),
        content_type=FORM,
    )
    assert preview.status_code == 200 and preview.context["results"] is not None
    response = post_page(client, plan, data)

    # Django's default of 1,000 fields refused a page of 16 groups (TooManyFieldsSent).
    assert response.status_code == 302
    assert plan.groups.get(side="baseline", name="baseline 199").count == 999


def new_group(data: dict, side: str, index: int) -> None:
    prefix = f"{side}-groups-{index}"
    data.update(
        {
            f"{prefix}-name": f"added {index}",
            f"{prefix}-shape": "power",
            f"{prefix}-count": "1",
            f"{prefix}-power_kw": "0.01",
            f"{prefix}-annual_hours": "100",
        }
    )


def test_a_side_of_201_groups_is_refused_with_a_message_naming_the_side_and_kept(
    client, plan_at_the_limits
):
    plan = plan_at_the_limits
    editor_of(client, plan)
    data = page_data(plan)
    new_group(data, "project", 200)
    data["project-groups-TOTAL_FORMS"] = "201"

    response = post_page(client, plan, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "「專案（新設備）」的設備群組最多 200 組，請刪除多餘的群組。" in html
    assert 'value="added 200"' in html  # nothing typed is lost
    assert plan.groups.filter(side="project").count() == 200


def test_deleting_a_group_makes_room_for_another(client, plan_at_the_limits):
    plan = plan_at_the_limits
    editor_of(client, plan)
    data = page_data(plan)
    new_group(data, "project", 200)
    data["project-groups-TOTAL_FORMS"] = "201"
    data["project-groups-10-DELETE"] = "on"

    assert post_page(client, plan, data).status_code == 302
    assert plan.groups.filter(side="project").count() == 200


@pytest.fixture
def chiller(demo_document):
    return plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)


def test_a_month_grid_of_121_months_is_refused_at_the_month_past_the_limit(client, chiller):
    editor_of(client, chiller)
    data = page_data(chiller)
    prefix = "project-groups-0"
    for i, period in enumerate(months(121)):
        data[f"{prefix}-month_{i}"] = period["period"]
        data[f"{prefix}-power_{i}"] = period["power_kw"]
        data[f"{prefix}-hours_{i}"] = period["hours"]
        data[f"{prefix}-energy_{i}"] = ""

    response = post_page(client, chiller, data)

    assert response.status_code == 400
    form = response.context["editor"].formsets["project_groups"].forms[0]
    assert form.errors["month_120"] == ["逐月資料最多 120 個月，請刪除此月份起多餘的月份。"]
    assert chiller.groups.get(side="project", order=0).periods.count() == 12


def test_a_month_grid_of_120_months_is_saved(client, chiller):
    editor_of(client, chiller)
    data = page_data(chiller)
    prefix = "project-groups-0"
    for i, period in enumerate(months(120)):
        data[f"{prefix}-month_{i}"] = period["period"]
        data[f"{prefix}-power_{i}"] = period["power_kw"]
        data[f"{prefix}-hours_{i}"] = period["hours"]
        data[f"{prefix}-energy_{i}"] = ""

    assert post_page(client, chiller, data).status_code == 302
    assert chiller.groups.get(side="project", order=0).periods.count() == 120


def test_a_table_of_1001_rows_is_refused_with_a_message_naming_the_table(chiller):
    data = {"pairs-TOTAL_FORMS": "1001", "pairs-INITIAL_FORMS": "0"}
    for i in range(1001):
        data.update({f"pairs-{i}-location": f"{i}F", f"pairs-{i}-baseline": "1", f"pairs-{i}-project": "1"})  # fmt: skip
    formset = ServicePairFormSet(data, instance=chiller, prefix="pairs")

    assert not formset.is_valid()
    assert formset.non_form_errors() == ["「服務水平量測」最多 1000 列，請刪除多餘的列。"]

    data["pairs-TOTAL_FORMS"] = "1000"
    assert ServicePairFormSet(data, instance=chiller, prefix="pairs").is_valid()


def test_a_text_of_20001_characters_is_refused_at_its_field_and_kept(client, chiller):
    editor_of(client, chiller)
    data = page_data(chiller)
    data["plan-baseline_scenario"] = "說" * 20_001
    data["pairs-0-location"] = "新位置"

    response = post_page(client, chiller, data)

    assert response.status_code == 400
    form = response.context["editor"].form
    assert list(form.errors) == ["baseline_scenario"]
    assert "20000" in form.errors["baseline_scenario"][0]
    assert "說" * 20_001 in response.content.decode()
    data["plan-baseline_scenario"] = "說" * 20_000
    assert post_page(client, chiller, data).status_code == 302


def test_the_applicability_and_comment_texts_have_the_string_limit_too(chiller):
    from projects.forms import ApplicabilityForm, CommentForm

    long = "x" * 20_001
    applicability = ApplicabilityForm({"c-answer": "complies", "c-explanation": long}, prefix="c")
    comment = CommentForm({"section": "general", "text": long})

    assert "explanation" in applicability.errors
    assert "text" in comment.errors


# The page of many groups: no month grid where there is no month, no query per group.


def test_only_a_periods_group_carries_month_cells_and_the_page_a_row_template(client, chiller):
    editor_of(client, chiller)

    html = client.get(reverse("projects:section", args=[chiller.pk, "calculation"])).content
    html = html.decode()

    assert chiller.groups.get(side="baseline").shape == EquipmentGroup.Shape.CHILLER
    assert 'name="baseline-groups-0-month_0"' not in html
    assert 'name="project-groups-0-month_11"' in html
    assert 'name="baseline-groups-__prefix__-month___row__"' in html


def queries(request) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 302), response.status_code
    return len(captured)


@pytest.mark.parametrize("kind", ["page", "preview", "save"])
def test_the_calculation_page_asks_as_many_queries_for_20_groups_as_for_2(client, kind):
    counts = []
    for groups in (2, 20):
        plan = plan_import(
            document=document(groups, periods_groups=2), organisation=OrganisationFactory()
        )
        editor_of(client, plan)
        page = reverse("projects:section", args=[plan.pk, "calculation"])
        data = urlencode(page_data(plan), doseq=True)
        if kind == "page":
            counts.append(queries(lambda: client.get(page)))  # noqa: B023
        elif kind == "preview":
            url = reverse("projects:preview", args=[plan.pk, "calculation"])
            counts.append(queries(lambda: client.post(url, data, content_type=FORM)))  # noqa: B023
        else:
            counts.append(queries(lambda: client.post(page, data, content_type=FORM)))  # noqa: B023

    assert counts[0] == counts[1], counts

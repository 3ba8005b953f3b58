"""The official PDF: content checked through pdftotext, fonts through pdffonts."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from projects.models import Membership, Organisation, Plan
from projects.services import plan_import
from projects.workflow import plan_transition
from reports import rendering
from reports.models import VersionPdf
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parents[2] / "projects" / "demo"


def pdf_text(path: Path, page: int | None = None, *, layout: bool = False) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    mode = ["-layout"] if layout else []
    return subprocess.run(
        ["pdftotext", *mode, *pages, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def squeezed(text: str) -> str:
    """pdftotext spaces CJK text freely; compare without white space."""
    return re.sub(r"\s+", "", text)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    """Both reference plans rendered once through `manage.py render_pdf`."""
    folder = tmp_path_factory.mktemp("pdf")
    with django_db_blocker.unblock():
        for name in ("chiller-individual", "lighting-subproject"):
            call_command(
                "render_pdf", str(DEMO / f"{name}.json"), "--output", str(folder / f"{name}.pdf")
            )
        call_command(
            "render_pdf",
            str(DEMO / "lighting-subproject.json"),
            "--output",
            str(folder / "draft.pdf"),
            "--draft",
        )
    return folder


CHILLER_LINES = [
    "微型規模計畫型抵換專案計畫書",
    "公司/單位名稱家福股份有限公司",
    "計畫書版本2.1製作日期110年7月13日",
    "專案總減量4,610噸二氧化碳當量(tCO2e)",
    "■新申請：■固定型（10年）；□展延型（7年）",
    "專案計入期110年1月1日~119年12月31日",
    "■節能類型：每年總節電量1,117,491度",
    "■設置成本5,133,916元",
    "條件符合性說明與佐證",
    "■能源管理法",
    "■能源用戶訂定節約能源目標及執行計畫規定",
    "項參數定義/說明數值單位數據來源",
    "825tCO2e",
    "1,397,937.356kWh",
    "280,446.547kWh",
    "364tCO2e",
    "461tCO2e",
    "0.0646t",
    "1760tCO2e/t",
    "■預設□監測",
    "□預設■監測",
    "第一級",
    "合計4242100%",
]
LIGHTING_LINES = [
    "微型規模方案型抵換專案-子專案計畫書",
    "專案編號B-0000271-002",
    "方案型抵換專案計畫書名稱臺南市設備汰舊換新計畫-換裝高效率設備",
    "■減量方法■方案型專案邊界內",
    "專案總減量40噸二氧化碳當量(tCO2e)",
    "■節能類型：每年總節電量8,963度",
    "■設置成本980,000元，占比66.7%",
    "■政府補助490,000元，占比33.3%",
    "(經緯座標TWD97/TM2-X：173430，TWD97/TM2-Y：2544249)",
    "■屬節能類型專案，得免除壽齡佐證限制",
    "■臺南市低碳城市自治條例",
    "年節電率(%)H=F/(F+G)*1001.17",
    "106年實際用電量(度)G14,111,800",
    "25.0968MWh",
    "16.1337MWh",
    "13tCO2e",
    "9tCO2e",
    "4tCO2e",
    "0.533tCO2e/MWh",
    "0.000028MW",
    "3.94%",
    "附件一燈具裝設位置",
]


@pytest.mark.parametrize(
    "name,lines",
    [("chiller-individual", CHILLER_LINES), ("lighting-subproject", LIGHTING_LINES)],
)
def test_the_reference_plans_render_with_their_key_lines_and_our_figures(rendered, name, lines):
    # A table row reads in order in layout mode; a wrapped cell in reading order.
    texts = [
        squeezed(pdf_text(rendered / f"{name}.pdf", layout=layout)) for layout in (True, False)
    ]
    missing = [line for line in lines if not any(squeezed(line) in text for text in texts)]
    assert missing == []


def test_formulas_are_typeset_with_subscripts(rendered):
    text = squeezed(pdf_text(rendered / "chiller-individual.pdf"))
    assert "BEy=EBL,y×EFCO2,ELEC,y+Qref,BL×GWPref,BL" in text
    assert "ERy=(BEy-PEy)-LEy" in text  # the chiller plan's "-", the lighting plan's "−"


def test_cjk_fonts_are_embedded_in_regular_and_bold(rendered):
    fonts = subprocess.run(
        ["pdffonts", str(rendered / "chiller-individual.pdf")],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.splitlines()[2:]
    embedded = {line.split()[0].split("+")[-1] for line in fonts if " yes " in line}
    assert "Noto-Serif-CJK-TC" in embedded
    assert "Noto-Serif-CJK-TC-Bold" in embedded
    assert all(" yes " in line for line in fonts)


def test_every_page_is_numbered_and_a_draft_is_marked_on_every_page(rendered):
    pages = page_count(rendered / "draft.pdf")
    assert pages > 3
    for page in range(1, pages + 1):
        text = squeezed(pdf_text(rendered / "draft.pdf", page))
        assert "草稿" in text
        assert f"第{page}頁，共{pages}頁" in text
    final = squeezed(pdf_text(rendered / "lighting-subproject.pdf", 1))
    assert "草稿" not in final


@pytest.fixture
def approved(demo_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    editor, reviewer = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    MembershipFactory(user=reviewer, organisation=authority, role=Membership.Role.REVIEWER)
    for user, name in [(editor, "submit"), (reviewer, "start_review"), (reviewer, "approve")]:
        plan = plan_transition(plan=plan, user=user, name=name)
    plan.editor, plan.reviewer = editor, reviewer
    return plan


def test_an_approved_version_is_rendered_once_and_then_served_from_storage(
    client, approved, monkeypatch
):
    calls = []
    real = rendering.render_plan_pdf

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("reports.services.render_plan_pdf", counting)
    client.force_login(approved.editor)
    url = reverse("reports:version_pdf", args=[approved.pk, 1])
    first = client.get(url)
    second = client.get(url)
    assert first["Content-Type"] == "application/pdf"
    assert first.content == second.content
    assert first.content.startswith(b"%PDF")
    assert len(calls) == 1
    assert VersionPdf.objects.filter(version=approved.current_version).exists()


def test_only_people_who_may_see_the_plan_download_its_pdf(client, approved):
    client.force_login(UserFactory())
    assert client.get(reverse("reports:version_pdf", args=[approved.pk, 1])).status_code == 404
    assert client.get(reverse("reports:draft_pdf", args=[approved.pk])).status_code == 404
    client.force_login(approved.reviewer)
    assert client.get(reverse("reports:version_pdf", args=[approved.pk, 1])).status_code == 200


def test_the_draft_pdf_of_an_incomplete_plan_says_why(client, demo_document):
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    Plan.objects.filter(pk=plan.pk).update(line_loss=None)
    user = UserFactory()
    MembershipFactory(user=user, organisation=plan.organisation)
    client.force_login(user)
    response = client.get(reverse("reports:draft_pdf", args=[plan.pk]), follow=True)
    assert "計算方法尚未完整，無法產生 PDF。" in response.content.decode()


def test_render_pdf_refuses_a_broken_document(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "offset-plan/1", "plan": {"type": "x"}}', encoding="utf-8")
    with pytest.raises(SystemExit) as exit:
        call_command("render_pdf", str(broken), "--output", str(tmp_path / "x.pdf"))
    assert exit.value.code != 0
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_section_five_prints_nothing_and_a_filled_one_prints(rendered):
    lighting = squeezed(pdf_text(rendered / "lighting-subproject.pdf"))
    chiller = squeezed(pdf_text(rendered / "chiller-individual.pdf"))
    assert "五、環境衝擊分析與公眾意見" not in lighting  # the sub-project has no 五
    assert "附件一燈具裝設位置" in lighting
    assert "五、環境衝擊分析與公眾意見" in chiller

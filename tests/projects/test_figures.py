"""Figures (專案實施前後示意圖, 設備照片): uploads checked by content and downscaled,
printed in place in the PDF, kept by frozen versions and by export → import."""

import io
import json
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from methodologies.engine import dumps
from projects import figures
from projects.interchange import plan_document
from projects.models import Membership, Organisation, Plan, PlanFigure
from projects.services import figure_add, plan_import
from projects.workflow import plan_transition
from reports import services as report_services
from tests.projects.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def png(width=40, height=30, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def pdf_images(pdf: bytes) -> list[tuple[int, int]]:
    listing = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [(int(line.split()[3]), int(line.split()[4])) for line in listing.splitlines()[2:]]


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return "".join(text.split())


@pytest.fixture
def editor(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    membership = MembershipFactory(role=Membership.Role.EDITOR)
    client.force_login(membership.user)
    client.user = membership.user
    client.organisation = membership.organisation
    return client


@pytest.fixture
def plan(editor, demo_document):
    document = demo_document("chiller-individual.json")
    del document["plan"]["figures"]  # a plan with no figure yet: these tests place them
    plan = plan_import(document=document, organisation=editor.organisation)
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    return Plan.objects.get(pk=plan.pk)


def upload(editor, plan, content, name="photo.png", slot="before_after", caption="更換前後"):
    return editor.post(
        reverse("projects:figure_add", args=[plan.pk]),
        {"slot": slot, "caption": caption, "image": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_an_editor_places_a_png_in_a_slot_with_its_caption(editor, plan):
    response = upload(editor, plan, png())
    figure = PlanFigure.objects.get(plan=plan)
    assert (figure.slot, figure.caption, figure.media_type) == (
        "before_after",
        "更換前後",
        "image/png",
    )
    assert figure.image.name.endswith(".png")
    assert reverse("projects:figure_image", args=[plan.pk, figure.pk]) in response.text
    image = editor.get(reverse("projects:figure_image", args=[plan.pk, figure.pk]))
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")


def test_a_text_file_named_png_is_refused(editor, plan):
    response = upload(editor, plan, b"hello, not an image\n" * 10, name="fake.png")
    assert not PlanFigure.objects.exists()
    assert "PNG" in response.text


def test_a_gif_is_refused_whatever_its_name(editor, plan):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    upload(editor, plan, out.getvalue(), name="x.jpg")
    assert not PlanFigure.objects.exists()


def test_an_oversized_upload_is_refused(editor, plan):
    content = png() + b"\0" * (figures.UPLOAD_MAX_BYTES + 1)
    response = upload(editor, plan, content)
    assert not PlanFigure.objects.exists()
    assert "10 MB" in response.text


def test_a_decompression_bomb_is_refused_before_it_is_decoded(editor, plan):
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kB
    with pytest.raises(figures.FigureError):
        figures.print_image(out.getvalue())
    upload(editor, plan, out.getvalue())
    assert not PlanFigure.objects.exists()


def test_a_large_photo_is_downscaled_for_print(editor, plan):
    upload(editor, plan, jpeg(4000, 3000), name="big.jpg", slot="equipment")
    figure = PlanFigure.objects.get()
    with figure.image.open("rb") as handle, Image.open(handle) as image:
        assert (image.format, image.size) == ("JPEG", (1600, 1200))


def test_only_an_editor_of_an_editable_plan_places_figures(client, editor, plan):
    plan_transition(plan=plan, user=editor.user, name="submit")
    upload(editor, plan, png())
    assert not PlanFigure.objects.exists()
    with pytest.raises(Exception, match="無法變更"):
        figure_add(plan=plan, slot="equipment", caption="x", content=png())


def test_figures_print_in_place_with_their_caption(editor, plan):
    figure_add(plan=plan, slot="before_after", caption="節能改善前後示意", content=png(800, 400))
    figure_add(plan=plan, slot="equipment", caption="新設冰水主機照片", content=jpeg(1200, 900))
    pdf = report_services.draft_pdf(Plan.objects.get(pk=plan.pk))
    assert sorted(pdf_images(pdf)) == [(800, 400), (1200, 900)]
    text = pdf_text(pdf)
    assert "專案實施前後示意圖節能改善前後示意" in text
    # The photo under 減量措施、設備說明 (二), the diagram in the last row of 三, as the
    # registered plans have them.
    assert (
        text.index("新設冰水主機照片")
        < text.index("三、")
        < text.index("專案實施前後示意圖")
        < text.index("四、")
    )


def test_a_frozen_version_keeps_its_figure_when_the_draft_replaces_it(editor, plan):
    figure_add(plan=plan, slot="before_after", caption="第一版", content=png(300, 200))
    plan = plan_transition(plan=plan, user=editor.user, name="submit")
    plan = plan_transition(plan=plan, user=editor.user, name="withdraw")
    figure = PlanFigure.objects.get()
    editor.post(reverse("projects:figure_delete", args=[plan.pk, figure.pk]))
    figure_add(plan=plan, slot="before_after", caption="第二版", content=png(500, 100))
    version = Plan.objects.get(pk=plan.pk).versions.get(number=1)
    pdf = report_services.render_version(version)
    assert pdf_images(pdf) == [(300, 200)]
    assert "第一版" in pdf_text(pdf)


def test_export_then_import_keeps_the_figures(editor, plan):
    figure_add(plan=plan, slot="before_after", caption="前後", content=png(64, 48))
    figure_add(plan=plan, slot="equipment", caption="照片", content=jpeg(2000, 1000))
    document = json.loads(dumps(plan_document(Plan.objects.get(pk=plan.pk))))
    entries = document["plan"]["figures"]
    assert [(f["slot"], f["caption"], f["image"]["media_type"]) for f in entries] == [
        ("before_after", "前後", "image/png"),
        ("equipment", "照片", "image/jpeg"),
    ]
    assert all(len(chunk) <= 20_000 for f in entries for chunk in f["image"]["data"])
    copy = plan_import(document=document, organisation=editor.organisation)
    before = {f.caption: f for f in plan.figures.all()}
    for figure in copy.figures.all():
        with figure.image.open("rb") as handle, Image.open(handle) as image:
            assert image.size == {"前後": (64, 48), "照片": (1600, 800)}[figure.caption]
        assert figure.slot == before[figure.caption].slot
    png_copy = copy.figures.get(caption="前後")
    assert png_copy.sha256 == before["前後"].sha256
    assert plan_document(copy)["plan"]["figures"] == entries


def test_a_document_whose_figure_is_not_an_image_is_refused_at_its_path(editor, demo_document):
    from methodologies.engine import DocumentErrors

    document = demo_document("chiller-individual.json")
    document["plan"]["figures"] = [
        {
            "slot": "before_after",
            "caption": "x",
            "image": figures.document_image(b"not an image", "image/png"),
        }
    ]
    with pytest.raises(DocumentErrors) as refusal:
        plan_import(document=document, organisation=editor.organisation)
    assert [e.path for e in refusal.value.errors] == ["plan.figures[0].image.data"]

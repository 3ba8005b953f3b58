"""Draw the stand-in figures of the two demo plans and write them into the demo
documents (`plan.figures` of projects/demo/*.json), where the registered plans
have pictures: the lighting plan's 專案實施前後示意圖, the chiller plan's
equipment photo (專案設備如下圖, drawn, in PNG) and its 專案範圍(專案實施前)/(專案實施後) diagrams.

They are simple labelled diagrams, not the registered plans' pictures, drawn
small (at most 900 pixels wide, each well under 100 KB) so that the PDF embeds
them as they are: the import stores them as they are drawn (under 1,600 pixels,
nothing to downscale) and a render only decodes them.

Run: .venv/bin/python scripts/make_demo_figures.py   (rewrites the two documents)"""

import io
import json
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEMO = ROOT / "projects" / "demo"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
WIDTH, HEIGHT = 900, 560
INK, GREY, BLUE, GREEN = (20, 20, 20), (120, 120, 120), (40, 90, 170), (30, 130, 70)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    # Index 0 of the Noto CJK collection is JP; 2 is TC (traditional Chinese glyphs).
    return ImageFont.truetype(FONT_BOLD if bold else FONT, size, index=2)


def canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    return image, ImageDraw.Draw(image)


def centred(draw, box, text, size=24, fill=INK, bold=False):
    x0, y0, x1, y1 = box
    lines = text.split("\n")
    face = font(size, bold)
    heights = [draw.textbbox((0, 0), line, font=face)[3] for line in lines]
    y = (y0 + y1 - sum(heights) - 6 * (len(lines) - 1)) / 2
    for line, height in zip(lines, heights, strict=True):
        width = draw.textlength(line, font=face)
        draw.text(((x0 + x1 - width) / 2, y), line, font=face, fill=fill)
        y += height + 6


def dashed_rectangle(draw, box, fill, dash=14, width=3):
    x0, y0, x1, y1 = box
    for x in range(int(x0), int(x1), dash * 2):
        draw.line([(x, y0), (min(x + dash, x1), y0)], fill=fill, width=width)
        draw.line([(x, y1), (min(x + dash, x1), y1)], fill=fill, width=width)
    for y in range(int(y0), int(y1), dash * 2):
        draw.line([(x0, y), (x0, min(y + dash, y1))], fill=fill, width=width)
        draw.line([(x1, y), (x1, min(y + dash, y1))], fill=fill, width=width)


def lighting(after: bool) -> bytes:
    """行政大樓's ceiling before (T5 28W) or after (LED T8 18W) the replacement."""
    image, draw = canvas()
    colour = GREEN if after else GREY
    centred(draw, (0, 10, WIDTH, 60), "行政大樓 照明平面示意", 30, bold=True)
    draw.rectangle((60, 80, WIDTH - 60, 430), outline=INK, width=3)
    for row in range(4):
        for column in range(6):
            x = 100 + column * 125
            y = 110 + row * 80
            draw.rectangle((x, y, x + 95, y + 22), fill=colour, outline=INK, width=2)
    lamp = "LED T8 4尺18W單管（舞光）" if after else "T5 4尺28W單管（既有燈具）"
    efficacy = "發光效率 110 lm/W" if after else "發光效率 92~96 lm/W"
    centred(draw, (0, 440, WIDTH, 500), f"{lamp}　共 1,000 具", 26)
    centred(draw, (0, 495, WIDTH, 545), f"{efficacy}　（示意圖，非實際配置）", 22, GREY)
    return png(image)


def chiller_scope(after: bool) -> bytes:
    """竹北店's chiller plant, the project boundary dashed."""
    image, draw = canvas()
    centred(
        draw,
        (0, 10, WIDTH, 60),
        "專案範圍(專案實施後)" if after else "專案範圍(專案實施前)",
        30,
        bold=True,
    )
    draw.rectangle((40, 80, WIDTH - 40, 520), outline=INK, width=3)
    centred(draw, (40, 85, WIDTH - 40, 130), "竹北店", 28, bold=True)
    kinds = (
        ["200RT(螺旋式,變頻)", "200RT(螺旋式,變頻)", "200RT(螺旋式,定頻)"]
        if after
        else ["200RT(螺旋式,定頻)", "200RT(螺旋式,定頻)", "200RT(螺旋式,定頻)"]
    )
    for index, kind in enumerate(kinds):
        x = 80 + index * 265
        colour = BLUE if "變頻" in kind else GREY
        draw.rectangle((x, 200, x + 220, 380), fill=(235, 240, 248), outline=colour, width=4)
        centred(draw, (x, 200, x + 220, 380), f"冰水主機 #{index + 1}\n{kind}", 22, colour)
    dashed_rectangle(draw, (65, 170, 590, 400), (200, 40, 40))
    centred(draw, (65, 405, 590, 445), "專案邊界（汰換之兩台）", 22, (200, 40, 40))
    centred(
        draw,
        (600, 405, 860, 445),
        "既有備機（專案邊界外）" if after else "保留之同型主機",
        20,
        GREY,
    )
    return png(image)


def chiller_photo() -> bytes:
    """A stand-in for the photo of the new chiller (a drawing, not a photograph)."""
    image, draw = canvas()
    draw.rectangle((0, 0, WIDTH, HEIGHT), fill=(226, 230, 234))
    draw.rectangle((0, 440, WIDTH, HEIGHT), fill=(180, 184, 188))
    draw.rectangle((120, 140, 780, 430), fill=(60, 110, 170), outline=INK, width=3)
    for x in range(160, 760, 60):
        draw.ellipse((x, 330, x + 44, 374), fill=(90, 90, 96), outline=INK)
    draw.rectangle((600, 170, 750, 280), fill=(235, 235, 235), outline=INK, width=2)
    centred(draw, (600, 170, 750, 280), "TRANE\n控制盤", 22)
    centred(
        draw,
        (120, 170, 580, 300),
        "銓宏(TRANE)\n變頻螺旋式冰水主機 200RT",
        28,
        (255, 255, 255),
        True,
    )
    centred(draw, (0, 450, WIDTH, 545), "設備照片示意（非實物照片）", 24, INK)
    # PNG, not JPEG: an import encodes a JPEG once more, so export → import would
    # not give the demo document back byte for byte.
    return png(image)


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.quantize(colors=32).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    from methodologies.engine import dumps
    from projects.figures import document_image

    figures = {
        "lighting-subproject.json": [
            ("before_after", "專案實施前示意圖", lighting(False), "image/png"),
            ("before_after", "專案實施後示意圖", lighting(True), "image/png"),
        ],
        "chiller-individual.json": [
            ("equipment", "專案設備：銓宏(TRANE)變頻螺旋式冰水主機", chiller_photo(), "image/png"),
            ("before_after", "專案範圍(專案實施前)", chiller_scope(False), "image/png"),
            ("before_after", "專案範圍(專案實施後)", chiller_scope(True), "image/png"),
        ],
    }
    for name, items in figures.items():
        path = DEMO / name
        document = json.loads(path.read_text(encoding="utf-8"))
        document["plan"]["figures"] = [
            {"slot": slot, "caption": caption, "image": document_image(content, media_type)}
            for slot, caption, content, media_type in items
        ]
        path.write_text(dumps(document), encoding="utf-8")  # as export writes it
        sizes = ", ".join(f"{caption} {len(content):,} B" for _, caption, content, _ in items)
        print(f"{name}: {sizes}")


if __name__ == "__main__":
    main()

"""Differences between two versions of a plan, section by section, field by field.

Documents are flattened to `path → value` (the interchange format's paths), so
the comparison speaks of the same fields as import errors do."""

import base64
import hashlib
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from projects import schema

# Which section of the 計畫書 a document path belongs to.
SECTIONS = [
    ("basic", _("一、基本資料")),
    ("activity", _("二、專案活動描述")),
    ("applicability", _("三、減量方法應用說明")),
    ("calculation", _("四、計算方法")),
    ("environment", _("五、環境衝擊分析與公眾意見")),
    ("attachments", _("附件")),
]
# Top-level parts of the document without schema rows, by section.
TOP_SECTIONS = {
    "applicability": "applicability",
    "additionality": "applicability",
    "calculation": "calculation",
    "environment": "environment",
    "consultation": "environment",
    "attachments": "attachments",
}


def flatten(value, path: str = "") -> dict[str, object]:
    """{"a": {"b": [1]}} → {"a.b[0]": 1}; empty containers are kept as leaves. A
    figure's image is one leaf, its SHA-256, not thousands of base64 chunks."""
    if FIGURE_IMAGE.fullmatch(path) and isinstance(value, dict):
        data = value.get("data")
        text = "".join(data) if isinstance(data, list) else str(data)
        return {path: f"{value.get('media_type')} sha256:{_sha256(text)}"}
    if isinstance(value, dict) and value:
        items = {}
        for key, item in value.items():
            items.update(flatten(item, f"{path}.{key}" if path else key))
        return items
    if isinstance(value, list) and value:
        items = {}
        for index, item in enumerate(value):
            items.update(flatten(item, f"{path}[{index}]"))
        return items
    return {path: value}


FIGURE_IMAGE = re.compile(r"plan\.figures\[\d+\]\.image")


def _sha256(base64_text: str) -> str:
    try:
        content = base64.b64decode(base64_text)
    except ValueError:
        content = base64_text.encode()
    return hashlib.sha256(content).hexdigest()[:16]


def section_of(path: str) -> str:
    """The section of a document path: its schema row's, or the row's of the
    nearest enclosing object that has rows; lists of `plan` without rows
    (participants, equipment) are section 二's."""
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    shortest = 2 if parts[0] == "plan" else 1
    rows = schema.rows()
    for length in range(len(parts), shortest - 1, -1):
        prefix = ".".join(parts[:length])
        for row in rows:
            if row.path == prefix or row.path.startswith(prefix + "."):
                return row.section
    if parts[0] == "plan":
        return "activity"
    return TOP_SECTIONS.get(parts[0], "basic")


def changes(before: dict, after: dict) -> list[dict]:
    """[{"path", "before", "after"}] for every field that differs."""
    old, new = flatten(before), flatten(after)
    return [
        {"path": path, "before": old.get(path), "after": new.get(path)}
        for path in sorted(old.keys() | new.keys(), key=_path_order(old, new))
        if old.get(path) != new.get(path)
    ]


def _path_order(old: dict, new: dict):
    """Keep the document's own order: the new document's, then removed paths."""
    order = {path: i for i, path in enumerate(list(new) + [p for p in old if p not in new])}
    return order.__getitem__


@dataclass
class SectionDiff:
    slug: str
    title: str
    changes: list[dict]


def compare_documents(
    before: dict, after: dict, *, sections=SECTIONS, section_of=section_of
) -> list[SectionDiff]:
    """The changes grouped by section: a plan's by default, or any document's
    given its `sections` [(slug, title)] and `section_of(path) -> slug`."""
    by_section: dict[str, list[dict]] = {slug: [] for slug, _title in sections}
    for change in changes(before, after):
        by_section[section_of(change["path"])].append(change)
    return [SectionDiff(slug, title, by_section[slug]) for slug, title in sections]


CURRENT = "draft"  # the current (unsubmitted) content, beside the frozen versions


def pick_versions(query, numbers: list[int]) -> tuple:
    """Which two versions a comparison page shows, from its query string (`a`, `b`:
    a version number or "draft"): by default the last two versions, or the only
    version and the current content. Raises ValueError for anything else."""

    def pick(name, default):
        value = query.get(name, str(default))
        if value == CURRENT:
            return CURRENT
        number = int(value)  # ValueError for what is not a number
        if number not in numbers:
            raise ValueError(f"no version {number}")
        return number

    if not numbers:
        raise ValueError("nothing to compare")
    a = pick("a", numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = pick("b", numbers[-1] if len(numbers) > 1 else CURRENT)
    return a, b


# -- monitoring reports (offset-monitoring/1) -------------------------------------

MONITORING_SECTIONS = [
    ("activity", _("一、專案活動描述")),
    ("monitoring", _("二、監測情形說明")),
    ("calculation", _("三、減量計算")),
]


def monitoring_section_of(path: str) -> str:
    """The section of the 監測報告書 a monitoring document path belongs to: the
    plan and the period are 一's, what was measured per group is 二's, the rest
    (line loss, GWP, refrigerant, leakage, the explanation) 三's."""
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    if parts[0] != "monitoring" or len(parts) < 2:
        return "activity"
    if parts[1] in ("number", "period", "emission_factor"):
        return "activity"
    if parts[1] in ("baseline", "project") and len(parts) > 2 and parts[2] == "groups":
        return "monitoring"
    return "calculation"


def compare_monitoring_documents(before: dict, after: dict) -> list[SectionDiff]:
    return compare_documents(
        before, after, sections=MONITORING_SECTIONS, section_of=monitoring_section_of
    )

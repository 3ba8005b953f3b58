"""Labels for the engine's results, for pages and the PDF."""

from django.utils.translation import gettext_lazy as _

CHECK_LABELS = {
    "service_level": _("服務水平介於基線 90–150%（條件 1）"),
    "savings_cap": _("年節電量不超過 60 GWh（條件 5）"),
    "microscale": _("年節電量不超過 20 GWh（微型規模）"),
    "refrigerant_odp": _("專案冷媒不具臭氧破壞潛勢（條件 3）"),
    "positive_reduction": _("年減量為正值（條件 4）"),
    "minimum_total": _("計畫型專案計入期總減量超過 500 tCO2e"),
}
STATUS_LABELS = {
    "pass": _("符合"),
    "fail": _("不符合"),
    "not_applicable": _("不適用"),
}


def display_results(results: dict | None) -> dict | None:
    """The results JSON with a label on each check."""
    if not results:
        return None
    checks = [
        {
            **check,
            "label": CHECK_LABELS.get(check["id"], check["id"]),
            "status_label": STATUS_LABELS.get(check["status"], check["status"]),
        }
        for check in results["checks"]
    ]
    return {**results, "checks": checks}


# What an incomplete calculation is missing, in the applicant's words.
FIELD_LABELS = [
    ("plan.crediting_period", _("二、專案計入期")),
    ("plan.type", _("專案型態")),
    ("calculation.emission_factor", _("電力排碳係數")),
    ("calculation.line_loss", _("線路損失率")),
    ("calculation.baseline.groups", _("基線設備群組")),
    ("calculation.project.groups", _("專案設備群組")),
    ("calculation.baseline.refrigerant", _("基線冷媒")),
    ("calculation.project.refrigerant", _("專案冷媒")),
    ("calculation.service_level", _("服務水平")),
    ("calculation.leakage_tco2e", _("洩漏量")),
]
MESSAGES = {
    "required": _("尚未填寫"),
    "must not be empty": _("至少需要一組"),
}


def describe_error(error) -> str:
    """`calculation.line_loss: required` → 線路損失率：尚未填寫"""
    label = next(
        (label for prefix, label in FIELD_LABELS if error.path.startswith(prefix)), error.path
    )
    return f"{label}：{MESSAGES.get(error.message, error.message)}"

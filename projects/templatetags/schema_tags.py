"""Labels of document paths for templates (the version comparison and history)."""

from django import template

from projects.schema import label_for_path

register = template.Library()


@register.filter
def path_label(path: str) -> str:
    """`plan.calculation_notes.project_scenario` → 專案情境說明"""
    return label_for_path(str(path))

"""A form field as a Bootstrap block, built in Python.

Crispy's `as_crispy_field` renders several templates per field; section 四 at the
interchange limits shows 400 equipment groups of 8 fields each, so its group
cards use `field_block` instead, which writes the same markup directly.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def field_block(bound):
    """Label, input (marked invalid when it has errors), errors and help text."""
    widget_id = escape(bound.auto_id)
    errors = bound.errors
    attrs = {}
    if errors:
        css = bound.field.widget.attrs.get("class", "form-control")
        attrs = {"class": f"{css} is-invalid", "aria-describedby": f"{bound.auto_id}_error"}
    required = bound.field.required
    parts = [
        f'<div id="div_{widget_id}" class="mb-3">',
        f'<label for="{escape(bound.id_for_label)}" class="form-label',
        ' requiredField">' if required else '">',
        escape(str(bound.label)),
        '<span class="asteriskField">*</span>' if required else "",
        "</label>",
        bound.as_widget(attrs=attrs),
    ]
    if errors:
        parts.append(f'<div id="{widget_id}_error" class="invalid-feedback">')
        parts.extend(
            f'<p id="error_{number}_{widget_id}"><strong>{escape(error)}</strong></p>'
            for number, error in enumerate(errors, 1)
        )
        parts.append("</div>")
    if bound.help_text:
        parts.append(
            f'<div id="{widget_id}_helptext" class="form-text">{escape(str(bound.help_text))}</div>'
        )
    parts.append("</div>")
    return mark_safe("".join(parts))

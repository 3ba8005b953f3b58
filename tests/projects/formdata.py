"""Build the POST data a browser would send for a page's forms as rendered."""

from django import forms


def field_items(bound_field):
    widget = bound_field.field.widget
    value = bound_field.value()
    if isinstance(widget, forms.CheckboxInput):
        return [(bound_field.html_name, "on")] if value else []
    if value is None:
        return [(bound_field.html_name, "")]
    return [(bound_field.html_name, widget.format_value(value) or "")]


def form_items(form):
    items = []
    for bound_field in form:
        items.extend(field_items(bound_field))
    return items


def editor_data(editor) -> dict:
    """The data of every form and formset of a section editor, unchanged, with
    the plan revision the page was read at."""
    items = [("revision", str(editor.revision))]
    for part in editor.all_forms():
        if isinstance(part, forms.BaseFormSet):
            items.extend(form_items(part.management_form))
            for form in part.forms:
                items.extend(form_items(form))
        else:
            items.extend(form_items(part))
    return dict(items)

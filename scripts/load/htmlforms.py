"""What a browser would send for a form on a page: the successful controls of one
<form>, read with the standard library's HTML parser (no browser in the load
test); and the edit a load user makes before saving a section.

Rules followed (HTML's form submission): controls inside <template> are inert and
not sent; disabled controls (or those in a disabled <fieldset>) are not sent; a
checkbox or radio is sent only when checked, with "on" for no value; a <select>
sends its selected options, or its first option when none is marked; a <textarea>
drops the one newline that follows its start tag; buttons and file inputs are
not sent (the section pages' submit button has no name)."""

import random
import re
from html.parser import HTMLParser

NOT_SENT = {"submit", "button", "reset", "image", "file"}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The text a load user's save changes on each section page (a mark at its end);
# 一 (basic) is saved as read.
EDITED_TEXT = {
    "activity": "plan-crediting_note",
    "applicability": "plan-additionality_central_note",
    "calculation": "plan-baseline_scenario",
    "environment": "plan-environment_summary",
}
SAVE_MARK = re.compile(r"\s*\[load \d+\]$")


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.done = False
        self.template_depth = 0
        self.disabled_fieldsets = 0
        self.fieldset_stack: list[bool] = []
        self.fields: list[tuple[str, str]] = []
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None

    def _skipping(self, attributes: dict) -> bool:
        return self.template_depth > 0 or self.disabled_fieldsets > 0 or "disabled" in attributes

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "template":
            self.template_depth += 1
            return
        if tag == "form" and not self.done and not self.in_form:
            self.in_form = self.form_id is None or attributes.get("id") == self.form_id
            return
        if not self.in_form:
            return
        if tag == "fieldset":
            disabled = "disabled" in attributes
            self.fieldset_stack.append(disabled)
            self.disabled_fieldsets += disabled
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            name = attributes.get("name")
            if not name or kind in NOT_SENT or self._skipping(attributes):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value") or "on"))
            else:
                self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select":
            name = attributes.get("name")
            if name and not self._skipping(attributes):
                self.select = {"name": name, "options": [], "multiple": "multiple" in attributes}
        elif tag == "option" and self.select is not None:
            self.option = {
                "value": attributes.get("value"),
                "text": "",
                "selected": "selected" in attributes,
            }
            self.select["options"].append(self.option)
        elif tag == "textarea":
            name = attributes.get("name")
            if name and not self._skipping(attributes):
                self.textarea = {"name": name, "text": ""}

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth = max(0, self.template_depth - 1)
            return
        if not self.in_form:
            return
        if tag == "form":
            self.in_form, self.done = False, True
        elif tag == "fieldset" and self.fieldset_stack:
            self.disabled_fieldsets -= self.fieldset_stack.pop()
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            options = self.select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self.select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self.fields.append((self.select["name"], value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea["text"]
            self.fields.append((self.textarea["name"], text[1:] if text[:1] == "\n" else text))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["text"] += data
        elif self.option is not None:
            self.option["text"] += data


def form_fields(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs the form `form_id` (else the first form) would send."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    return reader.fields


def csrf_token(html: str) -> str | None:
    """The CSRF token of the first form on the page."""
    found = CSRF.search(html)
    return found.group(1) if found else None


def edited(fields: list[tuple[str, str]], slug: str) -> list[tuple[str, str]]:
    """`fields` of section `slug` with its text ending in a new mark, as typed."""
    name = EDITED_TEXT.get(slug)
    mark = f" [load {random.randint(1, 999)}]"
    return [
        (key, SAVE_MARK.sub("", value) + mark if key == name else value) for key, value in fields
    ]

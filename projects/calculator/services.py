"""The public calculator: section 四's own forms and preview on a scratch plan.

Nothing is ever stored: each page and each preview builds a scratch plan (from
one of the demo plans) inside a transaction that is rolled back, runs the plan
pages' own editor (projects.sections.CalculationEditor) and preview
(services.preview_on) on it, and renders before the rollback. The rows the page
sends are all new rows of that scratch plan: their ids (of a scratch plan that
no longer exists) are dropped.

What a visitor entered is kept in their session, so that after signing in the
figures become section 四 of a real plan (`calculator_apply`)."""

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from projects.models import Organisation, Plan
from projects.sections import CalculationEditor
from projects.services import (
    plan_calculate,
    plan_import,
    plan_section_save,
    preview_on,
    rolled_back,
)

DEMO = Path(__file__).resolve().parent.parent / "demo"


@dataclass(frozen=True)
class Example:
    key: str
    label: str
    file: str


EXAMPLES = {
    example.key: example
    for example in (
        Example("lighting", _("照明：T5 燈管換裝 LED"), "lighting-subproject.json"),
        Example("chiller", _("冰水主機：定頻換裝變頻"), "chiller-individual.json"),
    )
}
DEFAULT_EXAMPLE = "lighting"
SESSION_KEY = "calculator"
# As many fields as any public form may send (config.middleware.SmallFormsMiddleware):
# the calculator is for trying figures; a plan of hundreds of groups is written signed in.
MAX_FIELDS = 1_000
# Row ids of the formsets (`baseline-groups-0-id`, `-plan`) and their initial counts.
_ROW_ID = re.compile(r"^[\w-]+-\d+-(id|plan)$")  # a row's id and its plan's
_INITIAL = re.compile(r"^[\w-]+-INITIAL_FORMS$")
# What the calculator sends that is not section 四's (the CSRF token, the example).
_NOT_SECTION = {"csrfmiddlewaretoken", "example", "revision"}


def example_key(value) -> str:
    return value if value in EXAMPLES else DEFAULT_EXAMPLE


def _example_document(key: str) -> dict:
    """The demo plan with what a scratch plan needs: no attachments, no figures, and
    not tied to a programme (the calculation is all the calculator shows)."""
    document = json.loads((DEMO / EXAMPLES[key].file).read_text(encoding="utf-8"))
    document.pop("attachments", None)
    document.pop("figures", None)
    document["plan"].pop("programme", None)
    document["plan"]["type"] = Plan.Type.INDIVIDUAL
    document["plan"].pop("sub_project_conditions", None)
    return document


def _scratch_plan(key: str, *, with_calculation: bool) -> Plan:
    """A plan of the example inside the caller's transaction (rolled back): with the
    example's section 四 for the first page, without it for a preview (the page's
    rows replace it)."""
    organisation = Organisation.objects.create(name=f"calculator-{uuid.uuid4()}")
    plan = plan_import(document=_example_document(key), organisation=organisation)
    if not with_calculation:
        plan.groups.all().delete()
        plan.refrigerants.all().delete()
        plan.service_pairs.all().delete()
        plan.parameter_notes.all().delete()
    return plan


def as_new_rows(data) -> QueryDict:
    """The posted section 四 with every row a new one: ids dropped, no initial rows."""
    fresh = QueryDict(mutable=True)
    for name, values in data.lists():
        if name in _NOT_SECTION:
            continue
        if _ROW_ID.match(name):
            values = [""]
        elif _INITIAL.match(name):
            values = ["0"]
        fresh.setlist(name, values)
    return fresh


def calculator_page(key: str, render) -> str:
    """The example's section 四 as the plan page shows it: `render(context)` is
    called inside the scratch transaction (the forms read their rows as they render)."""

    def work() -> dict:
        plan = _scratch_plan(key, with_calculation=True)
        editor = CalculationEditor(plan)
        plan.results = plan_calculate(plan).to_json()
        return {"html": render({"plan": plan, "editor": editor})}

    return rolled_back(work)["html"]


def calculator_preview(key: str, data, render) -> str:
    """The preview panel for the posted section 四, on a scratch plan of the example."""

    def work() -> dict:
        plan = _scratch_plan(key, with_calculation=False)
        found = preview_on(plan, CalculationEditor, as_new_rows(data), None)
        return {"html": render(plan, found["editor"], found.get("preview"))}

    return rolled_back(work)["html"]


def calculator_keep(session, key: str, data) -> bool:
    """Keep the posted figures in the session for a plan made after signing in;
    False (nothing kept) if there are more fields than a calculator page sends."""
    fields = as_new_rows(data)
    if sum(len(values) for values in fields.lists()) > MAX_FIELDS:
        return False
    session[SESSION_KEY] = {"example": key, "data": dict(fields.lists())}
    return True


def calculator_kept(session) -> dict | None:
    return session.get(SESSION_KEY)


def calculator_apply(*, session, plan: Plan, user) -> bool:
    """Section 四 of a newly created plan from the figures kept in the session (once):
    saved as the plan page saves it, so every rule of the page holds. False when
    nothing was kept or the kept figures do not pass the page's checks."""
    kept = session.pop(SESSION_KEY, None)
    if not kept:
        return False
    data = QueryDict(mutable=True)
    for name, values in kept["data"].items():
        data.setlist(name, [str(value) for value in values])
    data["revision"] = str(plan.revision)
    editor = plan_section_save(
        plan=plan, editor_class=CalculationEditor, data=data, files=None, user=user
    )
    return bool(editor.saved)

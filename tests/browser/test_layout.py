"""Every main page on a 390 px phone, as the applicant and as the reviewer: no
page is wider than the screen, and the zh-Hant text holds no English sentence.

`demo_walk()` builds the state the walk needs from the demo data (also used by
scripts/screenshots.py): the lighting sub-project with an attachment, an open
survey, submitted once, sent back with a comment and
changed since, so that the queue, the comparison and the history have rows."""

import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from projects import survey, survey_template
from projects.interchange import plan_document
from projects.management.commands.load_demo import DEMO_PASSWORD
from projects.models import Plan
from projects.services import attachment_add, comment_add, record_changes
from projects.workflow import plan_transition
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SECTIONS = ("basic", "applicability", "activity", "calculation", "environment")
# Names and units that stay in English inside the Chinese text.
ALLOWED_ENGLISH = (
    "AMS-II.C",
    "CDM",
    "CO2e",
    "tCO2e",
    "kWh",
    "MWh",
    "GWh",
    "kW",
    "RT",
    "GWP",
    "ODP",
    "TWD97/TM2",
    "JSON",
    "PDF",
    "ZIP",
    "GHG",
    "LED",
    "English",
)
# A word may hold "_" (refrigerant_odp, Q_ref).
# "," and "/" end a run (EFCO2,ELEC,y; file names), and so does a line break.
ENGLISH_RUN = re.compile(r"[A-Za-z][\w'’]*(?:[ \t\-.:;()\[\]\"“”]+[A-Za-z][\w'’]*){2,}", re.ASCII)
URL = re.compile(r"https?://\S+")
# Code-like text: credit serials (TW-B0000001-VER-20221231-…) and a browser's user
# agent (the sessions page).
CODE_LIKE = re.compile(r"\bTW-[A-Z0-9-]+|Mozilla/\d\S* \(.*")


def demo_walk() -> dict[str, dict[str, str]]:
    """Load the demo data and take the lighting plan through one review round;
    return the paths of the pages each demo user walks, by name."""
    call_command("load_demo", stdout=StringIO())
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    applicant, reviewer = users.get(username="applicant"), users.get(username="reviewer")
    plan = Plan.objects.get(programme__isnull=False)
    attachment_add(
        plan=plan,
        label="附件1",
        description="燈具汰換前後照片與採購發票影本（共 12 頁）",
        file=SimpleUploadedFile(
            "lighting_replacement_photos_and_invoices_2024_first_phase.pdf",
            b"%PDF-1.4\n%%EOF\n",
            "application/pdf",
        ),
    )
    survey_template.apply_template(plan)
    plan.stakeholder_tiers.update(copies_sent=30)
    chiller = Plan.objects.get(programme__isnull=True)
    for each in (plan, chiller):
        with transaction.atomic():
            survey.set_survey_open(Plan.objects.select_for_update().get(pk=each.pk), True)
    plan_transition(plan=plan, user=applicant, name="submit")
    plan_transition(plan=plan, user=reviewer, name="start_review")
    comment_add(
        plan=plan,
        user=reviewer,
        section="calculation",
        field="年運轉時數",
        text="請附上教室燈具年運轉時數的排課紀錄。",
    )
    plan_transition(
        plan=plan, user=reviewer, name="request_changes", comment="請補充運轉時數佐證後再送審。"
    )
    plan.refresh_from_db()  # sent back: editable, and the survey takes answers again
    tier = plan.stakeholder_tiers.exclude(link=None).first()
    before = plan_document(plan)
    Plan.objects.filter(pk=plan.pk).update(
        baseline_scenario=plan.baseline_scenario + "（依排課紀錄修正）"
    )
    plan.refresh_from_db()
    record_changes(plan=plan, user=applicant, before=before, after=plan_document(plan))
    base = f"/plans/{plan.pk}"
    lighting = {
        "plan-list": "/",
        "plan": f"{base}/",
        **{f"section-{slug}": f"{base}/sections/{slug}/" for slug in SECTIONS},
        "attachments": f"{base}/attachments/",
        "survey": f"{base}/survey/",
        "history": f"{base}/history/",
        "compare": f"{base}/compare/?a=1&b=draft",
        "programme-list": "/programmes/",
        "programme": f"/programmes/{plan.programme_id}/",
        "public-survey": f"/s/{tier.link.token}/",
    }
    # The chiller plan has the widest calculation page (chiller-shaped groups).
    base = f"/plans/{chiller.pk}"
    return {
        "applicant": {
            **lighting,
            "plan-create": "/plans/new/",
            "plan-import": "/plans/import/",
            "plan-replace": f"/plans/{plan.pk}/replace/",
        },
        "reviewer": {**lighting, "review-queue": "/review/"},
        "carrefour": {
            "plan": f"{base}/",
            **{f"section-{slug}": f"{base}/sections/{slug}/" for slug in SECTIONS},
            "attachments": f"{base}/attachments/",
            "survey": f"{base}/survey/",
        },
    }


def english_runs(text: str) -> list[str]:
    """Runs of three or more English words that are not an allowed name or unit."""
    text = CODE_LIKE.sub(" ", URL.sub(" ", text))
    for word in sorted(ALLOWED_ENGLISH, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", "｜", text)
    return [match.group(0) for match in ENGLISH_RUN.finditer(text)]


def test_english_runs_finds_sentences_but_not_names_or_units():
    assert english_runs("檢核：within 90–150 % of the table") == ["of the table"]
    assert english_runs('電力排碳係數：needs "value" or "year"') == ['needs "value" or "year']
    assert english_runs("Q_ref (t)，refrigerant_odp，attachments/photos.pdf，EFCO2,ELEC,y") == []
    assert english_runs("IPCC AR4\nIPCC AR5\nIPCC AR6") == []
    assert english_runs("needs value or year") == ["needs value or year"]
    assert english_runs("plan.calculation_notes.project_scenario") != []
    assert english_runs("依 AMS-II.C 計算 461 tCO2e，PDF JSON kWh") == []
    assert english_runs("連結 http://localhost:8000/s/abc-def-ghi/ 可填答") == []
    assert english_runs("序號 TW-B0000001-VER-20221231-000000001-000000440，共 440") == []
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126"
    assert english_runs(f"瀏覽器\n{ua}\n5 分鐘前") == []


@pytest.mark.parametrize("username", ["applicant", "reviewer", "carrefour"])
def test_every_main_page_fits_a_phone_and_speaks_chinese(
    browser, live_server, reference_data, settings, tmp_path, username
):
    settings.MEDIA_ROOT = tmp_path
    paths = demo_walk()[username]
    context, page = phone_page(browser, live_server, username)
    try:
        refused, too_wide, english = walk(page, paths, "zh-hant")
        # The collapsed menu opens and shows where to go.
        page.goto(live_server.url + "/")
        menu = page.locator("#site-menu")
        assert not menu.is_visible()
        page.click(".navbar-toggler")
        page.wait_for_selector("#site-menu.show")
        assert page.locator("#site-menu a:has-text('方案型抵換專案')").is_visible()
        assert page.locator("#site-menu button[value='en']").inner_text() == "English"
    finally:
        context.close()
    assert not (refused or too_wide or english), (
        f"as {username}: refused {refused}; wider than {PHONE['width']} px {too_wide}; "
        f"English in the zh-Hant text {english}"
    )


def phone_page(browser, live_server, username: str | None):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-TW", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    if username:
        sign_in(page, username, DEMO_PASSWORD)
    return context, page


def walk(page, paths: dict, language: str) -> tuple[dict, dict, dict]:
    """Open each page; return those refused, those wider than the phone (with
    what sticks out) and, in zh-Hant, the English runs in their text."""
    refused, too_wide, english = {}, {}, {}
    for name, path in paths.items():
        reply = page.goto(page.base_url + path)
        if reply.status >= 400:
            refused[name] = reply.status
            continue
        assert page.evaluate("document.documentElement.lang") == language, name
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = (width, widest(page, PHONE["width"]))
        runs = english_runs(page.inner_text("body")) if language == "zh-hant" else []
        if runs:
            english[name] = runs
    return refused, too_wide, english


def test_the_english_interface_fits_a_phone_too(
    browser, live_server, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    paths = demo_walk()["reviewer"]
    context, page = phone_page(browser, live_server, "reviewer")
    try:
        page.click(".navbar-toggler")
        page.click("#site-menu button[value='en']")
        page.wait_for_selector("html[lang='en']")
        refused, too_wide, _ = walk(page, paths, "en")
        page.click(".navbar-toggler")
        switch = page.locator("#site-menu button[name='language']").inner_text()
    finally:
        context.close()
    assert switch == "繁體中文"
    assert not (refused or too_wide), (
        f"refused {refused}; wider than {PHONE['width']} px {too_wide}"
    )


def widest(page, width: int) -> list[str]:
    """The elements that stick out of the viewport furthest, to say what to fix:
    outside scroll boxes, or positioned (absolute, fixed) anywhere."""
    return page.evaluate(
        """(width) => {
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          const positioned = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
          if (r.right > width + 0.5
              && (positioned || !el.closest('.table-responsive, .survey-chart'))) {
            out.push([Math.round(r.right), el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
              + (el.className && typeof el.className === 'string'
                 ? '.' + el.className.trim().split(/\\s+/).join('.') : '')]);
          }
        }
        out.sort((a, b) => b[0] - a[0]);
        return out.slice(0, 5).map(([w, s]) => w + ' ' + s);
      }""",
        width,
    )


DESKTOP = {"width": 1280, "height": 900}
# Every body cell of a table stands under its header cell; a cell holding a
# figure, shown or typed, is right-aligned in tabular digits (a version, "2.2",
# is a name, not a figure). Returns what is wrong.
MISALIGNED_CELLS = """() => {
  const wrong = [];
  const figure = /^[\\d,.\\s%—–-]+(tCO2e|kWh|度|年)?$/;
  document.querySelectorAll('main table').forEach((table, t) => {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    const lefts = Array.from(head.cells, (c) => Math.round(c.getBoundingClientRect().left));
    const names = Array.from(head.cells, (c) => c.innerText.trim() === '版本');
    Array.from(table.tBodies).forEach((body) => Array.from(body.rows).forEach((row) => {
      if (row.cells.length !== lefts.length) return;  // a colspan row
      Array.from(row.cells).forEach((cell, i) => {
        const text = cell.innerText.trim();
        const left = Math.round(cell.getBoundingClientRect().left);
        if (Math.abs(left - lefts[i]) > 1) wrong.push(`table ${t} column ${i}: "${text}" not under its header`);
        if (names[i] || cell.querySelector('input, select, a')) return;
        if (/\\d/.test(text) && figure.test(text)) {
          const style = getComputedStyle(cell);
          if (style.textAlign !== 'right' || !style.fontVariantNumeric.includes('tabular-nums'))
            wrong.push(`table ${t} column ${i}: "${text}" not right-aligned tabular figures`);
        }
      });
    }));
  });
  document.querySelectorAll('main table input[inputmode]').forEach((input) => {
    const style = getComputedStyle(input);
    if (style.textAlign !== 'right' || !style.fontVariantNumeric.includes('tabular-nums'))
      wrong.push(`${input.name}: a figure typed in a table not right-aligned tabular digits`);
  });
  return wrong;
}"""


def test_figures_stand_under_their_headers_right_aligned(
    browser, live_server, reference_data, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    paths = demo_walk()["reviewer"]
    context = browser.new_context(viewport=DESKTOP, locale="zh-TW")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    sign_in(page, "reviewer", DEMO_PASSWORD)
    wrong, cells = {}, 0
    try:
        pages = ("plan-list", "review-queue", "survey", "programme-list", "programme", "plan")
        for name in (*pages, "section-calculation"):
            page.goto(live_server.url + paths[name])
            cells += page.locator("main td.num, main table input[inputmode]").count()
            found = page.evaluate(MISALIGNED_CELLS)
            if found:
                wrong[name] = found
    finally:
        context.close()
    assert cells > 10  # the walk met tables of figures
    assert not wrong, wrong


def registry_walk() -> dict[str | None, dict[str, str]]:
    """Load the demo with its registry cycle; return the pages added with the
    registry, monitoring, verification, accounts, tokens and the calculator, by
    who walks them (None: no one signed in)."""
    call_command("load_demo", registry=True, stdout=StringIO())
    from django.contrib.auth import get_user_model

    from projects.monitoring.models import MonitoringReport

    users = get_user_model().objects
    report = MonitoringReport.objects.get()
    plan, report = report.plan, f"/monitoring/{report.pk}"

    def organisation(username):
        return users.get(username=username).organisations.get()

    carrefour = organisation("carrefour")
    return {
        None: {
            "registry": "/registry/",
            "registry-plan": f"/registry/{plan.pk}/",
            "retirements": "/registry/retirements/",
            "calculator": "/calculator/",
            "sign-up": "/accounts/signup/",
        },
        "carrefour": {
            "accounts": "/registry/accounts/",
            "account": f"/registry/accounts/{carrefour.pk}/",
            "monitoring-new": f"/plans/{plan.pk}/monitoring/new/",
            "monitoring": f"{report}/",
            "monitoring-edit": f"{report}/edit/",
            "monitoring-attachments": f"{report}/attachments/",
            "monitoring-review": f"{report}/review/",
            "monitoring-compare": f"{report}/compare/",
            "monitoring-history": f"{report}/history/",
            "organisations": "/organisations/",
            "organisation": f"/organisations/{carrefour.pk}/",
            "organisation-new": "/organisations/new/",
            "organisation-join": "/organisations/join/",
            "tokens": "/account/tokens/",
            "email": "/accounts/email/",
            "two-factor": "/accounts/2fa/",
            "sessions": "/accounts/sessions/",
        },
        "verifier": {
            "monitoring-queue": "/monitoring/queue/",
            "account": f"/registry/accounts/{organisation('verifier').pk}/",
        },
        "hsinchu": {
            "monitoring-queue": "/monitoring/queue/",
            "monitoring-review": f"{report}/review/",
        },
        "admin": {
            "site-admin": "/site-admin/",
            "site-admin-user": f"/site-admin/users/{users.get(username='carrefour').pk}/",
            "exports": f"/programmes/{Plan.objects.exclude(programme=None).get().programme_id}/exports/",
        },
    }


# A serial's pieces between hyphens, each on one line: the widest piece fits its box.
BROKEN_SERIALS = """() => [...document.querySelectorAll('code[data-role="serial"], td > code')]
  .filter((code) => {
    const probe = document.createElement('code');
    probe.className = code.className;
    probe.classList.remove('d-block');
    probe.textContent = code.textContent.split('-').reduce((a, b) => (b.length > a.length ? b : a)) + '-';
    probe.setAttribute('aria-hidden', 'true');
    probe.style.whiteSpace = 'nowrap';
    probe.style.position = 'absolute';
    code.parentElement.append(probe);
    const wide = probe.getBoundingClientRect().width;
    probe.remove();
    return code.getBoundingClientRect().width + 0.5 < wide;
  }).map((code) => code.textContent)"""


@pytest.mark.parametrize("username", [None, "carrefour", "verifier"])
def test_the_registry_account_and_monitoring_pages_fit_a_phone_and_speak_chinese(
    browser, live_server, reference_data, settings, tmp_path, username
):
    settings.MEDIA_ROOT = tmp_path
    paths = registry_walk()[username]
    context, page = phone_page(browser, live_server, username)
    broken = {}
    try:
        refused, too_wide, english = walk(page, paths, "zh-hant")
        for name, path in paths.items():
            if name.startswith("account"):
                page.goto(page.base_url + path)
                broken[name] = page.evaluate(BROKEN_SERIALS)
    finally:
        context.close()
    assert not (refused or too_wide or english), (
        f"as {username}: refused {refused}; wider than {PHONE['width']} px {too_wide}; "
        f"English in the zh-Hant text {english}"
    )
    assert not any(broken.values()), f"serials broken inside a number: {broken}"


def test_the_api_docs_fit_a_phone(browser, live_server, reference_data):
    # Swagger UI's own styles let a long line of the API's description widen the page.
    context, page = phone_page(browser, live_server, None)
    try:
        page.goto(page.base_url + "/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .renderedMarkdown")
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        context.close()
    assert width <= PHONE["width"]

"""Changing a monitoring report's period from its page (entry.report_set_period): the
period rules at the dates, a stale page refused, and what was measured following the new
period: months of the grids outside it are named and deleted only once confirmed, hours
above the new period's are refused, the grid offers the new period's months and the
figures are computed again."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.interchange import decimal_text
from projects.monitoring import entry, verification
from projects.monitoring.editor import ReportEditor
from projects.monitoring.models import MonitoringEvent, MonitoringGroupPeriod, MonitoringReport
from tests.projects.monitoring_helpers import MONTHLY_KWH, measure, registered_chiller

pytestmark = pytest.mark.django_db

D = date


@pytest.fixture
def people(demo_document):
    """The chiller plan registered on 2021-01-01: crediting period 2021-01-01 – 2030-12-31."""
    return registered_chiller(demo_document("chiller-individual.json"))


@pytest.fixture
def report(people):
    return entry.report_start(
        people.plan, by=people.editor, period_start=D(2022, 1, 1), period_end=D(2022, 12, 31)
    )


def fresh(report) -> MonitoringReport:
    return MonitoringReport.objects.get(pk=report.pk)


def months(report, order=0) -> list[str]:
    group = report.groups.get(side="project", order=order)
    return list(group.periods.order_by("month").values_list("month", flat=True))


def grid(report, order=0) -> list[tuple]:
    """The (month, kWh) rows the editor shows for a project chiller."""
    form = ReportEditor(fresh(report)).formsets["project_groups"].forms[order]
    return [
        (form.initial.get(f"month_{i}") or "", decimal_text(form.initial.get(f"energy_{i}") or 0))
        for i in range(form.rows)
    ]


def change(people, report, start, end, **kwargs):
    return entry.report_set_period(
        fresh(report), by=people.editor, period_start=start, period_end=end, **kwargs
    )


def refused_at(error: ValidationError) -> dict[str, str]:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


# -- the service -------------------------------------------------------------------------


def test_a_longer_period_keeps_the_months_and_the_grid_offers_the_new_ones(people):
    report = entry.report_start(
        people.plan, by=people.editor, period_start=D(2022, 7, 1), period_end=D(2022, 12, 31)
    )
    report = measure(people, report)
    assert months(report) == [f"2022-{m:02d}" for m in range(7, 13)]
    assert report.results["ex_ante_tco2e"] == "232"  # 461 × 184/365, down

    changed = change(people, report, D(2022, 1, 1), D(2022, 12, 31), revision=report.revision)

    assert changed.changed and changed.dropped == ""
    report = fresh(report)
    assert (report.period_start, report.period_end, report.emission_factor_year) == (
        D(2022, 1, 1),
        D(2022, 12, 31),
        2022,
    )
    assert months(report) == [f"2022-{m:02d}" for m in range(7, 13)]
    # The grid shows every month of the new period, the saved ones with their readings.
    assert grid(report) == [(f"2022-{m:02d}", "0") for m in range(1, 7)] + [
        (f"2022-{m:02d}", MONTHLY_KWH) for m in range(7, 13)
    ]
    # The figures follow: the plan's estimate is now the whole year's.
    assert report.results["ex_ante_tco2e"] == "461"
    event = report.events.filter(kind=MonitoringEvent.Kind.CHANGE).last()
    assert (
        event.message
        == "監測期間由 111年7月1日 至 111年12月31日 改為 111年1月1日 至 111年12月31日。"
    )
    assert {"path": "monitoring.period.start", "before": "2022-07-01", "after": "2022-01-01"} in (
        event.changes
    )


def test_months_outside_the_new_period_are_refused_by_name_and_nothing_changes(people, report):
    report = measure(people, report)

    with pytest.raises(entry.MonthsOutsidePeriod) as refused:
        change(people, report, D(2022, 3, 1), D(2022, 10, 31), revision=report.revision)

    said = refused_at(refused.value)
    assert "「Trane 變頻螺旋式冰水主機 200RT (n1)」2022-01、2022-02；" in said["period_start"]
    assert "(n2)」2022-01、2022-02" in said["period_start"]
    assert "在新的監測期間開始之前" in said["period_start"]
    assert "(n1)」2022-11、2022-12" in said["period_end"]
    assert "在新的監測期間結束之後" in said["period_end"]
    after = fresh(report)
    assert (after.period_start, after.revision) == (D(2022, 1, 1), report.revision)
    assert len(months(after)) == 12


def test_confirmed_the_months_outside_are_deleted_and_the_history_names_them(people, report):
    report = measure(people, report)
    whole_year = report.results["reduction_tco2e"]

    changed = change(
        people, report, D(2022, 3, 1), D(2022, 10, 31), revision=report.revision, drop_months=True
    )

    report = fresh(report)
    assert months(report, 0) == months(report, 1) == [f"2022-{m:02d}" for m in range(3, 11)]
    assert not MonitoringGroupPeriod.objects.filter(
        group__report=report, month__in=["2022-01", "2022-02", "2022-11", "2022-12"]
    ).exists()
    assert "(n1)」2022-01、2022-02、2022-11、2022-12" in changed.dropped
    # The calculation runs on the months left; nothing outside the period breaks it.
    assert report.results is not None
    assert report.results["reduction_tco2e"] != whole_year
    event = report.events.filter(kind=MonitoringEvent.Kind.CHANGE).last()
    assert "刪除監測期間外的逐月資料：「Trane 變頻螺旋式冰水主機 200RT (n1)」2022-01" in (
        event.message
    )
    paths = {item["path"] for item in event.changes}
    assert "monitoring.project.groups[0].periods[11].energy_kwh" in paths


def test_hours_above_the_new_periods_hours_are_refused_naming_the_group(people, report):
    report = measure(people, report, baseline_hours="4000")

    # January and February: 59 days, 1,416 hours at most.
    with pytest.raises(ValidationError) as refused:
        change(
            people,
            report,
            D(2022, 1, 1),
            D(2022, 2, 28),
            revision=report.revision,
            drop_months=True,
        )

    said = refused_at(refused.value)
    assert "最多 1,416 小時（24 × 59 日）" in said["period_end"]
    assert "「日立螺旋式冰水主機 200RT (定頻)」4,000 小時" in said["period_end"]
    assert fresh(report).period_end == D(2022, 12, 31)
    assert len(months(fresh(report))) == 12


def test_a_new_year_takes_its_emission_factor_year(people, report):
    change(people, report, D(2023, 1, 1), D(2023, 6, 30))
    assert fresh(report).emission_factor_year == 2023


def test_the_same_period_again_changes_nothing(people, report):
    before = fresh(report)
    outcome = change(people, report, D(2022, 1, 1), D(2022, 12, 31), revision=before.revision)
    assert not outcome.changed
    assert fresh(report).revision == before.revision
    assert not report.events.filter(kind=MonitoringEvent.Kind.CHANGE).exists()


def test_a_page_read_before_another_save_is_refused(people, report):
    read_at = fresh(report).revision
    measure(people, report)
    with pytest.raises(verification.StaleReport):
        change(people, report, D(2022, 1, 1), D(2022, 12, 30), revision=read_at)
    assert fresh(report).period_end == D(2022, 12, 31)


@pytest.mark.parametrize("who", ["viewer", "reviewer", "outsider"])
def test_only_the_applicants_editors_change_the_period(people, report, who):
    with pytest.raises(entry.ReportNotEditable):
        entry.report_set_period(
            fresh(report),
            by=getattr(people, who),
            period_start=D(2022, 1, 1),
            period_end=D(2022, 6, 30),
        )
    assert fresh(report).period_end == D(2022, 12, 31)


def test_a_submitted_report_keeps_its_period(people, report):
    measure(people, report)
    entry.report_submit(fresh(report), by=people.editor, verification_body=people.body)
    with pytest.raises(entry.ReportNotEditable, match="已送查證"):
        change(people, report, D(2022, 1, 1), D(2022, 6, 30))


# -- the page ------------------------------------------------------------------------------


def detail(report) -> str:
    return reverse("projects:monitoring_report", args=[report.pk])


def period_url(report) -> str:
    return reverse("projects:monitoring_period", args=[report.pk])


def test_an_editor_changes_the_period_on_the_reports_page_in_roc_dates(client, people, report):
    client.force_login(people.editor)
    page = client.get(detail(report)).text
    assert 'data-role="period-form"' in page
    assert 'value="111/01/01"' in page and 'value="111/12/31"' in page
    response = client.post(
        period_url(report),
        {"period_start": "111/04/01", "period_end": "2022-09-30", "revision": report.revision},
    )
    assert response.status_code == 302 and response.url == detail(report)
    page = client.get(detail(report)).text
    assert "已將監測期間改為 111年4月1日 至 111年9月30日" in page
    assert "運轉時數沒有隨期間調整" not in page  # none entered yet
    assert "111年4月1日 ~ 111年9月30日" in page
    assert "監測期間由 111年1月1日 至 111年12月31日 改為 111年4月1日 至 111年9月30日。" in page
    # The editor's grid follows: the new period's six months.
    editor_page = client.get(reverse("projects:monitoring_edit", args=[report.pk]))
    form = editor_page.context["editor"].formsets["project_groups"].forms[0]
    assert [form.initial.get(f"month_{i}") for i in range(6)] == [
        f"2022-{m:02d}" for m in range(4, 10)
    ]
    assert "監測期間最多 4,392 小時" in editor_page.text  # 183 days


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2020-07-01", "2020-12-31", "period_start", "須在註冊計入期"),
        ("2022-07-01", "2023-06-30", "period_end", "同一日曆年"),
        ("2023-03-01", "2023-08-31", "period_start", "與第 2 號監測報告書"),
        ("2022-13-01", "2022-12-31", "period_start", ""),
        ("2022-06-01", "", "period_end", ""),
    ],
    ids=["outside-crediting-period", "two-calendar-years", "overlapping", "no-date", "missing"],
)
def test_a_refused_period_is_said_at_its_field_and_what_was_typed_is_kept(
    client, people, report, start, end, field, message
):
    entry.report_start(
        people.plan, by=people.editor, period_start=D(2023, 1, 1), period_end=D(2023, 6, 30)
    )
    client.force_login(people.editor)
    response = client.post(
        period_url(report),
        {"period_start": start, "period_end": end, "revision": fresh(report).revision},
    )
    assert response.status_code == 400
    form = response.context["period_form"]
    assert form.errors[field]
    assert any(message in error for error in form.errors[field])
    assert f'value="{start}"' in response.text
    if end:
        assert f'value="{end}"' in response.text
    assert (fresh(report).period_start, fresh(report).period_end) == (
        D(2022, 1, 1),
        D(2022, 12, 31),
    )


def test_a_second_tab_is_refused_with_409_and_goes_through_once_seen(client, people, report):
    client.force_login(people.editor)
    read_at = fresh(report).revision  # both tabs show this revision
    first = client.post(
        period_url(report),
        {"period_start": "2022-01-01", "period_end": "2022-06-30", "revision": read_at},
    )
    assert first.status_code == 302
    second = client.post(
        period_url(report),
        {"period_start": "2022-01-01", "period_end": "2022-09-30", "revision": read_at},
    )
    assert second.status_code == 409
    assert "監測報告書已有變更" in second.text
    assert 'value="2022-09-30"' in second.text  # what was typed
    assert "111年1月1日 ~ 111年6月30日" in second.text  # what is saved now
    assert fresh(report).period_end == D(2022, 6, 30)
    # The page now carries the current revision: sent again, it goes through.
    assert f'name="revision" value="{fresh(report).revision}"' in second.text
    again = client.post(
        period_url(report),
        {
            "period_start": "2022-01-01",
            "period_end": "2022-09-30",
            "revision": fresh(report).revision,
        },
    )
    assert again.status_code == 302
    assert fresh(report).period_end == D(2022, 9, 30)


def test_months_outside_are_named_at_the_dates_and_deleted_once_confirmed(client, people, report):
    measure(people, report)
    client.force_login(people.editor)
    typed = {"period_start": "2022-01-01", "period_end": "2022-10-31"}
    refused = client.post(period_url(report), {**typed, "revision": fresh(report).revision})
    assert refused.status_code == 400
    assert "2022-11、2022-12" in " ".join(refused.context["period_form"].errors["period_end"])
    assert 'data-role="drop-months"' in refused.text
    assert 'value="2022-10-31"' in refused.text
    assert len(months(fresh(report))) == 12

    confirmed = client.post(
        period_url(report), {**typed, "drop_months": "on", "revision": fresh(report).revision}
    )
    assert confirmed.status_code == 302
    assert months(fresh(report)) == [f"2022-{m:02d}" for m in range(1, 11)]
    page = client.get(detail(report)).text
    assert "已刪除監測期間外的逐月資料" in page
    assert "運轉時數沒有隨期間調整" in page  # the baseline chillers' 4,000 hours


def test_the_confirmation_is_not_offered_before_months_are_named(client, people, report):
    client.force_login(people.editor)
    assert 'data-role="drop-months"' not in client.get(detail(report)).text


def test_a_submitted_report_has_no_period_form_and_its_editor_is_told_with_409(
    client, people, report
):
    measure(people, report)
    entry.report_submit(fresh(report), by=people.editor, verification_body=people.body)
    client.force_login(people.editor)
    assert 'data-role="period-form"' not in client.get(detail(report)).text
    response = client.post(
        period_url(report),
        {"period_start": "2022-01-01", "period_end": "2022-06-30", "revision": report.revision},
    )
    assert response.status_code == 409
    assert "無法變更" in response.text
    assert fresh(report).period_end == D(2022, 12, 31)


@pytest.mark.parametrize("who", ["viewer", "outsider", "reviewer", "verifier"])
def test_others_get_404_and_no_form(client, people, report, who):
    client.force_login(getattr(people, who))
    page = client.get(detail(report))
    assert page.status_code == 404 or 'data-role="period-form"' not in page.text
    response = client.post(
        period_url(report),
        {"period_start": "2022-01-01", "period_end": "2022-06-30", "revision": report.revision},
    )
    assert response.status_code == 404
    assert fresh(report).period_end == D(2022, 12, 31)

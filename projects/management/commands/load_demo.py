"""Demo data for a first look: both reference plans and one user per role. With
--registry (scripts/run.sh passes it), also the cycle after approval on the
chiller plan: registered, one monitoring report (2022, metered month by month)
verified and approved with its credits issued to 家福股份有限公司's account, one
transfer and one carbon-fee retirement. Without it both plans stay drafts to
edit (the tests that start from the demo data rely on that).

Safe to run again: existing users, organisations, plans and registry rows are
kept, and each step of the cycle is taken only if it has not been yet."""

import datetime
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from methodologies.engine import loads
from projects import workflow
from projects.credits import services as credits
from projects.credits.models import LedgerEntry
from projects.models import Membership, Organisation, Plan, PlanEvent
from projects.monitoring import entry, verification
from projects.monitoring.models import MonitoringGroupPeriod, MonitoringReport
from projects.registration.services import register_plan
from projects.services import plan_import

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_PASSWORD = "demo-offset-2026"
VERIFICATION_BODY = "台灣檢驗科技股份有限公司"
# username, full name, organisation, role (None: site administrator)
USERS = [
    ("applicant", "崑山科大 申請者", "財團法人崑山科技大學", Membership.Role.EDITOR),
    ("carrefour", "家福 申請者", "家福股份有限公司", Membership.Role.EDITOR),
    ("viewer", "崑山科大 唯讀", "財團法人崑山科技大學", Membership.Role.VIEWER),
    ("reviewer", "臺南市環保局 審查者", "臺南市政府環境保護局", Membership.Role.REVIEWER),
    ("hsinchu", "新竹縣環保局 審查者", "新竹縣政府環境保護局", Membership.Role.REVIEWER),
    ("verifier", "台灣檢驗科技 查證者", "台灣檢驗科技股份有限公司", Membership.Role.VERIFIER),
    ("admin", "系統管理者", None, None),
]
# Made-up 統一編號 (valid check digits) so that transfers can name the demo accounts.
TAX_IDS = {"家福股份有限公司": "10000015", "財團法人崑山科技大學": "10000036"}
CHILLER_TITLE = "汰換為高效率冰水主機"
# The chiller plan was approved and registered on 110/07/01 (民國), so that 2022's
# grid emission factor (published) applies to its first monitoring report.
REGISTERED_ON = datetime.date(2021, 7, 1)
# Metered kWh of each new chiller, January to December 2022; the old ones ran 4,000 h.
READINGS = [10500, 9800, 10200, 11000, 11800, 12500, 12900, 12800, 12100, 11200, 10300, 10400]
BASELINE_HOURS = Decimal(4000)
VERIFIED_REDUCTION = 440  # of the 449 tCO2e claimed
TRANSFERRED = 100  # to 崑山科大
RETIRED = 80  # for 家福's 2025 carbon fee: 96 t of its 1,000 t deducted
# The smallest well-formed PDF: the verification statement's stand-in.
STATEMENT_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "Load the two reference plans and demo users (password printed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--registry",
            action="store_true",
            help="Also register the chiller plan, approve a monitoring report with issued "
            "credits, and make one transfer and one retirement.",
        )

    def handle(self, *args, **options):
        # The review e-mails of the demo's own transitions go nowhere.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                self.load(registry=options["registry"])

    def load(self, *, registry: bool = False):
        for name in ("lighting-subproject.json", "chiller-individual.json"):
            document = loads((DEMO_DIR / name).read_text(encoding="utf-8"))
            title = document["plan"]["title"]
            if not Plan.objects.filter(title=title).exists():
                plan = plan_import(document=document, create_programmes=True)
                self.stdout.write(f"Imported {plan.title} (plan {plan.pk})")
        Organisation.objects.filter(name="臺南市政府環境保護局").update(
            kind=Organisation.Kind.AUTHORITY, city="臺南市"
        )
        # The chiller plan (新竹縣竹北市) is an individual plan reviewed by its county.
        hsinchu, created = Organisation.objects.get_or_create(
            name="新竹縣政府環境保護局",
            defaults={"kind": Organisation.Kind.AUTHORITY, "city": "新竹縣"},
        )
        Plan.objects.filter(type=Plan.Type.INDIVIDUAL, authority=None).update(authority=hsinchu)
        # A verification body (查驗機構) whose verifier checks monitoring reports.
        Organisation.objects.update_or_create(
            name=VERIFICATION_BODY, defaults={"kind": Organisation.Kind.VERIFIER, "city": "臺北市"}
        )
        User = get_user_model()
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, full_name, organisation_name, role in USERS:
            user, created = User.objects.get_or_create(username=username)
            email = f"{username}@demo.example"
            if created:
                user.first_name = full_name
                user.email = email
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role is None
                user.save()
            # Sign-in by username or e-mail needs a confirmed address.
            if not EmailAddress.objects.filter(user=user).exists():
                EmailAddress.objects.create(
                    user=user, email=user.email or email, primary=True, verified=True
                )
            if organisation_name:
                organisation, _ = Organisation.objects.get_or_create(name=organisation_name)
                # The first member of each demo organisation owns it (manages members).
                Membership.objects.get_or_create(
                    user=user,
                    organisation=organisation,
                    defaults={
                        "role": role,
                        "is_owner": role != Membership.Role.VIEWER
                        and not Membership.objects.filter(
                            organisation=organisation, is_owner=True
                        ).exists(),
                    },
                )
            self.stdout.write(f"  {username:<10} {user.email or email:<24} {full_name}")
        for name, tax_id in TAX_IDS.items():
            taken = Organisation.objects.filter(tax_id=tax_id).exists()
            if not taken:
                Organisation.objects.filter(name=name, tax_id="").update(tax_id=tax_id)
        if registry:
            self.chiller_cycle()

    def chiller_cycle(self):
        """Register the chiller plan and take its first monitoring report through
        verification, approval and issuance; then one transfer and one retirement.
        A step already taken (or made impossible by what users did) is skipped."""
        User = get_user_model()
        plan = Plan.objects.filter(title=CHILLER_TITLE).first()
        if plan is None:
            return
        editor = User.objects.get(username="carrefour")
        reviewer = User.objects.get(username="hsinchu")
        verifier = User.objects.get(username="verifier")
        if not plan.is_registered:
            if plan.status == Plan.Status.DRAFT:
                workflow.plan_transition(plan=plan, user=editor, name="submit")
                workflow.plan_transition(plan=plan, user=reviewer, name="start_review")
                workflow.plan_transition(
                    plan=plan, user=reviewer, name="approve", confirm_open_comments=True
                )
                approved = timezone.make_aware(
                    datetime.datetime.combine(REGISTERED_ON, datetime.time(9))
                )
                PlanEvent.objects.filter(plan=plan, to_status=Plan.Status.APPROVED).update(
                    created_at=approved
                )
            plan = Plan.objects.get(pk=plan.pk)
            if plan.status != Plan.Status.APPROVED:
                self.stdout.write("The chiller plan is not approved: its registry demo is skipped.")
                return
            plan = register_plan(plan, by=reviewer, registered_on=REGISTERED_ON)
            self.stdout.write(f"Registered {plan.title} as {plan.project_number}")
        if not plan.monitoring_reports.exists():
            self.first_report(plan, editor=editor, reviewer=reviewer, verifier=verifier)
        account = credits.account_for_plan(plan)
        entries = LedgerEntry.objects.filter(from_account=account)
        if not entries.filter(kind=LedgerEntry.Kind.TRANSFER).exists():
            receiver = Organisation.objects.get(name="財團法人崑山科技大學")
            credits.transfer(
                from_account=account,
                to_account=credits.account_for_organisation(receiver),
                quantity=TRANSFERRED,
                by=editor,
            )
        if not entries.filter(kind=LedgerEntry.Kind.RETIREMENT).exists():
            credits.retire(
                account=account,
                quantity=RETIRED,
                purpose=LedgerEntry.Purpose.CARBON_FEE,
                beneficiary="家福股份有限公司",
                by=editor,
                tax_id=TAX_IDS["家福股份有限公司"],
                year=2025,
                chargeable_emissions=Decimal(1000),
            )
        self.stdout.write(
            f"Credits: {credits.balance(account)} tCO2e in {account.organisation.name}'s account"
        )

    def first_report(self, plan, *, editor, reviewer, verifier):
        """Report 1 (2022): entered, submitted, verified, approved (credits issued)."""
        report = entry.report_start(
            plan,
            by=editor,
            period_start=datetime.date(2022, 1, 1),
            period_end=datetime.date(2022, 12, 31),
        )
        report.groups.filter(side="baseline").update(hours=BASELINE_HOURS)
        for group in report.groups.filter(side="project"):
            MonitoringGroupPeriod.objects.bulk_create(
                MonitoringGroupPeriod(group=group, month=f"2022-{month:02d}", energy_kwh=kwh)
                for month, kwh in enumerate(READINGS, start=1)
            )
        entry.report_refresh_results(report)
        body = Organisation.objects.get(name=VERIFICATION_BODY)
        report = entry.report_submit(
            MonitoringReport.objects.get(pk=report.pk), by=editor, verification_body=body
        )
        verification.record_verified_reduction(report, by=verifier, value=VERIFIED_REDUCTION)
        verification.attach_statement(
            report,
            by=verifier,
            file=ContentFile(STATEMENT_PDF, name="verification-statement-2022.pdf"),
            description="查證總結報告（111 年）",
        )
        verification.report_transition(report=report, user=verifier, name="complete_verification")
        verification.report_transition(report=report, user=reviewer, name="approve")
        self.stdout.write(f"Monitoring report 1 of {plan.project_number} approved, credits issued")

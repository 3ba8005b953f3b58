"""Demo data for a first look: both reference plans and one user per role.

Safe to run again: existing users, organisations and plans are kept."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from methodologies.engine import loads
from projects.models import Membership, Organisation, Plan
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


class Command(BaseCommand):
    help = "Load the two reference plans and demo users (password printed)."

    @transaction.atomic
    def handle(self, *args, **options):
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
            if created:
                user.first_name = full_name
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role is None
                user.save()
            if organisation_name:
                organisation, _ = Organisation.objects.get_or_create(name=organisation_name)
                Membership.objects.get_or_create(
                    user=user, organisation=organisation, defaults={"role": role}
                )
            self.stdout.write(f"  {username:<10} {full_name}")

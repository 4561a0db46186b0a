"""The demo scenario: a living layer beside the article facts, so every feature can be tried.

Nothing here comes from a source article. Every record is labelled as demo: sourced records
carry ``origin = demo``, a ``demo-`` stable key and a note; people and organisations have
"演示 / demo" in their names and example.org addresses; consents name the demo bank, which
exists only here. Dates are relative to the day of the load, so that reminders fall due at the
90/30/7/1-day thresholds in the coming days and weeks and a few deadlines are overdue.

The load is one transaction and matches every record by a stable key (or, for records without
one, by the pair that identifies it). A record that exists is left exactly as it is: loading
again on the same day changes nothing, and a later load never undoes what staff edited. It
needs the article data (``manage.py load_demo``) first.

The certification-ladder cases (a firm eligible for each path, one within reach, one with data
missing, graduation and incubation-clock cases) are listed firm by firm in
``portfolio.services.demo_ladder``; the article firms' part of them is set up here (FIGURES,
MISSING_LADDER_DATA, RESIDENCY_NOTES).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import IncubatorMembership, Language, Organisation, OrganisationKind, StaffRole, User
from partners.models import ApiKey, BankRecommendation, Consent
from partners.services.api_keys import api_key_create, api_key_revoke
from portfolio.choices import CertificationStatus, DeadlineStatus, RecordOrigin
from portfolio.models import (
    Certification,
    CertificationKind,
    Contact,
    Deadline,
    Firm,
    Incubator,
    Residency,
    YearlyFigures,
)
from portfolio.rules.deadlines import add_months
from portfolio.services.certifications import certification_sync_deadlines
from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

DEMO_NOTE = "DEMO SCENARIO, NOT FROM A SOURCE ARTICLE: invented to show the product working."
DEMO_BANK_KEY = "demo-bank"
DEMO_KEY_NAME = "demo key"

# The incubators that get demo staff, by article key, with the short name used in addresses.
INCUBATORS = {
    "itri": "inc-qingdao-itri",
    "rehab": "inc-qingdao-rehab",
    "yantai": "inc-yantai-sino-korean-industrial-park",
}
ROLES = (StaffRole.MANAGER, StaffRole.LIAISON, StaffRole.COUNSELLOR)
ROLE_NAMES = {StaffRole.MANAGER: "经理", StaffRole.LIAISON: "联络员", StaffRole.COUNSELLOR: "辅导员"}
# The one staff member who reads English.
ENGLISH_STAFF = ("itri", StaffRole.LIAISON)

# Firm (article key) -> (short name for addresses, incubator, contact prefers English).
FIRMS = {
    "firm-pengfengcheng": ("pengfengcheng", "itri", False),
    "firm-zhiteng": ("zhiteng", "itri", False),
    "firm-rongzhi-bio": ("rongzhi", "itri", False),
    "firm-huachen": ("huachen", "itri", True),
    "firm-nengfeng": ("nengfeng", "itri", False),
    "firm-jianxin": ("jianxin", "rehab", False),
    "firm-taili-auto-mould": ("taili", "yantai", False),
}

# Demo certificates: (firm, kind, days from the load day to the deadline that falls at or before
# expiry, status). The HNTE re-application is due on the expiry day, a device's renewal six
# months before it; a negative number is overdue.
CERTIFICATIONS = (
    ("firm-rongzhi-bio", "hnte", 1, CertificationStatus.GRANTED),
    ("firm-huachen", "hnte", 6, CertificationStatus.GRANTED),
    ("firm-nengfeng", "hnte", 25, CertificationStatus.GRANTED),
    ("firm-jianxin", "medical_device", 80, CertificationStatus.GRANTED),
    ("firm-pengfengcheng", "medical_device", 100, CertificationStatus.GRANTED),
    ("firm-taili-auto-mould", "hnte", -12, CertificationStatus.EXPIRED),
)
# Past yearly duties of the demo certificates are marked done, except these (left overdue).
LEFT_OVERDUE = {"firm-huachen"}

# Consents to the demo bank: firm -> revoked. Jianxin and Taili have none (the API answers 404).
CONSENTS = {
    "firm-rongzhi-bio": False,
    "firm-huachen": False,
    "firm-zhiteng": False,
    "firm-pengfengcheng": False,
    "firm-nengfeng": True,
}

# Plausible yearly figures, in CNY: revenue three years ago, yearly growth, employees, R&D staff.
# Pengfengcheng is the ladder's graduation-by-revenue case: 4.2M + 6.3M = 10.5M over the last two
# years (over 10M), 2.8M + 4.2M = 7.0M before.
FIGURES = {
    "firm-pengfengcheng": (2_800_000, Decimal("1.50"), 25, 10),
    "firm-zhiteng": (60_000_000, Decimal("1.15"), 180, 45),
    "firm-rongzhi-bio": (40_000_000, Decimal("1.25"), 150, 60),
    "firm-huachen": (80_000_000, Decimal("1.20"), 105, 50),
    "firm-jianxin": (1_000_000, Decimal("2.00"), 20, 12),
    "firm-nengfeng": (45_000_000, Decimal("1.18"), 120, 30),
    "firm-taili-auto-mould": (150_000_000, Decimal("1.05"), 400, 50),
}


# The ladder's missing-data case: figures without total cost, liabilities or conversions (and no
# self-assessment); the firm's own gates and judgements stay unknown, as for every article firm.
MISSING_LADDER_DATA = {"firm-nengfeng"}

# Notes a demo residency carries besides the demo label.
RESIDENCY_NOTES = {
    "firm-huachen": (
        "Entered when older than 24 months (founded 2019 per article 001): staff confirmed the "
        "admission as an exception (demo)."
    ),
}


class DemoError(Exception):
    """The demo cannot be loaded (the article data is missing)."""


@dataclass
class DemoResult:
    """Per section: [created, already there (left as they are)]."""

    counts: dict[str, list[int]] = field(default_factory=dict)

    def add(self, section: str, created: bool) -> None:
        self.counts.setdefault(section, [0, 0])[0 if created else 1] += 1

    @property
    def created(self) -> int:
        return sum(c for c, _ in self.counts.values())


def staff_email(incubator: str, role: str) -> str:
    return f"demo.{incubator}.{role}@example.org"


def contact_email(firm_key: str) -> str:
    return f"demo.contact.{FIRMS[firm_key][0]}@example.org"


def demo_staff() -> list[User]:
    """The demo staff, in the order they are printed (incubator, then role)."""
    emails = [staff_email(inc, role) for inc in INCUBATORS for role in ROLES]
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [users[e] for e in emails if e in users]


def demo_bank() -> Organisation | None:
    return Organisation.objects.filter(key=DEMO_BANK_KEY).first()


def _demo_sourced(key: str) -> dict:
    return {"key": key, "origin": RecordOrigin.DEMO, "source": "demo", "notes": DEMO_NOTE}


@transaction.atomic
def demo_scenario_load(*, today: datetime.date | None = None) -> DemoResult:
    """Create what is missing of the demo scenario; leave every existing record as it is."""
    today = today or timezone.localdate()
    result = DemoResult()
    incubators = {short: Incubator.objects.filter(key=key).first() for short, key in INCUBATORS.items()}
    firms = {key: Firm.objects.filter(key=key).first() for key in FIRMS}
    missing = [k for k, v in {**incubators, **firms}.items() if v is None]
    if missing:
        raise DemoError(
            f"the article data is not loaded (missing: {', '.join(missing)}); run manage.py load_demo first."
        )

    # Staff: a manager, a liaison and a counsellor for each incubator.
    staff_roles_setup()
    liaisons = {}
    for short, incubator in incubators.items():
        for role in ROLES:
            english = (short, role) == ENGLISH_STAFF
            user = User.objects.filter(email=staff_email(short, role)).first()
            created = user is None
            if created:
                user = User.objects.create_user(
                    email=staff_email(short, role),
                    password=None,
                    full_name=f"演示{ROLE_NAMES[role]} Demo {role} ({incubator.name_en or incubator.name})",
                    preferred_language=Language.ENGLISH if english else Language.CHINESE,
                    is_staff=True,
                )
            result.add("staff", created)
            _, created = IncubatorMembership.objects.get_or_create(
                user=user, incubator=incubator, defaults={"role": role}
            )
            result.add("memberships", created)
            if created:
                staff_roles_sync_user(user=user)
            if role == StaffRole.LIAISON:
                liaisons[short] = user

    # Residencies where the article gives none (or none with a date).
    for firm_key, (short, inc_short, _english) in FIRMS.items():
        firm, incubator = firms[firm_key], incubators[inc_short]
        key = f"demo-res-{short}"
        exists = (
            Residency.objects.filter(key=key).exists()
            or Residency.objects.filter(firm=firm, incubator=incubator, exited_on__isnull=True).exists()
        )
        if not exists:
            sourced = _demo_sourced(key)
            if firm_key in RESIDENCY_NOTES:
                sourced["notes"] = f"{DEMO_NOTE} {RESIDENCY_NOTES[firm_key]}"
            Residency.objects.create(
                **sourced,
                firm=firm,
                incubator=incubator,
                entered_on=today - datetime.timedelta(days=500),
                liaison=liaisons[inc_short],
            )
        result.add("residencies", not exists)

    # Contacts with example.org addresses.
    for firm_key, (short, _inc, english) in FIRMS.items():
        _, created = Contact.objects.get_or_create(
            firm=firms[firm_key],
            email=contact_email(firm_key),
            defaults={
                "name": f"演示联系人 Demo contact ({short})",
                "title": "演示 demo",
                "preferred_language": Language.ENGLISH if english else Language.CHINESE,
            },
        )
        result.add("contacts", created)

    # Certificates whose deadlines fall in the coming days and weeks, and one overdue.
    kinds = {k.code: k for k in CertificationKind.objects.all()}
    for firm_key, code, days, status in CERTIFICATIONS:
        key = f"demo-cert-{FIRMS[firm_key][0]}-{code}"
        if Certification.objects.filter(key=key).exists():
            result.add("certifications", False)
            continue
        kind = kinds[code]
        due = today + datetime.timedelta(days=days)
        expires = add_months(due, 6) if code == "medical_device" else due
        certification = Certification.objects.create(
            **_demo_sourced(key),
            firm=firms[firm_key],
            kind=kind,
            status=status,
            number=f"DEMO-{FIRMS[firm_key][0].upper()}-{code.upper()}",
            issued_on=add_months(expires, -(kind.validity_months or 36)),
            expires_on=expires,
            issuer="演示 demo",
            assumed=True,
        )
        certification_sync_deadlines(certification=certification, today=today)
        if firm_key not in LEFT_OVERDUE:
            Deadline.objects.filter(
                certification=certification, status=DeadlineStatus.OPEN, due_on__lt=today
            ).exclude(obligation__schedule="before_expiry").update(
                status=DeadlineStatus.DONE, done_on=today, note="demo: done"
            )
        result.add("certifications", True)

    # Three years of yearly figures.
    for firm_key, (revenue, growth, employees, rd_staff) in FIGURES.items():
        firm = firms[firm_key]
        for offset, year in enumerate(range(today.year - 3, today.year)):
            key = f"demo-fig-{FIRMS[firm_key][0]}-{year}"
            exists = (
                YearlyFigures.objects.filter(key=key).exists()
                or firm.yearly_figures.filter(year=year).exists()
            )
            if not exists:
                value = Decimal(revenue) * growth**offset
                rd = (value * Decimal("0.07")).quantize(Decimal("1"))
                assets = (value * Decimal("1.3")).quantize(Decimal("1"))
                ladder = {}
                if firm_key not in MISSING_LADDER_DATA:
                    ladder = {
                        "total_cost": (value * Decimal("0.85")).quantize(Decimal("1")),
                        "total_liabilities": (assets * Decimal("0.45")).quantize(Decimal("1")),
                        "results_converted": 1 + offset,
                    }
                YearlyFigures.objects.create(
                    **_demo_sourced(key),
                    firm=firm,
                    year=year,
                    revenue=value.quantize(Decimal("1")),
                    rd_expense=rd,
                    rd_expense_domestic=rd,
                    high_tech_revenue=(value * Decimal("0.7")).quantize(Decimal("1")),
                    total_assets=assets,
                    tax_paid=(value * Decimal("0.04")).quantize(Decimal("1")),
                    employees=employees + 5 * offset,
                    rd_staff=rd_staff + 2 * offset,
                    ip_class1=1 + offset,
                    ip_class2=3 + 2 * offset,
                    angel_vc_received=Decimal(0),
                    **ladder,
                )
            result.add("yearly figures", not exists)

    # The certification-ladder cases' own firms (see portfolio.services.demo_ladder).
    from portfolio.services.demo_ladder import demo_ladder_load  # it imports this module

    demo_ladder_load(today=today, incubator=incubators["itri"], liaison=liaisons["itri"], result=result)

    # The demo bank: an API partner with consents and a white-list recommendation.
    bank, created = Organisation.objects.get_or_create(
        key=DEMO_BANK_KEY,
        defaults={
            "name": "演示合作银行",
            "name_en": "Demo Partner Bank (demo)",
            "kind": OrganisationKind.BANK,
            "city": "青岛",
            "is_partner": True,
            "notes": DEMO_NOTE,
            "source": "demo",
        },
    )
    result.add("organisations", created)
    for firm_key, revoked in CONSENTS.items():
        _consent, created = Consent.objects.get_or_create(
            firm=firms[firm_key],
            organisation=bank,
            defaults={
                "starts_on": today - datetime.timedelta(days=60),
                "evidence": "演示 demo consent",
                "revoked_at": timezone.now() if revoked else None,
            },
        )
        result.add("consents", created)
    _, created = BankRecommendation.objects.get_or_create(
        firm=firms["firm-rongzhi-bio"],
        incubator=incubators["itri"],
        bank=bank,
        defaults={
            "recommended_on": today - datetime.timedelta(days=30),
            "reason": "演示 demo",
            "source": "demo",
        },
    )
    result.add("white list", created)
    return result


@transaction.atomic
def demo_scenario_reset(*, today: datetime.date | None = None) -> DemoResult:
    """Load the scenario afresh, dated from ``today``: the demo's dated records (the ladder cases'
    firms, residencies, contacts, certificates with their deadlines and reminders, figures,
    distinctions, incidents, self-assessments, consents, the white list) are deleted first,
    with whatever staff changed in them; staff users and memberships stay. Article records are
    never touched."""
    from portfolio.services.demo_ladder import demo_ladder_reset  # it imports this module

    demo_ladder_reset()  # the ladder cases' firms, with everything under them
    Certification.objects.filter(key__startswith="demo-", origin=RecordOrigin.DEMO).delete()
    Residency.objects.filter(key__startswith="demo-", origin=RecordOrigin.DEMO).delete()
    YearlyFigures.objects.filter(key__startswith="demo-", origin=RecordOrigin.DEMO).delete()
    Contact.objects.filter(email__in=[contact_email(key) for key in FIRMS]).delete()
    bank = demo_bank()
    if bank is not None:
        Consent.objects.filter(organisation=bank).delete()
        BankRecommendation.objects.filter(bank=bank).delete()
    return demo_scenario_load(today=today)


@transaction.atomic
def demo_logins() -> tuple[str, str]:
    """A new password for every demo staff member and a new demo API key (the previous demo
    keys are revoked); returns both. Local development only: the caller checks DEBUG."""
    password = secrets.token_urlsafe(12)
    for user in demo_staff():
        user.set_password(password)
        user.save(update_fields=["password"])
    bank = demo_bank()
    if bank is None:
        raise DemoError("the demo scenario is not loaded.")
    demo_keys = ApiKey.objects.filter(organisation=bank, name__startswith=DEMO_KEY_NAME)
    for old in demo_keys.filter(revoked_at__isnull=True):
        api_key_revoke(api_key=old)
    # Key names are unique per bank, revoked keys included (they stay for the access log): each
    # start's key is numbered.
    _, raw = api_key_create(organisation=bank, name=f"{DEMO_KEY_NAME} {demo_keys.count() + 1}")
    return password, raw

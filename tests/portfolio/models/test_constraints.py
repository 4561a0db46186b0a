"""Every named constraint of portfolio and accounts rejects bad rows at the database, and the same
bad data through full_clean() fails with the constraint's own violation_error_message."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from accounts.models import CalendarFeed, IncubatorMembership, User
from accounts.services import calendar_feed_issue
from partners.models import ApiKey, BankRecommendation, IdempotencyRecord, LoanApplication
from portfolio.choices import (
    DeadlineStatus,
    ExitReason,
    FinancingKind,
    InstitutionRole,
    Instrument,
)
from portfolio.models import (
    Deadline,
    DigestDelivery,
    FinancingParticipant,
    Firm,
    FirmAlias,
    Obligation,
    ObligationWindow,
    ReminderDelivery,
    Residency,
    YearlyFigures,
)
from portfolio.models.reminders import DeliveryStatus, RecipientKind
from tests.factories import (
    BankFactory,
    CertificationFactory,
    ConsentFactory,
    ContactFactory,
    FinancingEventFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    ProgrammeFactory,
    RecommendationFactory,
    ResidencyFactory,
    ServiceRecordFactory,
    UserFactory,
    YearlyFiguresFactory,
)
from tests.portfolio.models.test_ladder_inputs import CONSTRAINTS as LADDER_CONSTRAINTS

pytestmark = pytest.mark.django_db

VALID_CREDIT_CODE = "91350100M000100Y43"


@dataclass(frozen=True)
class Bad:
    """A row that breaks ``constraint``: either ``row`` saved then changed by ``change``
    (a check), or ``row`` saved and ``duplicate`` unsaved (a unique constraint)."""

    constraint: str
    row: Callable[[], models.Model]
    change: dict[str, Any] | None = None
    duplicate: Callable[[models.Model], models.Model] | None = None

    def __str__(self) -> str:
        return self.constraint


def _cert_deadline() -> Deadline:
    return CertificationFactory(issued_on=datetime.date(2023, 12, 1)).deadlines.order_by("due_on").first()


def _hnte_obligation(code: str) -> Obligation:
    return Obligation.objects.get(kind__code="hnte", code=code)


def _api_key(**fields: Any) -> ApiKey:
    return ApiKey.objects.create(
        organisation=fields.pop("organisation", None) or BankFactory(),
        name="loan system",
        prefix=fields.pop("prefix", "abcd1234"),
        hashed_key="0" * 64,
        **fields,
    )


def _idempotency_record() -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        scope="key:1",
        key="retry-1",
        fingerprint="f" * 64,
        method="POST",
        path="/api/v1/firms/1/loans/",
        response_status=201,
        response_body="{}",
    )


def _loan(bank=None, reference: str = "L-2024-001") -> LoanApplication:
    event = FinancingEventFactory(kind=FinancingKind.LOAN, instrument=Instrument.CREDIT)
    return LoanApplication.objects.create(
        event=event, bank=bank or BankFactory(), reference=reference, applied_on=datetime.date(2024, 5, 1)
    )


NOW = datetime.datetime(2024, 5, 11, 9, 0, tzinfo=datetime.UTC)


def _reminder(**fields: Any) -> ReminderDelivery:
    return ReminderDelivery.objects.create(
        deadline=_cert_deadline(),
        threshold=30,
        days_left=20,
        for_date=datetime.date(2024, 5, 11),
        recipient_kind=RecipientKind.CONTACT,
        contact=ContactFactory(),
        email="contact@firm.example.org",
        next_attempt_at=NOW,
        **fields,
    )


def _digest() -> DigestDelivery:
    return DigestDelivery.objects.create(
        user=UserFactory(), week_of=datetime.date(2024, 5, 6), email="staff@example.org", next_attempt_at=NOW
    )


FIGURE_AMOUNTS = [
    "revenue",
    "rd_expense",
    "rd_expense_domestic",
    "high_tech_revenue",
    "total_assets",
    "tax_paid",
    "angel_vc_received",
    "total_cost",
    "total_liabilities",
]

CASES = [
    # accounts
    Bad(
        "accounts_user_email_ci_unique",
        lambda: UserFactory(email="li.kai@example.org"),
        duplicate=lambda u: User(email="Li.Kai@Example.org", password="x"),
    ),
    Bad(
        "accounts_membership_unique_user_incubator",
        MembershipFactory,
        duplicate=lambda m: IncubatorMembership(user=m.user, incubator=m.incubator, role="manager"),
    ),
    Bad(
        "accounts_calendarfeed_one_active_per_user",
        lambda: calendar_feed_issue(user=UserFactory(is_staff=True))[0],
        duplicate=lambda f: CalendarFeed(user=f.user, prefix="ffff0000", hashed_token="0" * 64),
    ),
    Bad(
        "partners_apikey_unique_name_per_org",
        _api_key,
        duplicate=lambda k: ApiKey(
            organisation=k.organisation, name=k.name, prefix="efgh5678", hashed_key="1" * 64
        ),
    ),
    Bad("partners_apikey_rate_positive", _api_key, change={"rate_per_minute": 0}),
    Bad(
        "partners_idempotency_unique_key",
        _idempotency_record,
        duplicate=lambda r: IdempotencyRecord(
            scope=r.scope,
            key=r.key,
            fingerprint="e" * 64,
            method="POST",
            path=r.path,
            response_status=201,
            response_body="{}",
        ),
    ),
    Bad(
        "partners_loan_unique_reference_per_bank",
        _loan,
        duplicate=lambda loan: LoanApplication(
            event=FinancingEventFactory(kind=FinancingKind.LOAN, instrument=Instrument.CREDIT),
            bank=loan.bank,
            reference=loan.reference,
            applied_on=loan.applied_on,
        ),
    ),
    Bad("partners_loan_requested_amount_positive", _loan, change={"requested_amount": Decimal(0)}),
    # reminders
    Bad(
        "portfolio_reminder_once_per_threshold",
        _reminder,
        duplicate=lambda r: ReminderDelivery(
            deadline=r.deadline,
            threshold=r.threshold,
            email=r.email,
            days_left=r.days_left,
            for_date=r.for_date,
            recipient_kind=RecipientKind.STAFF,
            user=UserFactory(),
            next_attempt_at=NOW,
        ),
    ),
    Bad(
        "portfolio_reminder_recipient_matches_kind", _reminder, change={"recipient_kind": RecipientKind.STAFF}
    ),
    Bad("portfolio_reminder_sent_has_time", _reminder, change={"status": DeliveryStatus.SENT}),
    Bad(
        "portfolio_digest_once_per_week",
        _digest,
        duplicate=lambda d: DigestDelivery(
            user=d.user, week_of=d.week_of, email="other@example.org", next_attempt_at=NOW
        ),
    ),
    # firms
    Bad(
        "portfolio_firm_name_unique",
        lambda: FirmFactory(name="Acme 科技"),
        duplicate=lambda f: Firm(name="ACME 科技"),
    ),
    Bad(
        "portfolio_firm_credit_code_unique",
        lambda: FirmFactory(credit_code=VALID_CREDIT_CODE),
        duplicate=lambda f: Firm(name="另一家公司", credit_code=VALID_CREDIT_CODE),
    ),
    Bad(
        "portfolio_firmalias_unique",
        lambda: FirmAlias.objects.create(firm=FirmFactory(), name="旧名"),
        duplicate=lambda a: FirmAlias(firm=a.firm, name="旧名"),
    ),
    # residencies
    Bad(
        "portfolio_residency_one_open_per_incubator",
        ResidencyFactory,
        duplicate=lambda r: Residency(
            firm=r.firm, incubator=r.incubator, entered_on=datetime.date(2025, 1, 1)
        ),
    ),
    Bad(
        "portfolio_residency_exit_after_entry",
        ResidencyFactory,
        change={"exited_on": datetime.date(2024, 2, 29), "exit_reason": ExitReason.MOVED_OUT},
    ),
    Bad(
        "portfolio_residency_exit_reason_with_exit",
        ResidencyFactory,
        change={"exit_reason": ExitReason.FAILED},
    ),
    Bad(
        "portfolio_residency_exit_reason_with_exit",
        ResidencyFactory,
        change={"exited_on": datetime.date(2025, 3, 1)},
    ),
    Bad("portfolio_residency_limit_positive", ResidencyFactory, change={"limit_months": 0}),
    # yearly figures
    Bad(
        "portfolio_figures_one_per_year",
        YearlyFiguresFactory,
        duplicate=lambda y: YearlyFigures(firm=y.firm, year=y.year),
    ),
    Bad("portfolio_figures_year_plausible", YearlyFiguresFactory, change={"year": 1900}),
    *[
        Bad(f"portfolio_figures_{f}_not_negative", YearlyFiguresFactory, change={f: -1})
        for f in FIGURE_AMOUNTS
    ],
    Bad("portfolio_figures_rd_staff_within_employees", YearlyFiguresFactory, change={"rd_staff": 61}),
    # the Torch return's figures (employees 60 in the factory)
    *[
        Bad(f"portfolio_figures_{f}_not_negative", YearlyFiguresFactory, change={f: -1})
        for f in ("imports_exports", "tech_contracts_amount")
    ],
    *[
        Bad(f"portfolio_figures_{f}_within_employees", YearlyFiguresFactory, change={f: 61})
        for f in (
            "staff_phd",
            "staff_college",
            "staff_returnees",
            "staff_talent_plan",
            "staff_fresh_graduates",
        )
    ],
    Bad(
        "portfolio_figures_phd_within_college",
        YearlyFiguresFactory,
        change={"staff_college": 5, "staff_phd": 6},
    ),
    Bad(
        "portfolio_figures_domestic_rd_within_rd",
        YearlyFiguresFactory,
        change={"rd_expense_domestic": 1_500_001},
    ),
    # incubators
    Bad("portfolio_incubator_area_not_negative", IncubatorFactory, change={"area_m2": -1}),
    Bad("portfolio_incubator_limit_positive", IncubatorFactory, change={"default_limit_months": 0}),
    # certification kinds, obligations, windows
    Bad(
        "portfolio_obligation_unique_code",
        lambda: _hnte_obligation("annual-report"),
        duplicate=lambda o: Obligation(
            kind=o.kind,
            code=o.code,
            name="重复",
            name_en="Duplicate",
            schedule="yearly",
            due_month=5,
            due_day=31,
        ),
    ),
    Bad(
        "portfolio_obligation_schedule_complete",
        lambda: _hnte_obligation("recertification"),
        change={"months_before_expiry": None},
    ),
    Bad(
        "portfolio_obligation_schedule_complete",
        lambda: _hnte_obligation("annual-report"),
        change={"due_month": 13},
    ),
    Bad(
        "portfolio_window_one_per_year",
        lambda: ObligationWindow.objects.get(obligation__kind__code="tsme", year=2025),
        duplicate=lambda w: ObligationWindow(
            obligation=w.obligation, year=2025, due_on=datetime.date(2025, 10, 15)
        ),
    ),
    Bad(
        "portfolio_window_opens_before_due",
        lambda: ObligationWindow.objects.get(obligation__kind__code="tsme", year=2025),
        change={"opens_on": datetime.date(2025, 10, 1)},
    ),
    # certifications and deadlines
    Bad(
        "portfolio_certification_expiry_after_issue",
        CertificationFactory,
        change={"expires_on": datetime.date(2024, 11, 30)},
    ),
    Bad(
        "portfolio_certification_expiry_after_issue",
        CertificationFactory,
        change={"expires_on": datetime.date(2024, 12, 1)},
    ),
    Bad(
        "portfolio_certification_number_unique_per_kind",
        lambda: CertificationFactory(number="GR202337100123"),
        duplicate=lambda c: CertificationFactory.build(firm=FirmFactory(), number="GR202337100123"),
    ),
    Bad(
        "portfolio_deadline_unique",
        _cert_deadline,
        duplicate=lambda d: Deadline(
            certification=d.certification, obligation=d.obligation, firm=d.firm, due_on=d.due_on
        ),
    ),
    Bad("portfolio_deadline_done_date_with_done", _cert_deadline, change={"status": DeadlineStatus.DONE}),
    Bad(
        "portfolio_deadline_done_date_with_done",
        _cert_deadline,
        change={"done_on": datetime.date(2024, 5, 1)},
    ),
    # financing
    Bad("portfolio_programme_risk_share_range", ProgrammeFactory, change={"risk_share_percent": 101}),
    Bad("portfolio_programme_risk_share_range", ProgrammeFactory, change={"risk_share_percent": -1}),
    Bad("portfolio_programme_amounts_not_negative", ProgrammeFactory, change={"fund_size": -1}),
    Bad("portfolio_programme_amounts_not_negative", ProgrammeFactory, change={"cap_per_firm": -1}),
    Bad("portfolio_financing_amount_not_negative", FinancingEventFactory, change={"amount": -1}),
    Bad(
        "portfolio_financing_risk_share_range",
        FinancingEventFactory,
        change={"risk_share_percent": Decimal("100.01")},
    ),
    Bad(
        "portfolio_financing_term_positive",
        lambda: FinancingEventFactory(kind=FinancingKind.LOAN, instrument=Instrument.CREDIT),
        change={"term_months": 0},
    ),
    Bad(
        "portfolio_financing_loan_fields_on_loans", FinancingEventFactory, change={"loan_status": "disbursed"}
    ),
    Bad("portfolio_financing_loan_fields_on_loans", FinancingEventFactory, change={"term_months": 12}),
    Bad(
        "portfolio_participant_unique",
        lambda: FinancingParticipant.objects.create(
            event=FinancingEventFactory(), organisation=BankFactory(), role=InstitutionRole.INVESTOR
        ),
        duplicate=lambda p: FinancingParticipant(
            event=p.event, organisation=p.organisation, role=InstitutionRole.INVESTOR
        ),
    ),
    # mentoring and partners
    Bad("portfolio_service_hours_positive", ServiceRecordFactory, change={"hours": 0}),
    Bad("partners_consent_end_after_start", ConsentFactory, change={"ends_on": datetime.date(2023, 12, 31)}),
    Bad(
        "partners_recommendation_one_active",
        RecommendationFactory,
        duplicate=lambda r: BankRecommendation(
            firm=r.firm, incubator=r.incubator, bank=r.bank, recommended_on=datetime.date(2025, 6, 1)
        ),
    ),
]


def _constraint(model: type[models.Model], name: str) -> models.BaseConstraint:
    return next(c for c in model._meta.constraints if c.name == name)


def _bad_instance(case: Bad) -> models.Model:
    row = case.row()
    if case.duplicate:
        return case.duplicate(row)
    for field, value in case.change.items():
        setattr(row, field, value)
    return row


@pytest.mark.parametrize("case", CASES, ids=str)
def test_database_rejects_the_bad_row(case):
    row = case.row()
    with pytest.raises(IntegrityError), transaction.atomic():
        if case.duplicate:
            duplicate = case.duplicate(row)
            type(duplicate).objects.bulk_create([duplicate])
        else:
            type(row).objects.filter(pk=row.pk).update(**case.change)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_full_clean_reports_the_constraints_message(case):
    instance = _bad_instance(case)
    expected = _constraint(type(instance), case.constraint).get_violation_error_message()
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    assert caught.value.messages == [expected]


def test_every_named_constraint_has_a_case():
    named = {
        constraint.name
        for app in ("accounts", "portfolio", "partners")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    }
    # The ladder inputs' constraints are tested on both sides in test_ladder_inputs.
    assert named == {case.constraint for case in CASES} | LADDER_CONSTRAINTS

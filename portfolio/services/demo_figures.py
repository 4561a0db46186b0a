"""The demo scenario's figures request: ITRI asks its firms for last year's figures.

Invented like the rest of the demo (portfolio.services.demo): the request's message says it is a
demo, its answers come from the demo's own yearly figures (so the certification-ladder cases
read the same numbers after acceptance) plus invented Torch-return facts, and its dates are
relative to the day of the load (due three weeks after it). Which firm shows what:

- 演示海韵智控 (demo-firm-haiyun): submitted and accepted by the ITRI liaison;
- 智腾 (firm-zhiteng) and 融智生物 (firm-rongzhi-bio): submitted, waiting for review (融智's
  revenue is unchanged from the year before, so the review page shows a warning);
- 华晨 (firm-huachen): a draft, half filled in;
- every other firm in residence at ITRI during the year: not started (missing).

Opening the request records the invitations (to the demo contacts' example.org addresses), as
the staff page does. Loading again changes nothing while the request exists; ``reset`` deletes it
(with its answers and emails) and opens it afresh from today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import StaffRole, User
from figures.fields import ALL_FIELDS, stored_values
from figures.links import submission_url
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from figures.selectors import figures_residents
from figures.services.founder import submission_save_draft, submission_submit
from figures.services.requests import figures_request_open
from figures.services.review import submission_accept
from portfolio.models import Firm, Incubator, YearlyFigures
from portfolio.services.demo import INCUBATORS, DemoError, staff_email

DEMO_MESSAGE = (
    "【演示 DEMO】请在截止日前填报上一年度的经营数据，用于火炬统计和科技型中小企业评价。"
    "（演示场景，非真实请求 / a demo request, not a real one）"
)
ACCEPTED = "demo-firm-haiyun"
SUBMITTED = ("firm-zhiteng", "firm-rongzhi-bio")
DRAFT = "firm-huachen"
# Rongzhi's answer repeats the year before's revenue: the review page's "unchanged" warning.
UNCHANGED_REVENUE = "firm-rongzhi-bio"
DUE_IN_DAYS = 21


@dataclass(frozen=True)
class DemoFigures:
    request: FiguresRequest
    created: bool


def _founder(firm: Firm) -> str:
    return f"演示填表人 Demo founder <demo.founder.{firm.pk}@example.org>"


def demo_answer(firm: Firm, year: int) -> dict[str, str]:
    """A complete, valid answer for the firm: its recorded figures of the year (so that accepting
    changes none of them), the Torch return's other fields invented in proportion to them."""
    figures = YearlyFigures.objects.filter(firm=firm, year=year).first()
    values = stored_values(ALL_FIELDS, figures=figures)
    revenue = Decimal(values.get("revenue", "3000000"))
    employees = int(values.get("employees", "30"))
    ip1, ip2 = int(values.get("ip_class1", "1")), int(values.get("ip_class2", "2"))
    invented = {
        "revenue": str(revenue),
        "high_tech_revenue": str((revenue * Decimal("0.6")).quantize(Decimal("1"))),
        "total_cost": str((revenue * Decimal("0.85")).quantize(Decimal("1"))),
        "rd_expense": str((revenue * Decimal("0.05")).quantize(Decimal("1"))),
        "net_profit": str((revenue * Decimal("0.08")).quantize(Decimal("1"))),
        "tax_paid": str((revenue * Decimal("0.03")).quantize(Decimal("1"))),
        "total_assets": str((revenue * Decimal("1.2")).quantize(Decimal("1"))),
        "total_liabilities": str((revenue * Decimal("0.5")).quantize(Decimal("1"))),
        "angel_vc_received": "0",
        "imports_exports": "0",
        "employees": str(employees),
        "rd_staff": str(max(employees // 4, 1)),
        "staff_college": str(employees * 7 // 10),
        "staff_phd": str(min(2, employees * 7 // 10)),
        "staff_returnees": "1" if employees > 1 else "0",
        "staff_talent_plan": "0",
        "staff_fresh_graduates": str(min(3, employees)),
        "ip_class1": str(ip1),
        "ip_class2": str(ip2),
        "ip_applied": "3",
        "ip_granted": "2",
        "ip_valid": str(ip1 + ip2),
        "invention_patents": str(ip1),
        "software_copyrights": str(ip2),
        "plant_varieties": "0",
        "ic_layouts": "0",
        "foreign_patents_bought": "0",
        "results_converted": "1",
        "tech_contracts": "1",
        "tech_contracts_amount": "200000",
        "national_projects": "0",
        "provincial_awards": "0",
        "registration_type": "有限责任公司",
        "nbs_industry_code": "M7320",
        "taxpayer_type": "general",
        "founder_profile": "scientist",
        "serial_founder": "no",
        "founder_sex": "male",
        "registered_capital": "5000000",
        "unit_head": "演示负责人",
        "statistics_head": "演示统计负责人",
        "form_filler": "演示填表人",
        "phone": "0532-88886666",
    }
    answer = {**invented, **values}
    rd_domestic = Decimal(answer.get("rd_expense_domestic", answer["rd_expense"]))
    answer["rd_expense_domestic"] = str(min(rd_domestic, Decimal(answer["rd_expense"])))
    return answer


def _liaison() -> User:
    liaison = User.objects.filter(email=staff_email("itri", StaffRole.LIAISON)).first()
    if liaison is None:
        raise DemoError("the demo staff are not loaded; run manage.py load_demo_scenario first.")
    return liaison


def _demo_request(incubator: Incubator, year: int) -> FiguresRequest | None:
    return FiguresRequest.objects.filter(incubator=incubator, year=year).first()


@transaction.atomic
def demo_figures_load(*, today: datetime.date | None = None, reset: bool = False) -> DemoFigures:
    """Open the demo's figures request with its answers, unless it is there (then leave it)."""
    today = today or timezone.localdate()
    incubator = Incubator.objects.filter(key=INCUBATORS["itri"]).first()
    if incubator is None:
        raise DemoError("the article data is not loaded; run manage.py load_demo first.")
    year = today.year - 1
    existing = _demo_request(incubator, year)
    if existing is not None and reset and existing.message == DEMO_MESSAGE:
        existing.delete()
        existing = None
    if existing is not None:
        return DemoFigures(request=existing, created=False)

    liaison = _liaison()
    firms = list(figures_residents(incubator=incubator, year=year))
    request = figures_request_open(
        incubator=incubator,
        year=year,
        due_on=today + datetime.timedelta(days=DUE_IN_DAYS),
        field_names=ALL_FIELDS,
        firm_ids=[firm.pk for firm in firms],
        message=DEMO_MESSAGE,
        created_by=liaison,
        today=today,
    )
    by_key = {s.firm.key: s for s in request.submissions.select_related("firm", "request")}
    for key in (ACCEPTED, *SUBMITTED):
        submission = by_key.get(key)
        if submission is None:
            continue
        answer = demo_answer(submission.firm, year)
        if key == UNCHANGED_REVENUE:
            before = YearlyFigures.objects.filter(firm=submission.firm, year=year - 1).first()
            if before is not None and before.revenue:
                answer["revenue"] = str(before.revenue)
                answer["high_tech_revenue"] = str(min(Decimal(answer["high_tech_revenue"]), before.revenue))
        founder = _founder(submission.firm)
        form = submission_submit(
            submission=submission, values=answer, submitted_by=founder, confirm_warnings=True
        )
        if not form.saved:
            raise DemoError(f"the demo answer of {key} does not pass the form: {dict(form.errors)}")
    if ACCEPTED in by_key:
        submission_accept(submission=by_key[ACCEPTED], user=liaison)
    if DRAFT in by_key:
        answer = demo_answer(by_key[DRAFT].firm, year)
        half = dict(list(answer.items())[: len(answer) // 2])
        submission_save_draft(submission=by_key[DRAFT], values=half)
    return DemoFigures(request=request, created=True)


def demo_founder_link(request: FiguresRequest, *, now: datetime.datetime | None = None) -> str | None:
    """A founder's link of the demo request that opens now (the draft's if it can), or None."""
    now = now or timezone.now()
    open_links = (
        FiguresSubmission.objects.filter(
            request=request, link_revoked=False, link_expires_at__gt=now, request__closed=False
        )
        .exclude(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED])
        .select_related("firm")
        .order_by("firm__name")
    )
    draft = open_links.filter(status=SubmissionStatus.DRAFT).first() or open_links.first()
    return submission_url(draft) if draft is not None else None

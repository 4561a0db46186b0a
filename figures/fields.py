"""The catalogue of what a figures request may ask a founder for, in the order the page shows it.

Three kinds of storage:

- **year**: a year's figure, stored on ``portfolio.YearlyFigures`` (the ladder's figures and the
  Torch return's, RULES.md sections 1-4);
- **firm**: a fact of the firm rather than of a year, stored on ``portfolio.Firm`` (the Torch
  return's fields 6, 8, 13-15 and 18, ``TorchFirmFields``);
- **person**: the people of Torch field 26 (unit head, statistics head, form filler, phone),
  kept only in the submission's values.

Each field has a group (a section of the page), a kind (amount in yuan, count, choice, text,
yes-no), a label and help in plain words for a founder. A submission's ``values`` holds the
founder's entries by these names, as text (see ``as_text``); a name outside the catalogue means
nothing and is ignored by every reader.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portfolio.models.torch_fields import FounderProfile, Sex, TaxpayerType

if TYPE_CHECKING:
    from figures.models import FiguresRequest
    from portfolio.models import Firm, YearlyFigures


class Kind(StrEnum):
    AMOUNT = "amount"  # yuan, at most 2 decimals
    COUNT = "count"  # a whole number, not negative
    CHOICE = "choice"
    TEXT = "text"
    YES_NO = "yes_no"


class Storage(StrEnum):
    YEAR = "year"  # portfolio.YearlyFigures of the request's year
    FIRM = "firm"  # portfolio.Firm
    PERSON = "person"  # only the submission's values


@dataclass(frozen=True)
class Group:
    name: str
    label: Promise
    intro: Promise | str = ""


@dataclass(frozen=True)
class Field:
    name: str
    group: str
    kind: Kind
    storage: Storage
    label: Promise
    help: Promise
    # The number of the Torch return's per-incubatee field it fills (2017 form), if any.
    torch: str = ""
    choices: tuple[tuple[str, Promise], ...] = ()
    max_length: int = 0
    # Amounts that can be negative (net profit: a loss).
    signed: bool = False


GROUPS: tuple[Group, ...] = (
    Group(
        "income",
        _("Income and costs of the year"),
        _("From your income statement for the whole year. Amounts in yuan (元), not 万元: 1.2万 is 12000."),
    ),
    Group(
        "balance",
        _("Assets, funding and trade"),
        _("Amounts in yuan (元), not 万元."),
    ),
    Group(
        "staff",
        _("People"),
        _(
            "Count people who worked for the firm at least 183 days (about six months) in the year, "
            "part-time and temporary staff included."
        ),
    ),
    Group(
        "ip",
        _("Intellectual property"),
        _("Count items (one patent is one), not applications, unless the field asks for applications."),
    ),
    Group("results", _("Technology results and awards")),
    Group(
        "firm",
        _("About the firm"),
        _("Facts about the firm rather than the year; correct them if they changed."),
    ),
    Group(
        "people",
        _("Who is reporting"),
        _("The statistics return names the people responsible for these figures."),
    ),
)
GROUP_NAMES = tuple(group.name for group in GROUPS)

_IN_YUAN = _("In yuan, e.g. 1,200,000 for 120万. Enter 0 if none.")


def _amount(name: str, group: str, label: Promise, help: Promise, torch: str = "", **extra: Any) -> Field:
    return Field(name, group, Kind.AMOUNT, Storage.YEAR, label, help, torch=torch, **extra)


def _count(name: str, group: str, label: Promise, help: Promise, torch: str = "") -> Field:
    return Field(name, group, Kind.COUNT, Storage.YEAR, label, help, torch=torch)


CATALOGUE: tuple[Field, ...] = (
    # --- income and costs ---------------------------------------------------------------------
    _amount(
        "revenue",
        "income",
        _("Sales revenue (营业收入)"),
        _(
            "All income from selling your products and services in the year (main and other "
            "business), as in your income statement, before costs. In yuan; enter 0 if none."
        ),
        torch="19",
    ),
    _amount(
        "high_tech_revenue",
        "income",
        _("Revenue from high-tech products and services"),
        _(
            "The part of sales revenue that comes from products and services built on your own core "
            "technology (高新技术产品(服务)收入). It cannot be more than sales revenue. In yuan."
        ),
    ),
    _amount(
        "total_cost",
        "income",
        _("Total costs and expenses (成本费用总额)"),
        _(
            "Cost of sales plus selling, administrative, R&D and financial expenses of the year. "
            "R&D expense is part of it. In yuan."
        ),
    ),
    _amount(
        "rd_expense",
        "income",
        _("R&D expense (研发费用)"),
        _(
            "What the firm spent on research and development in the year: R&D staff pay, materials, "
            "equipment depreciation, outsourced R&D and the like, as in your R&D accounts or your "
            "super-deduction filing. It cannot be more than total costs and expenses. In yuan."
        ),
        torch="22",
    ),
    _amount(
        "rd_expense_domestic",
        "income",
        _("R&D expense spent in China"),
        _(
            "The part of the R&D expense spent in mainland China. It cannot be more than the R&D "
            "expense; if all of your R&D happens in China, enter the same amount. In yuan."
        ),
    ),
    _amount(
        "net_profit",
        "income",
        _("Net profit (净利润)"),
        _("Profit after tax for the year. For a loss enter a minus sign, e.g. -350000. In yuan."),
        torch="20",
        signed=True,
    ),
    _amount(
        "tax_paid",
        "income",
        _("Taxes paid (实际上缴税费)"),
        _("All taxes and fees actually paid in the year (VAT, income tax, surcharges ...). In yuan."),
        torch="23",
    ),
    # --- assets, funding and trade ------------------------------------------------------------
    _amount(
        "total_assets",
        "balance",
        _("Total assets at year end (资产总额)"),
        _("From your balance sheet on 31 December. In yuan."),
    ),
    _amount(
        "total_liabilities",
        "balance",
        _("Total liabilities at year end (负债总额)"),
        _("From your balance sheet on 31 December; may be more than total assets. In yuan."),
    ),
    _amount(
        "angel_vc_received",
        "balance",
        _("Angel or venture capital received in the year"),
        _(
            "Equity investment received from angel investors or venture capital funds in this year "
            "only (not loans, not grants). In yuan; enter 0 if none."
        ),
        torch="16",
    ),
    _amount(
        "imports_exports",
        "balance",
        _("Imports and exports (进出口总额)"),
        _("The total value of goods you imported and exported in the year. In yuan; enter 0 if none."),
        torch="21",
    ),
    # --- people -------------------------------------------------------------------------------
    _count(
        "employees",
        "staff",
        _("Employees (职工总数)"),
        _(
            "Everyone who worked for the firm in the year: full-time, and part-time or temporary "
            "staff who worked at least 183 days. A whole number."
        ),
        torch="24",
    ),
    _count(
        "rd_staff",
        "staff",
        _("Technology staff (科技人员)"),
        _(
            "People doing research, development or technical work (engineers, researchers, "
            "technicians) and those who directly support them, counted as for employees. Sales "
            "and administration staff do not count. It cannot be more than employees."
        ),
    ),
    _count(
        "staff_college",
        "staff",
        _("Staff with a college degree or higher (大专及以上)"),
        _(
            "Staff holding a junior college (大专), bachelor's, master's or doctor's degree, "
            "doctors included."
        ),
        torch="24",
    ),
    _count(
        "staff_phd",
        "staff",
        _("Staff with a doctorate"),
        _("Staff holding a doctor's degree. They are also counted among the college-educated staff."),
        torch="24",
    ),
    _count(
        "staff_returnees",
        "staff",
        _("Returnees on staff (留学归国人员)"),
        _("Staff who studied abroad for a degree and came back. Enter 0 if none."),
        torch="24",
    ),
    _count(
        "staff_talent_plan",
        "staff",
        _("Members of national talent plans"),
        _(
            "Staff selected into a national talent programme (e.g. 国家级人才计划, formerly 千人计划). "
            "Enter 0 if none."
        ),
        torch="24",
    ),
    _count(
        "staff_fresh_graduates",
        "staff",
        _("Fresh graduates hired in the year"),
        _("People who graduated this year and joined the firm this year. Enter 0 if none."),
        torch="24",
    ),
    # --- intellectual property ----------------------------------------------------------------
    _count(
        "ip_class1",
        "ip",
        _("Class I IP held (I类知识产权)"),
        _(
            "Valid IP you own that supports your main products: invention patents, plant varieties, "
            "national crop varieties, national new drugs, first-class protected TCM varieties and "
            "IC layout designs. Count items granted and in force, not applications."
        ),
    ),
    _count(
        "ip_class2",
        "ip",
        _("Class II IP held (II类知识产权)"),
        _(
            "Valid IP you own that supports your main products: utility-model patents, design "
            "patents and software copyrights. Trademarks do not count."
        ),
    ),
    _count(
        "ip_applied",
        "ip",
        _("IP applications filed in the year"),
        _("All kinds (patents, software copyrights, ...), filed this year. Enter 0 if none."),
        torch="25",
    ),
    _count(
        "ip_granted",
        "ip",
        _("IP granted in the year"),
        _(
            "All kinds granted this year, including grants of applications filed in earlier years. "
            "Enter 0 if none."
        ),
        torch="25",
    ),
    _count(
        "ip_valid",
        "ip",
        _("Valid IP held at year end"),
        _("All kinds you own that are in force on 31 December."),
        torch="25",
    ),
    _count(
        "invention_patents",
        "ip",
        _("Invention patents held"),
        _("Granted invention patents (发明专利) in force on 31 December; not utility models."),
        torch="25",
    ),
    _count(
        "software_copyrights",
        "ip",
        _("Software copyrights held"),
        _("Registered software copyrights (软件著作权) you own."),
        torch="25",
    ),
    _count("plant_varieties", "ip", _("Plant varieties held"), _("Enter 0 if none."), torch="25"),
    _count("ic_layouts", "ip", _("IC layout designs held"), _("Enter 0 if none."), torch="25"),
    _count(
        "foreign_patents_bought",
        "ip",
        _("Foreign patents bought in the year"),
        _("Patents bought from abroad this year. Enter 0 if none."),
        torch="25",
    ),
    # --- technology results and awards --------------------------------------------------------
    _count(
        "results_converted",
        "results",
        _("Technology results turned into products"),
        _(
            "How many research results (patents, know-how, software ...) became products, services, "
            "processes or licences in the year (科技成果转化). Enter 0 if none."
        ),
    ),
    _count(
        "tech_contracts",
        "results",
        _("Technology contracts registered"),
        _(
            "Technology contracts registered at a technology market this year (技术合同登记). "
            "Enter 0 if none."
        ),
        torch="25",
    ),
    _amount(
        "tech_contracts_amount",
        "results",
        _("Turnover of those contracts"),
        _("The total amount of the technology contracts registered this year. In yuan; enter 0 if none."),
        torch="25",
    ),
    _count(
        "national_projects",
        "results",
        _("National S&T projects won in the year"),
        _(
            "Projects of national science and technology programmes the firm took on this year. "
            "Enter 0 if none."
        ),
        torch="25",
    ),
    _count(
        "provincial_awards",
        "results",
        _("S&T awards won in the year (provincial or higher)"),
        _("Science and technology awards at provincial or national level this year. Enter 0 if none."),
        torch="25",
    ),
    # --- the firm -----------------------------------------------------------------------------
    Field(
        "registration_type",
        "firm",
        Kind.TEXT,
        Storage.FIRM,
        _("Registration type"),
        _("As on your business licence, e.g. 有限责任公司 (limited liability company)."),
        torch="6",
        max_length=60,
    ),
    Field(
        "nbs_industry_code",
        "firm",
        Kind.TEXT,
        Storage.FIRM,
        _("Industry code"),
        _(
            "Your industry in the national classification (GB/T 4754), e.g. I6510 for software "
            "development; a letter and two to four digits, or the digits alone."
        ),
        torch="5",
        max_length=5,
    ),
    Field(
        "taxpayer_type",
        "firm",
        Kind.CHOICE,
        Storage.FIRM,
        _("Taxpayer type"),
        _("General VAT taxpayer or small-scale taxpayer, as registered with the tax office."),
        torch="8",
        choices=tuple(TaxpayerType.choices),
    ),
    Field(
        "founder_profile",
        "firm",
        Kind.CHOICE,
        Storage.FIRM,
        _("Founder's background"),
        _("What best describes the main founder when the firm started."),
        torch="13",
        choices=tuple(FounderProfile.choices),
    ),
    Field(
        "serial_founder",
        "firm",
        Kind.YES_NO,
        Storage.FIRM,
        _("Serial founder"),
        _("Had the main founder founded another firm before this one?"),
        torch="14",
    ),
    Field(
        "founder_sex",
        "firm",
        Kind.CHOICE,
        Storage.FIRM,
        _("Main founder's sex"),
        _("As the statistics return asks."),
        torch="15",
        choices=tuple(Sex.choices),
    ),
    Field(
        "registered_capital",
        "firm",
        Kind.AMOUNT,
        Storage.FIRM,
        _("Registered capital at founding"),
        _("The registered capital on your first business licence. In yuan, e.g. 1,000,000 for 100万."),
        torch="18",
    ),
    # --- the people of field 26 ---------------------------------------------------------------
    Field(
        "unit_head",
        "people",
        Kind.TEXT,
        Storage.PERSON,
        _("Head of the firm (单位负责人)"),
        _("The legal representative or general manager."),
        torch="26",
        max_length=50,
    ),
    Field(
        "statistics_head",
        "people",
        Kind.TEXT,
        Storage.PERSON,
        _("Person responsible for statistics (统计负责人)"),
        _("Often the head of finance."),
        torch="26",
        max_length=50,
    ),
    Field(
        "form_filler",
        "people",
        Kind.TEXT,
        Storage.PERSON,
        _("Person filling in this form (填表人)"),
        _("Your name."),
        torch="26",
        max_length=50,
    ),
    Field(
        "phone",
        "people",
        Kind.TEXT,
        Storage.PERSON,
        _("Phone (联系电话)"),
        _("A number we can call about these figures, e.g. 0532-88886666 or 13800000000."),
        torch="26",
        max_length=40,
    ),
)

FIELDS: dict[str, Field] = {field.name: field for field in CATALOGUE}
ALL_FIELDS: tuple[str, ...] = tuple(FIELDS)
YEAR_FIELDS: tuple[str, ...] = tuple(f.name for f in CATALOGUE if f.storage is Storage.YEAR)
FIRM_FIELDS: tuple[str, ...] = tuple(f.name for f in CATALOGUE if f.storage is Storage.FIRM)
PERSON_FIELDS: tuple[str, ...] = tuple(f.name for f in CATALOGUE if f.storage is Storage.PERSON)
GROUP_LABELS = {group.name: group for group in GROUPS}


def ordered(names: Iterable[str]) -> list[str]:
    """The known names among ``names``, once each, in catalogue order; unknown names dropped."""
    wanted = set(names)
    return [name for name in ALL_FIELDS if name in wanted]


def fields_for(request: FiguresRequest) -> list[str]:
    """The fields a request asks for, in catalogue order: its list (names the catalogue does not
    know are dropped), or every field when the list is empty."""
    asked = request.fields if isinstance(request.fields, list) else []
    if not asked:
        return list(ALL_FIELDS)
    return ordered(name for name in asked if isinstance(name, str))


def grouped(names: Iterable[str]) -> list[tuple[Group, list[Field]]]:
    """The fields of ``names`` by group, groups and fields in catalogue order, empty groups left out."""
    chosen = set(names)
    return [
        (group, fields)
        for group in GROUPS
        if (fields := [f for f in CATALOGUE if f.group == group.name and f.name in chosen])
    ]


def as_text(value: Any) -> str:
    """A cleaned value as the text a submission's values keep: '12000', '12000.5', '-3', 'yes'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def stored_values(
    names: Iterable[str], *, figures: YearlyFigures | None = None, firm: Firm | None = None
) -> dict[str, str]:
    """What is stored for ``names``, as text: year fields from ``figures``, firm fields from
    ``firm``; person fields and missing values are left out."""
    result: dict[str, str] = {}
    for name in names:
        field = FIELDS.get(name)
        if field is None:
            continue
        source = {Storage.YEAR: figures, Storage.FIRM: firm}.get(field.storage)
        value = getattr(source, name, None) if source is not None else None
        if value is not None and value != "":
            result[name] = as_text(value)
    return result


def person_values(values: Mapping[str, Any] | None) -> dict[str, str]:
    """The people of field 26 from an earlier submission's values."""
    values = values if isinstance(values, Mapping) else {}
    return {
        name: values[name] for name in PERSON_FIELDS if isinstance(values.get(name), str) and values[name]
    }

"""The article fixtures load completely, cite their articles, and load safely (idempotent, atomic)."""

from __future__ import annotations

import copy
import datetime
import os
import re
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Organisation
from partners.models import BankRecommendation
from portfolio.choices import (
    AmountPrecision,
    CertificationStatus,
    DatePrecision,
    DeadlineStatus,
    FinancingKind,
    InstitutionRole,
    Instrument,
    LoanStatus,
    RecordOrigin,
    TechField,
)
from portfolio.models import (
    Certification,
    Deadline,
    FinancingEvent,
    Firm,
    FirmAlias,
    Incubator,
    Mentor,
    Milestone,
    Programme,
    Residency,
    ServiceRecord,
)
from portfolio.services.fixtures import FixtureError, fixtures_load
from tests.module_data import built_once
from tests.real_services import require_postgres

ROOT = Path(__file__).resolve().parents[3]
ARTICLES = ROOT / "fixtures" / "articles.yaml"
RAW = yaml.safe_load(ARTICLES.read_text(encoding="utf-8"))
SOURCE_FILES = {source["file"] for source in RAW["sources"]}
SOURCED_MODELS = [Incubator, Firm, Residency, Certification, Milestone, Programme, FinancingEvent, Mentor]
SOURCED_MODELS += [ServiceRecord]


@pytest.fixture(scope="module")
def articles(django_db_setup, django_db_blocker):
    """The article fixtures, loaded once for the module and rolled back after it.

    Each test runs in its own savepoint inside this transaction, so tests cannot see each
    other's writes, and the load (a few seconds) is not repeated for every test.
    """
    yield from built_once(django_db_blocker, lambda: fixtures_load(path=ARTICLES))


def write_yaml(tmp_path: Path, change) -> Path:
    """A copy of the article fixtures with ``change(data)`` applied (a copy of the file parsed once
    above, written by libyaml where PyYAML has it: the loader under test reads it back)."""
    data = copy.deepcopy(RAW)
    change(data)
    path = tmp_path / "changed.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def record(data: dict, section: str, key: str) -> dict:
    return next(r for r in data[section] if r["key"] == key)


# --- what the articles contribute ---------------------------------------------------------


@pytest.mark.django_db
def test_every_record_of_the_yaml_is_loaded_or_skipped_with_a_warning(articles):
    for section in ("organisations", "incubators", "firms", "certifications", "programmes", "financing"):
        counts = articles.counts[section]
        assert counts.created + counts.unchanged == len(RAW[section]), section
    for section, model in (("residencies", Residency), ("milestones", Milestone)):
        loaded = set(model.objects.filter(origin=RecordOrigin.ARTICLE).values_list("key", flat=True))
        skipped = {r["key"] for r in RAW[section]} - loaded
        assert articles.counts[section].skipped == len(skipped)
        assert all(any(f"'{key}' skipped" in w for w in articles.warnings) for key in skipped)


@pytest.mark.django_db
def test_undated_residencies_are_skipped_not_given_a_date(articles):
    assert not Residency.objects.filter(key__in=["res-rongzhi-itri", "res-huachen-itri"]).exists()
    assert any("'res-rongzhi-itri' skipped" in w and "no entry date" in w for w in articles.warnings)


@pytest.mark.django_db
def test_undated_milestones_load_without_a_date(articles):
    award = Milestone.objects.get(key="ms-pengfengcheng-award")
    assert award.occurred_on is None
    assert "No date given" in award.notes


@pytest.mark.django_db
def test_pengfengcheng_keeps_both_full_names_with_their_articles(articles):
    firm = Firm.objects.get(key="firm-pengfengcheng")
    assert firm.name == "鹏锋诚"
    assert set(firm.aliases.values_list("name", "source")) == {
        ("青岛鹏锋诚医疗器械有限公司", "001_86860c137ba2a744.txt"),
        ("青岛鹏锋诚科技有限公司", "002_7ef489f8d8973740.txt"),
    }


@pytest.mark.django_db
def test_pengfengcheng_got_a_1m_rehab_loan_and_an_a_round_via_the_rehab_fund(articles):
    loan = FinancingEvent.objects.get(key="fin-pengfengcheng-rehab-loan")
    assert (loan.firm.key, loan.instrument, loan.amount) == (
        "firm-pengfengcheng",
        Instrument.REHAB_LOAN,
        1000000,
    )
    assert loan.programme.key == "prog-qingdao-rehab-loan"
    a_round = FinancingEvent.objects.get(key="fin-pengfengcheng-a-round")
    assert a_round.amount is None and a_round.amount_precision == AmountPrecision.UNKNOWN
    assert a_round.participants.get().organisation.key == "org-rehab-industry-fund"


@pytest.mark.django_db
def test_rongzhi_bio_is_a_certified_hnte_resident_nowhere_by_assumption(articles):
    firm = Firm.objects.get(key="firm-rongzhi-bio")
    assert firm.name == "融智生物(青岛)有限公司"
    assert firm.certifications.get().kind.code == "hnte"
    assert not firm.residencies.exists()


@pytest.mark.django_db
def test_zhiteng_timeline_2015_to_2022(articles):
    firm = Firm.objects.get(key="firm-zhiteng")
    assert firm.residencies.get().entered_on == datetime.date(2015, 1, 1)
    stated = firm.certifications.filter(assumed=False)
    assert {(c.kind.code, c.issued_on.year) for c in stated} == {
        ("hnte", 2017),
        ("tsme", 2018),
        ("listing_pool", 2019),
        ("provincial_listing_reserve", 2021),
    }
    assert {m.occurred_on.year for m in firm.milestones.exclude(occurred_on=None)} == {2020, 2021}
    strategic = firm.financing.get()
    assert (strategic.instrument, strategic.occurred_on.year) == (Instrument.STRATEGIC, 2022)
    assert strategic.amount_precision == AmountPrecision.ORDER_OF_MAGNITUDE
    assert all(
        precision == DatePrecision.YEAR for precision in stated.values_list("issued_precision", flat=True)
    )


@pytest.mark.django_db
def test_zhitengs_assumed_hnte_renewal_falls_due_in_2026(articles):
    renewal = Certification.objects.get(key="cert-zhiteng-hnte-2023-assumed")
    assert renewal.assumed and renewal.notes.startswith("DEMO ASSUMPTION")
    recertification = renewal.deadlines.get(obligation__code="recertification")
    assert recertification.due_on.year == 2026
    assert recertification.status == DeadlineStatus.OPEN
    assert set(
        Certification.objects.filter(firm__key="firm-zhiteng", assumed=True).values_list("key", flat=True)
    ) == {
        "cert-zhiteng-hnte-2020-assumed",
        "cert-zhiteng-hnte-2023-assumed",
    }


@pytest.mark.django_db
def test_certificates_without_a_stated_expiry_get_it_from_the_kind_and_say_so(articles):
    hnte_2017 = Certification.objects.get(key="cert-zhiteng-hnte-2017")
    # Issued "2017" (year precision): valid to "2020", never to a day nobody stated.
    assert (hnte_2017.expires_on, hnte_2017.expires_precision) == (datetime.date(2020, 1, 1), "year")
    assert "Expiry not stated: derived from the kind's validity (36 months)" in hnte_2017.notes
    assert Deadline.objects.filter(certification=hnte_2017).exists()


@pytest.mark.django_db
def test_huachen_b_round_of_close_to_100m(articles):
    event = FinancingEvent.objects.get(firm__key="firm-huachen")
    assert (event.kind, event.instrument) == (FinancingKind.EQUITY, Instrument.ROUND_B)
    assert (event.amount, event.amount_precision) == (Decimal("100000000"), AmountPrecision.APPROXIMATE)
    assert event.date_precision == DatePrecision.APPROXIMATE


@pytest.mark.django_db
def test_jianxin_shuoguojin_5m_then_a_10m_a_round(articles):
    events = {e.instrument: e for e in FinancingEvent.objects.filter(firm__key="firm-jianxin")}
    assert events[Instrument.SHUOGUOJIN].amount == 5_000_000
    assert events[Instrument.SHUOGUOJIN].programme.name == "硕果金"
    assert events[Instrument.ROUND_A].amount == 10_000_000
    assert events[Instrument.CREDIT].amount == 10_000_000


@pytest.mark.django_db
def test_nengfeng_first_of_a_kind_insurance_of_21m_with_picc(articles):
    event = FinancingEvent.objects.get(firm__key="firm-nengfeng", kind=FinancingKind.INSURANCE)
    assert (event.instrument, event.amount) == (Instrument.FIRST_OF_KIND_INSURANCE, 21_000_000)
    insurer = event.participants.get()
    assert (insurer.organisation.key, insurer.role) == ("org-picc-qingdao", InstitutionRole.INSURER)


@pytest.mark.django_db
def test_taili_ip_pledge_loan_under_the_yantai_programme(articles):
    loan = FinancingEvent.objects.get(firm__name="泰利汽车模具")
    assert (loan.kind, loan.instrument, loan.loan_status) == (
        FinancingKind.LOAN,
        Instrument.IP_PLEDGE,
        LoanStatus.DISBURSED,
    )
    assert loan.programme.fund_size == 5_000_000
    assert set(loan.programme.operators.values_list("key", flat=True)) == {
        "org-yantai-hitech-zone",
        "org-bank-of-china",
    }


@pytest.mark.django_db
def test_itri_incubator_with_li_kai(articles):
    incubator = Incubator.objects.get(key="inc-qingdao-itri")
    assert incubator.operator.name == "青岛市工业技术研究院"
    li_kai = Mentor.objects.get(name="李恺")
    assert li_kai.name_en == "Li Kai"
    assert li_kai.organisation == incubator.operator
    assert list(li_kai.incubators.all()) == [incubator]
    assert set(incubator.residencies.values_list("firm__key", flat=True)) == {
        "firm-pengfengcheng",
        "firm-zhiteng",
    }


@pytest.mark.django_db
def test_rehab_incubator_and_its_loan_with_bank_of_qingdao(articles):
    incubator = Incubator.objects.get(name="康复产业孵化器")
    assert incubator.city == "青岛"
    programme = Programme.objects.get(key="prog-qingdao-rehab-loan")
    assert programme.cap_per_firm == 5_000_000
    assert incubator.operator in programme.operators.all()
    assert programme.operators.filter(name="青岛银行科技支行").exists()


@pytest.mark.django_db
def test_industry_text_is_kept_and_mapped_to_a_tech_field_only_when_it_fits(articles):
    jianxin = Firm.objects.get(key="firm-jianxin")
    assert (jianxin.industry, jianxin.industry_detail) == (
        TechField.BIOMEDICINE,
        "medical devices (医疗器械)",
    )
    assert "Technology: 智能双引擎动态混合能量手术系统" in jianxin.notes
    taili = Firm.objects.get(key="firm-taili-auto-mould")
    assert (taili.industry, taili.industry_detail) == ("", "automotive moulds")


@pytest.mark.django_db
def test_fields_without_a_model_field_go_into_the_notes(articles):
    fund = Organisation.objects.get(key="org-rehab-industry-fund")
    assert "Set up by: 德丰杰龙脉中国基金 (org-dfj-dragon-fund-china)" in fund.notes
    rewards = Programme.objects.get(key="prog-yantai-incubator-rewards")
    assert "Started: 2020-01-01 (precision: year)" in rewards.notes
    assert "national 5000000" in rewards.notes
    service = ServiceRecord.objects.get(key="svc-yantai-tech-broker-training")
    assert "Run by: 烟台市(国际)技术市场 (org-yantai-intl-tech-market)" in service.notes
    assumed_expiry = Certification.objects.get(key="cert-zhiteng-hnte-2023-assumed")
    assert assumed_expiry.expires_precision == DatePrecision.YEAR  # a field now, not a note


# --- citations and precision -------------------------------------------------------------


@pytest.mark.django_db
def test_every_record_cites_an_article_file_of_the_yaml(articles):
    for model in SOURCED_MODELS:
        rows = model.objects.filter(origin=RecordOrigin.ARTICLE)
        assert rows.exists(), model
        for row in rows:
            assert row.key and row.source_quote, row
            assert set(row.source.split(", ")) <= SOURCE_FILES, row.key
    for organisation in Organisation.objects.exclude(key=None):
        assert set(organisation.source.split(", ")) <= SOURCE_FILES
        assert "Source quote: " in organisation.notes
    assert set(FirmAlias.objects.values_list("source", flat=True)) <= SOURCE_FILES


DATE_FIELDS = [
    ("firms", "founded", Firm, "founded_precision"),
    ("residencies", "entered", Residency, "entered_precision"),
    ("certifications", "issued", Certification, "issued_precision"),
    ("milestones", "date", Milestone, "date_precision"),
    ("financing", "date", FinancingEvent, "date_precision"),
    ("services", "date", ServiceRecord, "date_precision"),
]


@pytest.mark.django_db
def test_approximate_dates_are_flagged_approximate(articles):
    flagged = 0
    for section, field, model, precision_field in DATE_FIELDS:
        for raw in RAW[section]:
            if (raw.get(field) or {}).get("precision") == "approximate":
                row = model.objects.get(key=raw["key"])
                assert getattr(row, precision_field) == DatePrecision.APPROXIMATE, raw["key"]
                flagged += 1
    assert flagged >= 8


# --- idempotent, atomic, validated ---------------------------------------------------------


@pytest.mark.django_db
def test_loading_twice_changes_nothing(articles):
    stamps = {model: dict(model.objects.values_list("key", "updated_at")) for model in SOURCED_MODELS}
    history = {model: model.history.count() for model in SOURCED_MODELS}
    deadlines = Deadline.objects.count()
    again = fixtures_load(path=ARTICLES)
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values())
    assert {model: dict(model.objects.values_list("key", "updated_at")) for model in SOURCED_MODELS} == stamps
    assert {model: model.history.count() for model in SOURCED_MODELS} == history
    assert Deadline.objects.count() == deadlines


@pytest.mark.django_db
def test_a_changed_record_is_updated_in_place(articles, tmp_path):
    path = write_yaml(tmp_path, lambda d: record(d, "firms", "firm-nawei").update(name_en="Nawei Tech"))
    result = fixtures_load(path=path)
    assert (result.counts["firms"].updated, result.counts["firms"].unchanged) == (1, len(RAW["firms"]) - 1)
    assert Firm.objects.get(key="firm-nawei").name_en == "Nawei Tech"


def _late_break_with_early_change(data: dict, breaking) -> None:
    record(data, "firms", "firm-nawei")["name_en"] = "CHANGED BEFORE THE BREAK"
    data["firms"].append({**record(data, "firms", "firm-weigao"), "key": "firm-new", "name_zh": "新公司"})
    breaking(data)


@pytest.mark.django_db
def test_a_bad_date_saves_nothing_and_names_the_record(articles, tmp_path):
    def bad_date(data):
        record(data, "services", "svc-weihai-competition-training")["date"] = {
            "value": "2024-02-30",
            "precision": "day",
        }

    path = write_yaml(tmp_path, lambda d: _late_break_with_early_change(d, bad_date))
    with pytest.raises(FixtureError) as caught:
        fixtures_load(path=path)
    assert "services record 'svc-weihai-competition-training' field 'date'" in str(caught.value)
    assert "'2024-02-30' is not a date" in str(caught.value)
    assert Firm.objects.get(key="firm-nawei").name_en == "Qingdao Nawei Technology Co., Ltd."
    assert not Firm.objects.filter(key="firm-new").exists()


@pytest.mark.django_db
def test_an_unknown_firm_key_saves_nothing_and_names_the_record(articles, tmp_path):
    def unknown_firm(data):
        record(data, "financing", "fin-kangfang-guidance-fund")["firm"] = "firm-nobody"

    path = write_yaml(tmp_path, lambda d: _late_break_with_early_change(d, unknown_firm))
    with pytest.raises(FixtureError) as caught:
        fixtures_load(path=path)
    assert str(caught.value) == (
        "financing record 'fin-kangfang-guidance-fund' field 'firm': unknown key 'firm-nobody'"
    )
    assert not Firm.objects.filter(key="firm-new").exists()


@pytest.mark.django_db
def test_a_model_rule_broken_by_a_record_names_its_yaml_field(articles, tmp_path):
    path = write_yaml(
        tmp_path,
        lambda d: record(d, "financing", "fin-huachen-b-round").update(loan_status="disbursed"),
    )
    with pytest.raises(FixtureError, match=r"fin-huachen-b-round.*Loan status and term apply to loans only"):
        fixtures_load(path=path)


@pytest.mark.django_db
def test_a_citation_of_an_unknown_article_is_refused(articles, tmp_path):
    path = write_yaml(tmp_path, lambda d: record(d, "mentors", "mentor-li-kai").update(source="999_x.txt"))
    with pytest.raises(
        FixtureError, match=re.escape("mentors record 'mentor-li-kai' field 'source': cites 999_x.txt")
    ):
        fixtures_load(path=path)


@pytest.mark.django_db
def test_an_unknown_field_is_refused_rather_than_dropped(articles, tmp_path):
    path = write_yaml(tmp_path, lambda d: record(d, "firms", "firm-nawei").update(website_url="x"))
    with pytest.raises(FixtureError, match="firms record 'firm-nawei' field 'website_url': unknown field"):
        fixtures_load(path=path)


@pytest.mark.django_db
def test_the_command_fails_with_the_record_key(tmp_path):
    path = write_yaml(tmp_path, lambda d: record(d, "milestones", "ms-xpeng-capacity-2022").update(firm="x"))
    with pytest.raises(
        CommandError, match=re.escape("Nothing was loaded. milestones record 'ms-xpeng-capacity-2022'")
    ):
        call_command("load_demo", path=path, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.mark.django_db
def test_dry_run_validates_and_saves_nothing(tmp_path):
    path = write_yaml(
        tmp_path, lambda d: d["firms"].append({**d["firms"][0], "key": "firm-dry", "name_zh": "干"})
    )
    result = fixtures_load(path=path, dry_run=True)
    assert result.counts["firms"].created >= 1
    assert not Firm.objects.filter(key="firm-dry").exists()


@pytest.mark.django_db
def test_a_white_list_record_becomes_a_bank_recommendation(articles, tmp_path):
    entry = {
        "key": "wl-taili-boc",
        "firm": "firm-taili-auto-mould",
        "incubator": "inc-yantai-college-startup-park",
        "bank": "org-bank-of-china",
        "date": {"value": "2020-11-01", "precision": "approximate"},
        "note": "Test entry.",
        "source": "000_22c7a1ffd5b18f91.txt",
        "quote": "协助泰利汽车模具等14家企业获得贷款1.88亿元",
    }
    path = write_yaml(tmp_path, lambda d: d.update(white_list=[entry]))
    fixtures_load(path=path)
    again = fixtures_load(path=path)
    recommendation = BankRecommendation.objects.get(firm__key="firm-taili-auto-mould")
    assert recommendation.bank.key == "org-bank-of-china"
    assert "Date precision: approximate" in recommendation.reason
    assert again.counts["white_list"].unchanged == 1


# --- fresh databases, as `python3 dev.py` and CI create them --------------------------------


def _manage(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _load_into_fresh_database(database_url: str, broken: Path) -> None:
    for args in (("migrate", "--noinput"), ("load_demo",)):
        result = _manage(*args, database_url=database_url)
        assert result.returncode == 0, result.stderr
    assert re.search(r"^  firms +16 created, 0 updated", result.stdout, re.MULTILINE), result.stdout
    again = _manage("load_demo", database_url=database_url)
    assert again.returncode == 0, again.stderr
    counts = re.findall(r"^  [a-z_ ]+? +(\d+) created, (\d+) updated", again.stdout, re.MULTILINE)
    assert len(counts) >= 12 and set(counts) == {("0", "0")}, again.stdout
    failed = _manage("load_demo", "--path", str(broken), database_url=database_url)
    assert failed.returncode != 0
    assert "certifications record 'cert-rongzhi-hnte' field 'kind'" in failed.stderr


@pytest.fixture
def broken_yaml(tmp_path) -> Path:
    return write_yaml(
        tmp_path, lambda d: record(d, "certifications", "cert-rongzhi-hnte").update(kind="nope")
    )


@pytest.mark.slow
def test_loads_into_a_fresh_database_of_the_other_engine(tmp_path, broken_yaml):
    """The suite covers its own engine in-process; this covers the other one from scratch."""
    if connection.vendor != "sqlite":
        _load_into_fresh_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}", broken_yaml)
        return
    admin_url = require_postgres()
    name = f"incubator_fixtures_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _load_into_fresh_database(admin_url.rsplit("/", 1)[0] + f"/{name}", broken_yaml)
    finally:
        with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_zhiteng_stays_in_the_listing_pool_with_a_yearly_review_not_a_lapse(articles):
    """Article 002: in the pool from 2019 and still there in 2021; the pool does not expire."""
    pool = Certification.objects.get(key="cert-zhiteng-listing-pool-2019")
    assert pool.kind.validity_months is None
    assert (pool.status, pool.expires_on) == (CertificationStatus.GRANTED, None)
    today = datetime.date.today()
    open_deadlines = list(pool.deadlines.filter(status=DeadlineStatus.OPEN))
    assert [d.obligation.code for d in open_deadlines] == ["annual-review"]
    [review] = open_deadlines
    assert today <= review.due_on <= today + datetime.timedelta(days=366)  # the next one, not overdue
    assert review.due_precision == DatePrecision.YEAR  # joined "2019": the anniversary is approximate


@pytest.mark.django_db
def test_assumed_records_say_they_are_assumed_not_granted_per_the_source(articles):
    assumed = Certification.objects.filter(assumed=True)
    assert assumed.exists()
    for certification in assumed:
        assert "per the source" not in certification.notes
    lapsed = Certification.objects.get(key="cert-zhiteng-hnte-2020-assumed")
    assert lapsed.status == CertificationStatus.EXPIRED
    assert "Assumed granted (not in the source); expired since its expiry date has passed." in lapsed.notes

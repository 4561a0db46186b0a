"""The certification-ladder summary a bank sees of each consented firm: conclusions, never the
firm's innovation self-assessment."""

import datetime
import json

import pytest
from django.utils import timezone

from ladder.facts import ASSESSMENT_FIELDS
from ladder.standing import standings
from partners.selectors import ladder_residencies
from tests.factories import (
    CertificationFactory,
    ConsentFactory,
    ResidencyFactory,
    SelfAssessmentFactory,
    YearlyFiguresFactory,
    kind,
)

pytestmark = pytest.mark.django_db

# The self-assessment's items (its "year" is also a yearly-figures field, shown in its own right).
SELF_ASSESSED = [name for name in ASSESSMENT_FIELDS if name != "year"]


@pytest.fixture
def tsme_firm(bank):
    """Eligible for TSME on today's date (score 16 + 50 + 30), not for HNTE (no core IP), with a
    self-assessment for this year that the bank must not see."""
    today = timezone.localdate()
    firm = ConsentFactory(
        organisation=bank,
        firm__founded_on=datetime.date(2018, 5, 1),
        firm__audited_taxation=True,
        firm__core_ip=False,
        firm__high_tech_field_confirmed=True,
    ).firm
    ResidencyFactory(
        firm=firm,
        entered_on=datetime.date(2019, 1, 1),
        exited_on=datetime.date(2021, 1, 1),
        exit_reason="moved_out",
    )
    ResidencyFactory(firm=firm, entered_on=datetime.date(2022, 3, 1))
    for year in range(today.year - 3, today.year):
        YearlyFiguresFactory(
            firm=firm,
            year=year,
            revenue=20_000_000,
            rd_expense=1_500_000,
            rd_expense_domestic=1_400_000,
            high_tech_revenue=15_000_000,
            total_assets=30_000_000,
            total_liabilities=10_000_000,
            total_cost=18_000_000,
            employees=60,
            rd_staff=15,
            ip_class1=1,
            ip_class2=5,
            results_converted=3,
        )
    SelfAssessmentFactory(firm=firm, year=today.year)
    return firm


def test_a_consented_firm_shows_its_ladder_summary(api, tsme_firm):
    ladder = api.get(f"/api/v1/firms/{tsme_firm.pk}/").json()["ladder"]
    assert ladder == {
        "evaluated_on": timezone.localdate().isoformat(),
        "current_rung": "none",
        "next_rung": "tsme",
        "tsme": {"status": "eligible", "eligible": True, "score": 96, "rules_version": "tsme-2022"},
        "hnte": {
            "status": "not_eligible",
            "eligible": False,
            "rules_version": ladder["hnte"]["rules_version"],
            "conditions": {
                "registered_one_year": True,
                "core_ip": False,
                "high_tech_field": True,
                "tech_staff": True,
                "rd_ratio": True,
                "rd_domestic": True,
                "high_tech_revenue": True,
                "innovation_score": ladder["hnte"]["conditions"]["innovation_score"],
                "clean_record": True,
            },
        },
    }
    assert ladder["hnte"]["rules_version"].startswith("hnte-")
    assert isinstance(ladder["hnte"]["conditions"]["innovation_score"], bool)
    assert api.get("/api/v1/firms/").json()["results"][0]["ladder"] == ladder


def test_the_summary_shows_nothing_of_the_self_assessment(api, tsme_firm):
    on = timezone.localdate()
    [standing] = standings(ladder_residencies([tsme_firm.pk]), on)
    innovation = standing.evaluations["hnte"].criteria["innovation_score"]
    assert innovation.self_assessed and innovation.points is not None  # there is something to hide
    for url in ("/api/v1/firms/", f"/api/v1/firms/{tsme_firm.pk}/"):
        text = api.get(url).content.decode()
        for word in ("self_assess", "assessment", "parts", "points", "gap", *SELF_ASSESSED):
            assert word not in text, (url, word)
        assert f'"innovation_score":{innovation.points}' not in text.replace(" ", "")
        body = json.loads(text)
        ladder = (body["results"][0] if "results" in body else body)["ladder"]
        # The only number in the summary is the TSME score, computed from figures only.
        assert numbers(ladder) == [standing.evaluations["tsme"].score] == [96]


def numbers(value) -> list:
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_a_firm_holding_hnte_is_on_the_hnte_rung(api, tsme_firm):
    today = timezone.localdate()
    CertificationFactory(
        firm=tsme_firm,
        kind=kind("hnte"),
        issued_on=today - datetime.timedelta(days=30),
        expires_on=today + datetime.timedelta(days=1000),
    )
    ladder = api.get(f"/api/v1/firms/{tsme_firm.pk}/").json()["ladder"]
    assert (ladder["current_rung"], ladder["next_rung"]) == ("hnte", "listing")


def test_the_ladder_reads_the_open_residency_else_the_latest(tsme_firm):
    open_one = tsme_firm.residencies.get(exited_on__isnull=True)
    assert list(ladder_residencies([tsme_firm.pk])) == [open_one]
    open_one.exited_on, open_one.exit_reason = datetime.date(2024, 1, 1), "moved_out"
    open_one.save()
    assert list(ladder_residencies([tsme_firm.pk])) == [open_one]  # the latest of two closed ones


def test_a_firm_without_residency_has_no_ladder(api, consented_firm):
    assert api.get(f"/api/v1/firms/{consented_firm.pk}/").json()["ladder"] is None
    assert api.get("/api/v1/firms/").json()["results"][0]["ladder"] is None


def test_the_schema_has_the_ladder_component(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    assert "ladder" in components["Firm"]["properties"]
    assert {"LadderSummary", "TsmeSummary", "HnteSummary", "HnteConditions"} <= set(components)
    conditions = components["HnteConditions"]["properties"]
    assert "not shared" in conditions["innovation_score"]["description"]
    assert "score" not in components["HnteSummary"]["properties"]
    assert "not a certificate" in components["TsmeSummary"]["properties"]["eligible"]["description"]

"""The innovation score a partner bank reads: the breakdown endpoint, the list's summary and its
min_score filter, under the same consent scoping as every firm route, in pinned queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import AccessLogEntry
from scoring.services import score_pack_load, scores_recompute_all
from tests.factories import ConsentFactory, IncubatorFactory, MembershipFactory
from tests.partners.api.test_query_counts import ACCESS_LOG_QUERIES, FIRM_LIST_QUERIES
from tests.scoring.factories import cohort_of_four, score_year, scored_firm
from tests.scoring.packs import small_raw

pytestmark = pytest.mark.django_db
MISSING_ID = 987654321


@pytest.fixture
def qingdao():
    return IncubatorFactory(city="青岛")


@pytest.fixture
def cohort(bank, qingdao, django_capture_on_commit_callbacks):
    """The hand-worked cohort of tests/scoring (A 44.67 young, B 63.33, C 53.33, D no score),
    scored with the small test pack, every firm consented to the bank."""
    with django_capture_on_commit_callbacks(execute=False):
        score_pack_load(raw=small_raw(), activate=True)
    firms = cohort_of_four(qingdao)
    for firm in firms:
        ConsentFactory(firm=firm, organisation=bank)
    scores_recompute_all()
    return firms


def url(firm_id: int) -> str:
    return f"/api/v1/firms/{firm_id}/innovation-score/"


def test_the_breakdown_explains_the_score_indicator_by_indicator(api, cohort):
    body = api.get(url(cohort[0].pk)).json()
    assert (body["firm"], body["status"], body["total"], body["year"]) == (
        cohort[0].pk,
        "scored",
        "44.67",
        score_year(),
    )
    assert body["stage"] == {"key": "young", "label": "初创", "label_en": "Young"}
    assert body["pack"]["version"] == "test-small-1" and body["pack"]["label"] == "zone"
    assert body["cohort"] == {
        "key": f"{score_year()}/city:青岛",
        "by": "city",
        "value": "青岛",
        "size": 4,
        "min_size": 3,
    }
    rd = body["indicators"][0]
    assert {
        k: rd[k] for k in ("key", "value", "normalised", "weight", "contribution", "status", "reporting")
    } == {
        "key": "rd",
        "value": "100.00",
        "normalised": "33.33",
        "weight": "50",
        "contribution": "16.67",
        "status": "scored",
        "reporting": 4,
    }
    assert (rd["label"], rd["label_en"], rd["unit"], rd["period_years"]) == ("研发费用", "R&D", "cny", 1)
    contributions = [i["contribution"] for i in body["indicators"]] + [
        i["contribution"] for i in body["items"]
    ]
    assert sum(Decimal(c) for c in contributions) == Decimal(body["total"])


def test_a_firm_with_too_little_data_shows_no_score_and_what_is_missing(api, cohort):
    body = api.get(url(cohort[3].pk)).json()
    assert (body["status"], body["total"], body["reasons"], body["completeness"]) == (
        "no_score",
        None,
        ["incomplete"],
        "0.4000",
    )
    assert body["missing"] == [
        {"source": "figures", "field": "revenue", "year": score_year(), "problem": "not_reported"},
        {"source": "figures", "field": "revenue", "year": score_year() - 1, "problem": "not_reported"},
    ]
    assert [i["status"] for i in body["indicators"]] == ["scored", "missing", "missing"]


def test_a_firm_not_scored_yet_says_so(api, consented_firm):
    body = api.get(url(consented_firm.pk)).json()
    assert (body["status"], body["reasons"], body["total"], body["indicators"]) == (
        "no_score",
        ["not_computed"],
        None,
        [],
    )


def test_reading_a_score_is_in_the_access_log(api, bank, cohort):
    api.get(url(cohort[1].pk))
    entry = AccessLogEntry.objects.get()
    assert (entry.organisation, entry.firm_ids) == (bank, [cohort[1].pk])


# --- the consent matrix -------------------------------------------------------------------------

TODAY = object()


@pytest.mark.parametrize(
    ("consent", "visible"),
    [
        ({}, True),
        ({"ends_on": TODAY}, True),
        ({"ends_on": -1}, False),
        ({"starts_on": 1}, False),
        ({"revoked_at": True}, False),
        (None, False),  # no consent at all
        ("other_bank", False),
    ],
    ids=["in_force", "ends_today", "ended", "not_started", "revoked", "none", "another_bank"],
)
def test_the_score_follows_the_consent(api, bank, other_bank, qingdao, consent, visible):
    firm = scored_firm(qingdao, age=2, rd=100)
    today = timezone.localdate()
    if consent == "other_bank":
        ConsentFactory(firm=firm, organisation=other_bank)
    elif consent is not None:
        fields = {}
        for name, value in consent.items():
            if name == "revoked_at":
                fields[name] = timezone.now()
            elif value is TODAY:
                fields[name] = today
            else:
                fields[name] = today + datetime.timedelta(days=value)
        ConsentFactory(firm=firm, organisation=bank, **fields)
    scores_recompute_all()
    response = api.get(url(firm.pk))
    missing = api.get(url(MISSING_ID))
    if visible:
        assert response.status_code == 200 and response.json()["firm"] == firm.pk
    else:
        assert (response.status_code, response.content) == (404, missing.content)
    listed = [f["id"] for f in api.get("/api/v1/firms/", {"min_score": "0"}).json()["results"]]
    assert (firm.pk in listed) is (visible and response.json().get("status") == "scored")


def test_staff_see_the_scores_of_their_incubators_only(cohort, qingdao):
    membership = MembershipFactory(incubator=qingdao)
    client = APIClient()
    client.force_login(membership.user)
    assert client.get(url(cohort[0].pk)).json()["total"] == "44.67"
    elsewhere = scored_firm(IncubatorFactory(city="烟台"), age=2, rd=100)
    assert client.get(url(elsewhere.pk)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_not_allowed_on_a_visible_score(api, cohort, method):
    assert getattr(api, method)(url(cohort[0].pk), {}, format="json").status_code == 405


# --- the list -----------------------------------------------------------------------------------


def test_the_list_carries_total_stage_and_pack_version(api, cohort):
    entries = {f["id"]: f["innovation_score"] for f in api.get("/api/v1/firms/").json()["results"]}
    a, d = entries[cohort[0].pk], entries[cohort[3].pk]
    assert {k: a[k] for k in ("status", "total", "stage", "pack_version", "completeness", "year")} == {
        "status": "scored",
        "total": "44.67",
        "stage": "young",
        "pack_version": "test-small-1",
        "completeness": "1.0000",
        "year": score_year(),
    }
    assert (d["status"], d["total"]) == ("no_score", None)


@pytest.mark.parametrize(
    ("min_score", "expected"),
    [("0", [0, 1, 2]), ("50", [1, 2]), ("53.33", [1, 2]), ("53.34", [1]), ("63.33", [1]), ("90", [])],
)
def test_min_score_keeps_the_firms_scoring_at_least_that(api, cohort, min_score, expected):
    ids = [f["id"] for f in api.get("/api/v1/firms/", {"min_score": min_score}).json()["results"]]
    assert ids == [cohort[n].pk for n in expected]


@pytest.mark.parametrize("bad", ["-1", "abc", "1e999999", "0.001", "100000"])
def test_a_bad_min_score_is_a_400_naming_the_parameter(api, cohort, bad):
    response = api.get("/api/v1/firms/", {"min_score": bad})
    assert response.status_code == 400 and list(response.json()) == ["min_score"]


def test_min_score_never_reveals_another_banks_firm(api, cohort, other_bank, qingdao):
    hidden = scored_firm(qingdao, age=12, rd=10_000, revenue=10_000, revenue_before=100)
    ConsentFactory(firm=hidden, organisation=other_bank)
    scores_recompute_all()
    ids = [f["id"] for f in api.get("/api/v1/firms/", {"min_score": "0"}).json()["results"]]
    assert hidden.pk not in ids and ids


# --- queries ------------------------------------------------------------------------------------


def scored_portfolio(bank, incubator, n: int) -> None:
    """``n`` firms with enough figures for a score under the shipped pack (at least five: a
    smaller cohort gets no scores)."""
    figures = {"employees": 20, "rd_staff": 5, "ip_class1": 1, "high_tech_revenue": 700, "tax_paid": 30}
    with_scores = [
        scored_firm(incubator, age=i % 9, rd=100 + i, revenue=1000 + i, revenue_before=900, **figures)
        for i in range(n)
    ]
    for firm in with_scores:
        ConsentFactory(firm=firm, organisation=bank)
    scores_recompute_all()


@pytest.mark.parametrize("n", [5, 50])
@pytest.mark.parametrize("query", [{}, {"min_score": "0"}])
def test_the_list_with_scores_keeps_its_pinned_query_count(
    api, bank, qingdao, n, query, django_assert_num_queries
):
    scored_portfolio(bank, qingdao, n)
    with django_assert_num_queries(FIRM_LIST_QUERIES):
        response = api.get("/api/v1/firms/", query)
    results = response.json()["results"]
    assert len(results) == n
    assert {(f["innovation_score"]["status"], f["innovation_score"]["pack_version"]) for f in results} == {
        ("scored", "ours-2025.1")
    }


def test_the_score_endpoint_query_count(api, cohort, django_assert_num_queries):
    # key lookup, last-used update, firm visible?, the score, its pack (for the words), the access log
    with django_assert_num_queries(5 + ACCESS_LOG_QUERIES):
        assert api.get(url(cohort[0].pk)).status_code == 200


def test_the_schema_documents_the_endpoint_with_examples(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/firms/{firm_id}/innovation-score/"]["get"]
    examples = operation["responses"]["200"]["content"]["application/json"]["examples"]
    assert set(examples) == {"Scored", "TooLittleData:NoScore"}
    assert "404" in operation["responses"]
    firm_list = schema["paths"]["/api/v1/firms/"]["get"]
    assert "min_score" in [p["name"] for p in firm_list["parameters"]]

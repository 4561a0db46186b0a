"""Recomputing scores in the database: the hand-worked cohort, pack switches, missing data,
cohort moves, and the few queries a cohort costs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.models import FirmScore, ScorePack
from scoring.selectors import score_described
from scoring.services import firm_scores_recompute, score_pack_activate, score_pack_load, scores_recompute_all
from tests.factories import IncubatorFactory
from tests.scoring.factories import cohort_of_four, score_year, scored_firm
from tests.scoring.packs import small_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pack_active(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the test recomputes itself
        row, _ = score_pack_load(raw=small_raw(), activate=True)
    return row


@pytest.fixture
def qingdao():
    return IncubatorFactory(city="青岛")


def scores(firms) -> list[FirmScore]:
    return [FirmScore.objects.get(firm=firm) for firm in firms]


def test_the_hand_worked_cohort_is_stored_to_the_cent(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    scores_recompute_all()
    a, b, c, d = scores(firms)
    assert [a.total, b.total, c.total, d.total] == [
        Decimal("44.67"),
        Decimal("63.33"),
        Decimal("53.33"),
        None,
    ]
    assert (a.stage, b.stage, a.cohort_key, a.cohort_size) == (
        "young",
        "mature",
        f"{score_year()}/city:青岛",
        4,
    )
    assert [line["contribution"] for line in a.breakdown["lines"]] == ["16.67", "15.00", "10.00"]
    assert [line["normalised"] for line in a.breakdown["lines"]] == ["33.33", "50.00", "50.00"]
    assert a.breakdown["items"][0] == {
        "key": "hnte",
        "kind": "bonus",
        "applies": True,
        "contribution": "3.00",
    }


def test_the_stored_breakdown_is_described_with_the_words_of_its_pack(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    scores_recompute_all()
    described = score_described(FirmScore.objects.get(firm=firms[0]))
    assert described["pack"]["version"] == "test-small-1" and described["pack"]["label"] == "zone"
    assert described["stage"] == {"key": "young", "label": {"zh": "初创", "en": "Young"}}
    line = described["lines"][1]
    assert (line["label"], line["unit"], line["group"]) == (
        {"zh": "研发强度", "en": "R&D intensity"},
        "share",
        "tech",
    )
    assert described["items"][0]["points"] == "3"


def test_stored_contributions_add_up_to_the_total(small_pack_active, qingdao):
    cohort_of_four(qingdao)
    scores_recompute_all()
    for score in FirmScore.objects.filter(status="scored"):
        lines = score.breakdown["lines"] + score.breakdown["items"]
        assert sum(Decimal(line["contribution"]) for line in lines) == score.total


def test_missing_data_gives_no_score_and_names_what_is_missing(small_pack_active, qingdao):
    d = cohort_of_four(qingdao)[3]
    scores_recompute_all()
    score = FirmScore.objects.get(firm=d)
    year = score_year()
    assert (score.status, score.total, score.completeness, score.reasons) == (
        "no_score",
        None,
        Decimal("0.4000"),
        ["incomplete"],
    )
    assert score.breakdown["missing"] == [
        {"source": "figures", "field": "revenue", "year": year, "problem": "not_reported"},
        {"source": "figures", "field": "revenue", "year": year - 1, "problem": "not_reported"},
    ]
    assert [line["status"] for line in score.breakdown["lines"]] == ["scored", "missing", "missing"]


def test_a_pack_switch_changes_the_scores_and_records_the_version(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    scores_recompute_all()
    before = {s.firm_id: s.total for s in scores(firms)}
    raw = small_raw("test-small-2")
    for indicator, weights in zip(
        raw["data"]["indicators"],
        ({"young": 20, "mature": 20}, {"young": 30, "mature": 40}, {"young": 50, "mature": 40}),
        strict=True,
    ):
        indicator["weights"] = weights
    row, _ = score_pack_load(raw=raw)
    score_pack_activate(pack=row)
    scores_recompute_all()
    after = scores(firms)
    assert {s.pack_version for s in after} == {"test-small-2"}
    assert after[0].breakdown["pack"] == "test-small-2"
    # A (young): R&D 20 x 33.33% = 6.67, intensity 30 x 50% = 15, growth 50 x 50% = 25, HNTE +3.
    assert after[0].total == Decimal("49.67") != before[firms[0].pk]
    assert ScorePack.objects.get(active=True).version == "test-small-2"


def test_the_shipped_pack_is_active_after_the_migrations():
    assert list(ScorePack.objects.filter(active=True).values_list("version", "label")) == [
        ("ours-2025.1", "ours")
    ]


def test_a_firm_recompute_moves_the_others_in_its_cohort(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    scores_recompute_all()
    new = scored_firm(qingdao, age=11, rd=200, revenue=3000, revenue_before=3000)
    firm_scores_recompute(firm_ids=[new.pk])
    a, b = scores(firms[:2])
    assert a.cohort_size == 5 and a.breakdown["lines"][0]["normalised"] == "25.00"
    assert b.breakdown["lines"][0]["normalised"] == "87.50"
    assert FirmScore.objects.get(firm=new).cohort_size == 5


def test_a_firm_that_moves_city_leaves_its_old_cohort_recomputed(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    extra = scored_firm(qingdao, age=11, rd=200, revenue=3000, revenue_before=3000)
    scores_recompute_all()
    residency = extra.residencies.get()
    residency.incubator = IncubatorFactory(city="烟台")
    residency.save()
    firm_scores_recompute(firm_ids=[extra.pk])
    assert scores(firms)[0].cohort_size == 4
    moved = FirmScore.objects.get(firm=extra)
    assert (moved.cohort_key, moved.cohort_size, moved.reasons) == (
        f"{score_year()}/city:烟台",
        1,
        ["cohort_too_small"],
    )


def test_running_the_recompute_twice_writes_the_same_scores(small_pack_active, qingdao):
    cohort_of_four(qingdao)
    scores_recompute_all()
    first = list(FirmScore.objects.order_by("pk").values("pk", "total", "breakdown", "cohort_key"))
    scores_recompute_all()
    assert list(FirmScore.objects.order_by("pk").values("pk", "total", "breakdown", "cohort_key")) == first


def test_a_firm_without_figures_or_residency_is_listed_without_a_score(small_pack_active, qingdao):
    from tests.factories import FirmFactory

    bare = FirmFactory()
    homeless = scored_firm(qingdao, age=3, rd=10)
    homeless.residencies.all().delete()
    scores_recompute_all()
    assert FirmScore.objects.get(firm=bare).reasons == ["no_figures"]
    assert FirmScore.objects.get(firm=homeless).reasons[0] == "no_region"


@pytest.mark.parametrize("firms", [4, 40])
def test_a_cohort_costs_the_same_queries_whatever_its_size(
    small_pack_active, qingdao, firms, django_assert_num_queries
):
    for n in range(firms):
        scored_firm(qingdao, age=n % 10, rd=100 + n, revenue=1000 + n, revenue_before=900, hnte=n % 3 == 0)
    # the pack, the firms in cohort order, then the cohort's figures, certifications (the bonus)
    # and incidents (the negative item), and the upsert in its savepoint (three statements)
    with django_assert_num_queries(8):
        result = scores_recompute_all()
    assert result.as_dict() == {"cohorts": 1, "firms": firms, "scored": firms}

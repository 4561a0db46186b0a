"""The tasks as beat and the change hooks call them (in-process here): nightly, per change, on
commit, safe to run twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from scoring.models import FirmScore
from scoring.services import score_pack_activate, score_pack_load
from scoring.tasks import recompute_all, recompute_firms
from tests.factories import FinancingEventFactory, IncubatorFactory, YearlyFiguresFactory
from tests.scoring.factories import cohort_of_four, score_year, scored_firm
from tests.scoring.packs import small_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingdao():
    return IncubatorFactory(city="青岛")


@pytest.fixture
def small_pack_active(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        row, _ = score_pack_load(raw=small_raw(), activate=True)
    return row


def test_the_nightly_recompute_is_an_editable_beat_schedule():
    task = PeriodicTask.objects.get(task="scoring.tasks.recompute_all")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("2", "40")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


def test_the_nightly_task_is_safe_to_run_twice(small_pack_active, qingdao):
    cohort_of_four(qingdao)
    first = recompute_all.apply().get()
    totals = dict(FirmScore.objects.values_list("firm_id", "total"))
    assert recompute_all.apply().get() == first == {"cohorts": 1, "firms": 4, "scored": 3}
    assert dict(FirmScore.objects.values_list("firm_id", "total")) == totals


def test_a_firm_task_recomputes_its_cohort(small_pack_active, qingdao):
    firms = cohort_of_four(qingdao)
    assert recompute_firms.apply(args=([firms[0].pk],)).get() == {"cohorts": 1, "firms": 4, "scored": 3}
    assert FirmScore.objects.get(firm=firms[1]).total == Decimal("63.33")


def test_new_figures_in_a_cohort_move_the_others_percentiles_once_committed(
    small_pack_active, qingdao, django_capture_on_commit_callbacks
):
    firms = cohort_of_four(qingdao)
    recompute_all.apply()
    assert FirmScore.objects.get(firm=firms[0]).breakdown["lines"][0]["normalised"] == "33.33"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        newcomer = scored_firm(qingdao, age=11, rd=200, revenue=3000, revenue_before=3000)
        # nothing is recomputed before the commit
        assert not FirmScore.objects.filter(firm=newcomer).exists()
    assert callbacks
    a = FirmScore.objects.get(firm=firms[0])
    assert (a.cohort_size, a.breakdown["lines"][0]["normalised"]) == (5, "25.00")
    assert FirmScore.objects.get(firm=newcomer).status == "scored"


def test_a_change_of_financing_recomputes_the_firm(qingdao, django_capture_on_commit_callbacks):
    """The shipped pack counts equity financing of the last three years."""
    firms = [scored_firm(qingdao, age=2, rd=100 + n, revenue=1000, revenue_before=900) for n in range(5)]
    recompute_all.apply()
    line = next(
        x for x in FirmScore.objects.get(firm=firms[0]).breakdown["lines"] if x["key"] == "equity_financing"
    )
    assert line["value"] == "0.00"
    with django_capture_on_commit_callbacks(execute=True):
        FinancingEventFactory(firm=firms[0], amount=2_000_000, occurred_on=datetime.date(score_year(), 5, 1))
    line = next(
        x for x in FirmScore.objects.get(firm=firms[0]).breakdown["lines"] if x["key"] == "equity_financing"
    )
    assert (line["value"], line["normalised"]) == ("2000000.00", "100.00")


def test_figures_saved_inside_a_rolled_back_transaction_queue_nothing(
    small_pack_active, qingdao, django_capture_on_commit_callbacks
):
    firms = cohort_of_four(qingdao)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                YearlyFiguresFactory(firm=firms[0], year=score_year() - 5)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not FirmScore.objects.exists()


def test_activating_a_pack_recomputes_every_score_with_it(qingdao, django_capture_on_commit_callbacks):
    cohort_of_four(qingdao)
    recompute_all.apply()
    assert set(FirmScore.objects.values_list("pack_version", flat=True)) == {"ours-2025.1"}
    with django_capture_on_commit_callbacks(execute=False):
        row, _ = score_pack_load(raw=small_raw("test-small-9"))
    with django_capture_on_commit_callbacks(execute=True):
        score_pack_activate(pack=row)
    assert set(FirmScore.objects.values_list("pack_version", flat=True)) == {"test-small-9"}

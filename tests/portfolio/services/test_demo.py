"""The demo scenario: labelled demo, reloadable without changes, leaving the article records alone
(every feature working after a first start: test_demo_first_start.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import IncubatorMembership, Language, StaffRole, User
from partners.models import BankRecommendation, Consent
from portfolio.choices import RecordOrigin
from portfolio.models import Certification, Contact, Deadline, Firm, Residency, YearlyFigures
from portfolio.selectors.demo import for_authorities
from portfolio.services.demo import demo_scenario_load, demo_scenario_reset
from portfolio.services.fixtures import fixtures_load
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

ARTICLES = Path(settings.BASE_DIR) / "fixtures" / "articles.yaml"
DAY = datetime.date(2026, 3, 2)
MODELS = (User, IncubatorMembership, Residency, Contact, Certification, Deadline, YearlyFigures, Consent)


def _snapshot() -> dict:
    """Every row of the demo's models with its last change."""
    snap = {}
    for model in (*MODELS, BankRecommendation):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ("last_login",)]
        snap[model.__name__] = sorted(map(repr, model.objects.values_list(*fields)))
    return snap


@pytest.fixture(scope="module")
def articles(django_db_setup, django_db_blocker):
    """The article data, loaded once for the module (tests/module_data.py); each test loads the
    demo scenario itself, in its own savepoint. (The first start, which loads everything itself
    into an empty database, is tested in test_demo_first_start.py.)"""
    yield from built_once(django_db_blocker, lambda: fixtures_load(path=ARTICLES))


def test_the_scenario_is_labelled_demo_and_leaves_the_article_records_alone(articles):
    article_before = {
        m.__name__: sorted(map(repr, m.objects.filter(origin=RecordOrigin.ARTICLE).values_list()))
        for m in (Firm, Residency, Certification, YearlyFigures)
    }
    demo_scenario_load(today=DAY)
    for model in (Residency, Certification, YearlyFigures):
        demo = model.objects.filter(key__startswith="demo-")
        assert demo.exists(), model
        assert set(demo.values_list("origin", flat=True)) == {RecordOrigin.DEMO}
        assert all("DEMO" in notes for notes in demo.values_list("notes", flat=True))
    assert not Certification.objects.filter(origin=RecordOrigin.DEMO).exclude(assumed=True).exists()
    assert all(e.endswith("@example.org") for e in Contact.objects.values_list("email", flat=True))
    article_after = {
        m.__name__: sorted(map(repr, m.objects.filter(origin=RecordOrigin.ARTICLE).values_list()))
        for m in (Firm, Residency, Certification, YearlyFigures)
    }
    assert article_after == article_before
    # Every firm the scenario names sits in an incubator; three years of figures each.
    for key in ("firm-rongzhi-bio", "firm-huachen", "firm-jianxin", "firm-nengfeng", "firm-taili-auto-mould"):
        firm = Firm.objects.get(key=key)
        assert firm.residencies.filter(exited_on__isnull=True).exists(), key
        assert set(firm.yearly_figures.values_list("year", flat=True)) == {2023, 2024, 2025}
    # Staff: three roles per incubator, one reading English; a revoked consent; the white list.
    assert IncubatorMembership.objects.filter(user__email__startswith="demo.").count() == 9
    assert set(IncubatorMembership.objects.values_list("role", flat=True)) == set(StaffRole.values)
    assert User.objects.filter(email__startswith="demo.", preferred_language=Language.ENGLISH).count() == 1
    assert Consent.objects.filter(revoked_at__isnull=False).count() == 1
    assert BankRecommendation.objects.count() == 1


def test_deadlines_fall_at_each_threshold_and_a_few_are_overdue(articles):
    demo_scenario_load(today=DAY)
    open_demo = Deadline.objects.filter(certification__origin=RecordOrigin.DEMO, status="open")
    left = sorted((d.due_on - DAY).days for d in open_demo)
    for low, high in ((0, 1), (2, 7), (8, 30), (31, 90)):
        assert any(low <= d <= high for d in left), (low, high, left)
    assert any(d > 90 for d in left)
    assert 1 <= sum(d < 0 for d in left) <= 5


def test_loading_twice_changes_nothing(articles):
    first = demo_scenario_load(today=DAY)
    before = _snapshot()
    again = demo_scenario_load(today=DAY)
    assert _snapshot() == before
    assert first.created > 0 and again.created == 0


def test_a_second_start_issues_a_new_key_and_revokes_the_last(articles):
    """`python3 dev.py` run twice: each start prints a working key, the previous one stops."""
    from partners.models import ApiKey
    from portfolio.services.demo import demo_logins

    demo_scenario_load(today=DAY)
    _, first = demo_logins()
    _, second = demo_logins()
    api = APIClient()
    assert api.get("/api/v1/firms/", HTTP_AUTHORIZATION=f"Api-Key {second}").status_code == 200
    assert api.get("/api/v1/firms/", HTTP_AUTHORIZATION=f"Api-Key {first}").status_code == 401
    assert ApiKey.objects.filter(revoked_at__isnull=True, name__startswith="demo key").count() == 1


def test_a_later_load_keeps_what_staff_edited(articles):
    demo_scenario_load(today=DAY)
    contact = Contact.objects.get(email="demo.contact.rongzhi@example.org")
    contact.name, contact.receives_reminders = "王经理", False
    contact.save()
    certification = Certification.objects.get(key="demo-cert-rongzhi-hnte")
    certification.number = "GR2026370200001"
    certification.save()
    figures = YearlyFigures.objects.get(key="demo-fig-huachen-2025")
    figures.revenue = 123
    figures.save()
    before = _snapshot()

    result = demo_scenario_load(today=DAY + datetime.timedelta(days=40))

    assert result.created == 0
    assert _snapshot() == before
    contact.refresh_from_db()
    assert (contact.name, contact.receives_reminders) == ("王经理", False)


def test_reset_dates_the_demo_from_the_new_day_and_leaves_articles_alone(articles):
    demo_scenario_load(today=DAY)
    article = sorted(map(repr, Certification.objects.filter(origin=RecordOrigin.ARTICLE).values_list()))
    later = DAY + datetime.timedelta(days=40)
    demo_scenario_reset(today=later)
    due = Deadline.objects.get(
        certification__key="demo-cert-rongzhi-hnte", obligation__code="recertification"
    )
    assert due.due_on == later + datetime.timedelta(days=1)
    assert (
        sorted(map(repr, Certification.objects.filter(origin=RecordOrigin.ARTICLE).values_list())) == article
    )
    assert User.objects.filter(email__startswith="demo.").count() == 9


def test_reports_for_authorities_leave_the_demo_out_by_default(articles):
    demo_scenario_load(today=DAY)
    figures = YearlyFigures.objects.all()
    assert not for_authorities(figures).filter(origin=RecordOrigin.DEMO).exists()
    assert for_authorities(figures, include_demo=True).count() == figures.count()

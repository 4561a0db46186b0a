"""With the article fixtures loaded (what `python3 dev.py` shows a new user), every admin list
and every firm's page opens, and the lists run the same number of queries as with one row."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portfolio.models import Firm
from portfolio.services.fixtures import fixtures_load
from tests.module_data import built_once
from tests.portfolio.admin.test_pages import CHANGELIST_QUERIES, admin_url

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def articles(django_db_setup, django_db_blocker):
    """Loaded once for the module (tests/module_data.py)."""
    yield from built_once(
        django_db_blocker, lambda: fixtures_load(path=Path(settings.BASE_DIR) / "fixtures" / "articles.yaml")
    )


def test_every_changelist_opens_with_the_queries_pinned_for_one_row(
    admin_client, articles, django_assert_num_queries
):
    for model, queries in CHANGELIST_QUERIES.items():
        with django_assert_num_queries(queries):
            response = admin_client.get(admin_url(model, "changelist"))
        assert response.status_code == 200, model


def test_every_article_firm_page_opens(admin_client, articles):
    firms = list(Firm.objects.filter(origin="article").values_list("pk", "name"))
    assert len(firms) >= 16
    for pk, name in firms:
        response = admin_client.get(reverse("admin:portfolio_firm_change", args=[pk]))
        assert response.status_code == 200, name
        assert name in response.content.decode()


def test_zhiteng_page_shows_its_ladder_and_overdue_recertification(admin_client, articles):
    zhiteng = Firm.objects.get(key="firm-zhiteng")
    page = admin_client.get(reverse("admin:portfolio_firm_change", args=[zhiteng.pk])).content.decode()
    for text in ("2017", "2022", "高新技术企业", "deadline-overdue"):
        assert text in page

"""Names in the staff's language: certification kinds and obligations in English in the English
interface; the home page lists the staff's work first and the scheduler under "System"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from portfolio.models import CertificationKind, Obligation

pytestmark = pytest.mark.django_db


def test_a_kind_and_an_obligation_read_in_the_active_language():
    kind = CertificationKind.objects.get(code="hnte")
    obligation = Obligation.objects.get(kind=kind, code="annual-report")
    with translation.override("en"):
        assert (str(kind), str(obligation)) == (
            "High and new technology enterprise",
            "High and new technology enterprise: HNTE annual report",
        )
    with translation.override("zh-hans"):
        assert (str(kind), str(obligation)) == ("高新技术企业", "高新技术企业: 高企年度发展情况报表")


def test_a_kind_without_an_english_name_reads_in_chinese():
    kind = CertificationKind(code="x", name="某资质", name_en="")
    with translation.override("en"):
        assert str(kind) == "某资质"


def test_the_certification_list_and_its_filter_in_english(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:portfolio_certification_changelist")).content.decode()
    assert "High and new technology enterprise" in page
    assert "高新技术企业" not in page
    chinese = liaison_client.get(
        reverse("admin:portfolio_certification_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "高新技术企业" in chinese


def test_the_deadline_list_and_upcoming_page_in_english(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:portfolio_deadline_changelist")).content.decode()
    assert "HNTE annual report" in page and "高企年度发展情况报表" not in page
    upcoming = liaison_client.get(reverse("admin:portfolio_deadline_upcoming") + "?days=365").content.decode()
    assert "高企年度发展情况报表" not in upcoming


def test_the_firm_lists_highest_certification_in_english(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:portfolio_firm_changelist")).content.decode()
    assert "High and new technology enterprise" in page
    assert "高新技术企业" not in page


def test_the_home_page_puts_the_portfolio_first_and_the_scheduler_under_system(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    content = page[page.index('id="content-main"') :]
    portfolio = content.index('class="app-portfolio module')
    system = content.index('id="system-apps"')
    scheduler = content.index('class="app-django_celery_beat module')
    groups = content.index('class="app-auth module')
    others = [content.index(f'class="app-{label} module') for label in ("ladder", "partners", "accounts")]
    assert portfolio < min(others) and max(others) < system < min(scheduler, groups)


def test_staff_without_scheduler_rights_see_no_system_heading(liaison_client, portfolio):
    page = liaison_client.get(reverse("admin:index")).content.decode()
    assert 'class="app-portfolio module' in page
    assert 'id="system-apps"' not in page

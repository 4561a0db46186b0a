"""The admin site: Chinese by default, English selectable, history of every change."""

import pytest
from django.urls import reverse

from portfolio.models import Firm

pytestmark = pytest.mark.django_db


def test_admin_speaks_chinese_by_default(admin_client):
    # No language asked for (the suite's clients ask for English by default).
    response = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="")
    assert response.headers["Content-Language"] == "zh-hans"
    assert "欢迎" in response.content.decode()  # Django's own strings come in Chinese
    assert '<html lang="zh-hans"' in response.content.decode()


def test_language_switcher_posts_to_set_language(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert f'action="{reverse("set_language")}"' in page
    assert 'value="en"' in page


def test_switching_to_english_sticks(admin_client):
    admin_client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    response = admin_client.get(reverse("admin:index"))
    assert response.headers["Content-Language"] == "en"
    assert "Incubator portfolio administration" in response.content.decode()


def test_login_page_has_the_switcher(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'id="language-switcher"' in page


def test_a_change_through_the_admin_is_in_the_history_with_its_author(liaison_client, liaison, portfolio):
    from tests.portfolio.admin.forms import form_data

    url = reverse("admin:portfolio_firm_change", args=[portfolio.firm.pk])
    liaison_client.post(url, form_data(liaison_client.get(url), website="https://zhiteng.example.cn"))
    latest = Firm.history.filter(id=portfolio.firm.pk).latest("history_date")
    assert (latest.history_user, latest.website) == (liaison, "https://zhiteng.example.cn")
    history = liaison_client.get(reverse("admin:portfolio_firm_history", args=[portfolio.firm.pk]))
    assert "https://zhiteng.example.cn" in history.content.decode()

"""History without phantom changes: a browser's CRLF line ends and an unchanged save record
nothing; an empty change reason is shown empty, never as "None"."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from portfolio.models import CertificationKind, Firm
from tests.portfolio.admin.forms import form_data

pytestmark = pytest.mark.django_db


def crlf(value: str) -> str:
    """What a browser posts for a textarea holding ``value``."""
    return value.replace("\n", "\r\n")


@pytest.fixture
def noted_firm(portfolio) -> Firm:
    firm = portfolio.firm
    firm.notes, firm.source_quote = "第一行\n第二行", "a\nb"
    firm.save()  # recorded in the history, as the fixtures' and imports' LF text is
    return firm


def test_saving_an_unchanged_firm_records_no_history(liaison_client, noted_firm):
    url = reverse("admin:portfolio_firm_change", args=[noted_firm.pk])
    before = noted_firm.history.count()
    data = form_data(liaison_client.get(url))
    data.update(notes=crlf(data["notes"]), source_quote=crlf(data["source_quote"]))
    assert liaison_client.post(url, data).status_code == 302
    noted_firm.refresh_from_db()
    assert noted_firm.notes == "第一行\n第二行"
    assert noted_firm.history.count() == before


def test_a_real_change_is_one_history_entry_with_lf_line_ends(liaison_client, noted_firm):
    url = reverse("admin:portfolio_firm_change", args=[noted_firm.pk])
    before = noted_firm.history.count()
    data = form_data(liaison_client.get(url), notes="第一行\r\n第二行\r\n第三行")
    data["source_quote"] = crlf(data["source_quote"])
    assert liaison_client.post(url, data).status_code == 302
    assert noted_firm.history.count() == before + 1
    latest, previous = noted_firm.history.all()[:2]
    assert latest.notes == "第一行\n第二行\n第三行"
    assert [change.field for change in latest.diff_against(previous).changes] == ["notes"]


def test_reference_data_saved_unchanged_records_no_history(admin_client):
    kind = CertificationKind.objects.get(code="hnte")
    CertificationKind.objects.filter(pk=kind.pk).update(description="一\n二")
    url = reverse("admin:portfolio_certificationkind_change", args=[kind.pk])
    before = kind.history.count()
    data = form_data(admin_client.get(url))
    # As a browser posts the list: its textarea, and the hidden initial value Django adds to
    # fields with a callable default.
    data["reminder_days"] = data["initial-reminder_days"] = json.dumps(kind.reminder_days)
    data["description"] = crlf(data["description"])
    for key, value in list(data.items()):  # the obligations' instructions, as a browser posts them
        if key.endswith("-instructions") or key.endswith("-instructions_en"):
            data[key] = crlf(value)
    assert admin_client.post(url, data).status_code == 302
    assert kind.history.count() == before
    assert all("\r" not in text for text in kind.obligations.values_list("instructions", flat=True))


def test_the_history_page_shows_no_none_as_change_reason(liaison_client, noted_firm):
    url = reverse("admin:portfolio_firm_change", args=[noted_firm.pk])
    liaison_client.post(url, form_data(liaison_client.get(url), website="https://zhiteng.example.cn"))
    assert noted_firm.history.filter(history_change_reason="None").count() == 0
    page = liaison_client.get(reverse("admin:portfolio_firm_history", args=[noted_firm.pk])).content.decode()
    cells = page.split('class="history-change-reason">')[1:]
    assert cells, "the change-reason column"
    assert all(cell.split("</td>")[0].strip() == "" for cell in cells)

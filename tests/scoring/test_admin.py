"""The score on the firm page's ladder panel, and score packs in the admin."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import StaffRole, User
from scoring.models import FirmScore, ScorePack
from scoring.services import score_pack_load, scores_recompute_all
from tests.factories import IncubatorFactory
from tests.portfolio.admin.conftest import staff_member
from tests.scoring.factories import cohort_of_four
from tests.scoring.packs import small_raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root@example.org", "pw-123456")


@pytest.fixture
def qingdao():
    return IncubatorFactory(city="青岛")


@pytest.fixture
def scored(qingdao, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        score_pack_load(raw=small_raw(), activate=True)
    firms = cohort_of_four(qingdao)
    scores_recompute_all()
    return firms


def firm_page(client, firm) -> str:
    response = client.get(reverse("admin:portfolio_firm_change", args=[firm.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_firm_page_shows_each_indicator_and_the_total(client, superuser, scored):
    client.force_login(superuser)
    page = firm_page(client, scored[0])
    assert 'id="innovation-score"' in page and "<strong>44.67</strong>" in page
    assert "test-small-1" in page and "a zone&#x27;s own model" in page
    for cell in ("R&amp;D", "33.33", "16.67", "R&amp;D intensity", "15.00", "Bonus: HNTE", "3.00"):
        assert f"<td>{cell}</td>" in page or f">{cell}</td>" in page, cell


def test_the_firm_page_says_why_there_is_no_score_and_what_is_missing(client, superuser, scored):
    client.force_login(superuser)
    page = firm_page(client, scored[3])
    assert "Data for 40.00% of the weight; at least 50.00% is needed." in page
    assert "revenue (CNY) of" in page and "not reported" in page


def test_the_panel_reads_chinese_labels_in_chinese(client, superuser, scored):
    client.force_login(superuser)
    response = client.get(
        reverse("admin:portfolio_firm_change", args=[scored[0].pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "研发强度" in response.content.decode()


def test_a_firm_never_scored_has_no_section(client, superuser, qingdao):
    firm = cohort_of_four(qingdao)[0]
    client.force_login(superuser)
    assert 'id="innovation-score"' not in firm_page(client, firm)
    assert not FirmScore.objects.exists()


def test_staff_may_read_packs_but_not_change_them(client, qingdao):
    client.force_login(staff_member(qingdao, StaffRole.MANAGER))
    pack = ScorePack.objects.get(active=True)
    assert client.get(reverse("admin:scoring_scorepack_changelist")).status_code == 200
    assert client.get(reverse("admin:scoring_scorepack_add")).status_code == 403
    response = client.post(reverse("admin:scoring_scorepack_change", args=[pack.pk]), {"title": "x"})
    assert response.status_code == 403


def _form(raw: dict) -> dict:
    return {
        "version": raw["version"],
        "label": raw["label"],
        "title": raw["title"]["zh"],
        "title_en": raw["title"]["en"],
        "source": raw["source"],
        "notes": "",
        "unverified": json.dumps(raw["unverified"]),
        "data": json.dumps(raw["data"]),
    }


def test_a_superuser_loads_a_zones_pack_and_a_bad_one_is_refused_on_its_field(client, superuser):
    client.force_login(superuser)
    raw = small_raw("zone-laoshan-2025")
    raw["data"]["indicators"][0]["weights"]["young"] = 60
    response = client.post(reverse("admin:scoring_scorepack_add"), _form(raw))
    assert response.status_code == 200  # the form again, with the error on the data field
    assert "data.indicators: the weights of stage young add up to 110" in response.content.decode()
    assert not ScorePack.objects.filter(version="zone-laoshan-2025").exists()
    raw = small_raw("zone-laoshan-2025")
    response = client.post(reverse("admin:scoring_scorepack_add"), _form(raw))
    assert response.status_code == 302
    assert ScorePack.objects.get(version="zone-laoshan-2025").active is False


def test_the_activate_action_switches_packs_and_recomputes(
    client, superuser, qingdao, django_capture_on_commit_callbacks
):
    firms = cohort_of_four(qingdao)
    with django_capture_on_commit_callbacks(execute=False):
        row, _ = score_pack_load(raw=small_raw("zone-laoshan-2025"))
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:scoring_scorepack_changelist"),
            {"action": "activate", "_selected_action": [row.pk]},
        )
    assert response.status_code == 302
    assert list(ScorePack.objects.filter(active=True).values_list("version", flat=True)) == [
        "zone-laoshan-2025"
    ]
    assert FirmScore.objects.get(firm=firms[0]).pack_version == "zone-laoshan-2025"


def test_the_active_pack_cannot_be_deleted(client, superuser):
    client.force_login(superuser)
    pack = ScorePack.objects.get(active=True)
    assert client.get(reverse("admin:scoring_scorepack_delete", args=[pack.pk])).status_code == 403


def test_the_score_section_costs_two_queries_whatever_the_cohort(scored, django_assert_num_queries):
    from scoring.presentation import score_panel

    with django_assert_num_queries(2):  # the firm's score, the pack it names
        panel = score_panel(scored[0].pk)
    assert len(panel["lines"]) == 3

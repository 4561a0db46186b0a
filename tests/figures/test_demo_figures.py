"""The demo's figures request: every state on show, labelled demo, loadable again without change."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from figures.links import submission_from_token
from figures.models import FiguresEmail, FiguresRequest, FiguresSubmission, SubmissionStatus
from portfolio.models import Firm, YearlyFigures
from portfolio.services.demo import demo_scenario_load
from portfolio.services.demo_figures import DEMO_MESSAGE, demo_figures_load, demo_founder_link
from portfolio.services.fixtures import fixtures_load
from tests.module_data import built_once

pytestmark = pytest.mark.django_db

ARTICLES = Path(settings.BASE_DIR) / "fixtures" / "articles.yaml"
MODELS = (FiguresRequest, FiguresSubmission, FiguresEmail, YearlyFigures, Firm)


def _load_demo() -> None:
    fixtures_load(path=ARTICLES)
    demo_scenario_load()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The article data and the demo scenario, loaded once for the module and rolled back after it
    (tests/module_data.py: each test runs in a savepoint inside)."""
    yield from built_once(django_db_blocker, _load_demo)


def _snapshot() -> dict:
    return {
        model.__name__: sorted(
            map(repr, model.objects.values_list(*[f.attname for f in model._meta.concrete_fields]))
        )
        for model in MODELS
    }


def test_the_demo_request_shows_every_state(demo):
    result = demo_figures_load()
    request = result.request
    assert result.created and request.message == DEMO_MESSAGE and "演示" in request.message
    assert request.year == timezone.localdate().year - 1 and request.due_on > timezone.localdate()
    states = {s.firm.key: s.status for s in request.submissions.select_related("firm")}
    assert states.pop("demo-firm-haiyun") == SubmissionStatus.ACCEPTED
    assert states.pop("firm-zhiteng") == states.pop("firm-rongzhi-bio") == SubmissionStatus.SUBMITTED
    assert states.pop("firm-huachen") == SubmissionStatus.DRAFT
    assert states and set(states.values()) == {SubmissionStatus.NOT_STARTED}  # the missing ones
    assert FiguresEmail.objects.filter(request=request, kind="invitation").exists()


def test_accepting_the_demo_answer_keeps_the_ladder_cases_figures(demo):
    firm = Firm.objects.get(key="demo-firm-haiyun")
    year = timezone.localdate().year - 1
    ladder = ("revenue", "rd_expense", "total_cost", "employees", "rd_staff", "ip_class1", "ip_class2")
    before = YearlyFigures.objects.filter(firm=firm, year=year).values(*ladder).get()
    demo_figures_load()
    figures = YearlyFigures.objects.get(firm=firm, year=year)
    assert {name: getattr(figures, name) for name in ladder} == before
    assert figures.accepted_by.email == "demo.itri.liaison@example.org"
    assert figures.staff_college is not None and figures.reported_by.startswith("演示填表人")


def test_the_submitted_demo_answer_shows_a_warning_on_review(demo):
    from figures.selectors import submission_review

    request = demo_figures_load().request
    rongzhi = request.submissions.get(firm__key="firm-rongzhi-bio")
    assert submission_review(rongzhi).warnings


def test_loading_twice_changes_nothing(demo):
    demo_figures_load()
    before = _snapshot()
    again = demo_figures_load()
    assert not again.created
    assert _snapshot() == before


def test_reset_opens_the_request_afresh(demo):
    first = demo_figures_load().request
    FiguresSubmission.objects.filter(request=first, firm__key="firm-zhiteng").update(status="draft")
    result = demo_figures_load(reset=True)
    assert result.created and not FiguresRequest.objects.filter(pk=first.pk).exists()
    assert result.request.submissions.get(firm__key="firm-zhiteng").status == SubmissionStatus.SUBMITTED


def test_the_founder_link_printed_opens_the_drafts_page(demo):
    request = demo_figures_load().request
    link = demo_founder_link(request)
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
    opened = submission_from_token(token)
    assert opened.firm.key == "firm-huachen" and opened.status == SubmissionStatus.DRAFT


def test_the_command_prints_the_progress_page_and_a_founder_link(demo, settings):
    settings.DEBUG = True  # the founder's link is printed with the logins only
    out = io.StringIO()
    call_command("load_demo_scenario", "--logins", stdout=out)
    call_command("load_demo_scenario", stdout=io.StringIO())  # and again: nothing changes, no error
    printed = out.getvalue()
    progress = re.search(r"progress page:\s+(\S+)", printed).group(1)
    link = re.search(r"a founder's link:\s+(\S+)", printed).group(1)
    assert submission_from_token(urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]) is not None
    password = re.search(r"password for each: (\S+)\)", printed).group(1)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(email="demo.itri.liaison@example.org", password=password)
    page = client.get(urlsplit(progress).path)
    assert page.status_code == 200
    assert page.context["progress"].accepted == 1 and page.context["progress"].submitted == 2

"""`python3 dev.py` on a fresh clone: after its setup steps every feature of the demo works.

Apart from tests/portfolio/services/test_demo.py, whose tests share the article data loaded once
for that module: this one starts from an empty database and loads everything itself.
"""

from __future__ import annotations

import io
import re
import shlex
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

import dev
from accounts.models import User
from portfolio.models import Firm
from portfolio.selectors.scope import firms_for_user

pytestmark = pytest.mark.django_db


def _first_start(capsys_out: io.StringIO) -> None:
    """dev.py's setup steps after migrate, in-process, as on a fresh clone."""
    for step in dev.setup_steps(demo=True):
        if step[0] != "migrate":  # the test database is migrated already
            call_command(*step, stdout=capsys_out)


def test_after_the_first_start_every_feature_works(settings):
    settings.DEBUG = True  # demo_admin and the printed logins are for local development only
    out = io.StringIO()
    _first_start(out)
    printed = out.getvalue()

    # A reminder pass sends to contacts and staff, in Chinese and English.
    mail.outbox.clear()
    call_command("send_reminders", stdout=io.StringIO())
    recipients = {address for message in mail.outbox for address in message.to}
    assert any(a.startswith("demo.contact.") for a in recipients)
    assert any(a.startswith("demo.itri.") for a in recipients)
    languages = {message.extra_headers["Content-Language"] for message in mail.outbox}
    assert languages == {"zh-hans", "en"}
    for message in mail.outbox:
        to_contact = message.to[0].startswith("demo.contact.")
        assert ("/admin/" in message.body) is not to_contact

    # The printed curl lines work as printed (the firm list, a firm's innovation score); a firm
    # without consent answers 404.
    [curl, score_curl] = [line for line in printed.splitlines() if line.strip().startswith("curl ")]
    args = shlex.split(curl)
    header, url = args[args.index("-H") + 1], args[-1]
    name, _, value = header.partition(": ")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=value)
    parts = urlsplit(url)
    response = api.get(f"{parts.path}?{parts.query}")
    assert name == "Authorization" and response.status_code == 200, response.content
    assert len(response.json()["results"]) >= 1
    score = api.get(urlsplit(shlex.split(score_curl)[-1]).path).json()
    assert score["status"] == "scored" and score["pack"]["label"] == "ours", score
    without_consent = Firm.objects.get(key="firm-jianxin")
    assert api.get(f"/api/v1/firms/{without_consent.pk}/").status_code == 404

    # A staff login printed works and sees only its incubator's firms.
    password = re.search(r"password for each: (\S+)\)", printed).group(1)
    client = Client()
    assert client.login(email="demo.rehab.manager@example.org", password=password)
    manager = User.objects.get(email="demo.rehab.manager@example.org")
    assert set(firms_for_user(manager).values_list("key", flat=True)) == {"firm-jianxin"}
    page = client.get("/admin/portfolio/firm/")
    assert page.status_code == 200
    assert "青岛健新医疗科技有限公司" in page.text and "融智生物" not in page.text

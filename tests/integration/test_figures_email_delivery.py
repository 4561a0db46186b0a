"""A figures invitation end to end: a real Celery worker on Redis sends it to a real SMTP server.

The fixtures (the broker's own key prefix, the PostgreSQL test database, the aiosmtpd server,
the worker processes) are those of test_reminder_delivery.py.
"""

# ruff: noqa: F811 - the fixtures are imported from the reminders' integration test by name

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.utils import timezone

from accounts.models import Language
from figures.links import submission_from_token
from figures.models import FiguresEmail
from portfolio.models import DeliveryStatus
from tests.factories import IncubatorFactory
from tests.figures.email_factories import RequestFactory, SubmissionFactory, firm_in, staff
from tests.integration.harness import manage, wait_for
from tests.integration.test_reminder_delivery import (  # noqa: F401 - fixtures
    broker_url,
    database_url,
    env,
    smtp,
    workers,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RECORD = "from figures.emails import figures_invitations_record as r; r(submission_ids=[{}])"


def _text(message) -> str:
    return next(
        p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain"
    )


def test_a_worker_sends_a_figures_invitation_once_with_the_founders_link(env, smtp, workers):
    incubator = IncubatorFactory()
    firm = firm_in(
        incubator,
        staff(incubator, "liaison@incubator.test"),
        name="青岛集成测试填报有限公司",
        contacts=(("founder@firm.test", Language.ENGLISH),),
    )
    # Due in two months: the pass below has no reminder or liaison note to add of its own.
    request = RequestFactory(incubator=incubator, due_on=timezone.localdate() + datetime.timedelta(days=60))
    submission = SubmissionFactory(request=request, firm=firm)
    workers(env)
    # Staff open the request twice (a double click): one invitation is recorded and handed over.
    for _ in range(2):
        manage(env, "shell", "-c", RECORD.format(submission.pk))
    wait_for(
        lambda: list(FiguresEmail.objects.values_list("status", flat=True)) == [DeliveryStatus.SENT],
        60,
        "the invitation to be sent",
    )
    # A pass that hands every waiting email over again finds nothing left to send.
    manage(env | {"REMINDER_REQUEUE_AFTER_SECONDS": "0"}, "send_figures_reminders", "--enqueue")
    time.sleep(1.5)
    assert smtp.inbox.recipients() == ["founder@firm.test"]
    ((_, message),) = smtp.inbox.messages
    assert message["Message-ID"] == FiguresEmail.objects.get().message_id
    tokens = re.findall(r"/figures/([^/\s]+)/", _text(message))
    assert [submission_from_token(token) for token in tokens] == [submission]
